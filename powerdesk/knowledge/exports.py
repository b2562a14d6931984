"""An assignment's learning progress as Excel (``core.exports`` code ``learning``): the progress page's
rows (the same unit and status filters, the people the user sees), one line per person. The query names
the assignment (``assignment``) besides the page's own filters."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from powerdesk.core.errors import NotFound, NotPermitted, ValidationFailed
from powerdesk.core.exports import Exporter, Table, exporters
from powerdesk.core.xlsx import DATETIME, Column
from powerdesk.knowledge import learning_selectors
from powerdesk.knowledge.learning_forms import STATUS_CHOICES, ProgressFilterForm
from powerdesk.knowledge.learning_selectors import UnitProgress
from powerdesk.org.models import User


def learning_table(user: User, params: Mapping[str, Any]) -> Table:
    if not learning_selectors.user_follows_learning(user):
        raise NotPermitted(_("您无权查看学习情况。"))
    pk = str(params.get("assignment", "") or "")
    if not pk.isdigit():
        raise ValidationFailed(_("筛选条件无效，未导出。"), fields={"assignment": [_("请指定学习任务。")]})
    assignment = learning_selectors.assignment_followed(user, int(pk))
    if assignment is None:
        raise NotFound(_("找不到该学习任务。"))
    form = ProgressFilterForm({k: params.get(k, "") for k in ("unit", "status")}, user=user)
    if not form.is_valid():
        raise ValidationFailed(
            _("筛选条件无效，未导出。"), fields={k: [str(m) for m in v] for k, v in form.errors.items()}
        )
    unit, status = form.cleaned_data.get("unit"), form.cleaned_data.get("status") or ""
    groups = learning_selectors.progress_by_unit(user, assignment, unit=unit, status=status)
    columns = [
        Column(_("单位"), width=18),
        Column(_("工号"), width=12),
        Column(_("姓名"), width=12),
        Column(_("学习情况"), width=16),
        Column(_("确认时间"), DATETIME),
    ]
    filters: dict[str, Any] = {"assignment": assignment.pk}
    if unit is not None:
        filters["unit"] = unit.pk
    if status:
        filters["status"] = status
    return Table(
        title=str(_("学习情况")),
        columns=columns,
        rows=_rows(groups),
        count=sum(len(g.confirmed) + len(g.pending) for g in groups),
        filters=filters,
    )


def _rows(groups: list[UnitProgress]) -> Iterator[list[Any]]:
    labels = {code: str(label) for code, label in STATUS_CHOICES if code}
    for group in groups:
        for row in [*group.confirmed, *group.pending]:
            yield [
                group.unit.name if group.unit else "",
                row.user.username,
                row.user.display_name,
                labels.get(row.status, row.status),
                row.confirmed_at,
            ]


def register() -> None:
    exporters.register(
        "knowledge",
        "learning",
        Exporter(
            code="learning",
            label=gettext_lazy("学习情况"),
            what="knowledge.learningassignment",
            build=learning_table,
            back="knowledge:learning_manage",
        ),
    )
