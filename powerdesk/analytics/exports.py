"""The service quality table as Excel (``core.exports`` code ``quality``): the page's filters parsed by
the same form, one row per staff member or unit and the totals, each rate as a percentage cell followed
by its terms, each mean followed by its number of answers."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from powerdesk.analytics.forms import QualityFilterForm
from powerdesk.analytics.selectors import QualityTable, default_days, quality_allowed, quality_table
from powerdesk.core.errors import ValidationFailed
from powerdesk.core.exports import Exporter, Table, exporters
from powerdesk.core.xlsx import DECIMAL, INTEGER, PERCENT, Column
from powerdesk.org.models import User


def quality_columns(table: QualityTable) -> list[Column]:
    columns = [Column(_("员工") if table.by == "staff" else _("单位")), Column(_("所属单位"))]
    for m in table.measures:
        label = str(m.label)
        if m.kind == "ratio":
            columns += [
                Column(label, PERCENT),
                Column(_("%(label)s·分子") % {"label": label}, INTEGER),
                Column(_("%(label)s·分母") % {"label": label}, INTEGER),
            ]
        elif m.kind == "mean":
            columns += [Column(label, DECIMAL), Column(_("%(label)s·份数") % {"label": label}, INTEGER)]
        else:
            columns.append(Column(label, INTEGER))
    return columns


def quality_rows(table: QualityTable) -> Iterator[list[Any]]:
    for row in [*table.rows, table.totals]:
        line: list[Any] = [row.name, row.unit]
        for m in table.measures:
            figure = row.figures.get(m.code)
            if m.kind == "ratio":
                line += (
                    [None] * 3
                    if figure is None
                    else [None if not figure.whole else figure.part / figure.whole, figure.part, figure.whole]
                )
            elif m.kind == "mean":
                line += [None] * 2 if figure is None else [figure.value, figure.count]
            else:
                line.append(figure)
        yield line


def quality_export_table(user: User, params: Mapping[str, Any]) -> Table:
    quality_allowed(user)
    query = params.copy() if isinstance(params, QueryDict) else QueryDict(mutable=True)
    if not isinstance(params, QueryDict):
        query.update(params)
    if not query.get("date_from") and not query.get("date_to"):
        first, last = default_days()
        query["date_from"], query["date_to"] = first.isoformat(), last.isoformat()
    form = QualityFilterForm(query, user=user)
    if not form.is_valid():
        raise ValidationFailed(
            _("筛选条件无效，未导出。"),
            fields={name: [str(m) for m in messages] for name, messages in form.errors.items()},
        )
    data = form.cleaned_data
    table = quality_table(
        user=user,
        first=data["date_from"],
        last=data["date_to"],
        by=data["by"],
        unit=data.get("unit"),
        kind=data.get("kind") or "",
    )
    return Table(
        title=str(_("服务质量统计")),
        columns=quality_columns(table),
        rows=quality_rows(table),
        count=len(table.rows) + 1,
        filters={
            "date_from": data["date_from"].isoformat(),
            "date_to": data["date_to"].isoformat(),
            "by": data["by"],
            "unit": data["unit"].pk if data.get("unit") else None,
            "kind": data.get("kind") or "",
        },
    )


def register() -> None:
    exporters.register(
        "analytics",
        "quality",
        Exporter(
            code="quality",
            label=gettext_lazy("服务质量统计"),
            what="analytics.quality",
            build=quality_export_table,
            back="analytics:quality",
        ),
    )
