"""The outage list as Excel (``core.exports`` code ``outages``): the list page's selection (outages not
over, or all with ``all=1`` or any filter of ``OutageListFilterForm``), newest first, every row rather
than the page's first 200."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from powerdesk.core.exports import Exporter, Table, exporters
from powerdesk.core.xlsx import DATETIME, INTEGER, Column
from powerdesk.org.models import User
from powerdesk.outages import selectors
from powerdesk.outages.forms import OutageListFilterForm
from powerdesk.outages.models import Outage, OutageCause, OutageKind, OutageState


def outages_table(user: User, params: Mapping[str, Any]) -> Table:
    form = OutageListFilterForm(params)
    form.is_valid()
    every = params.get("all") == "1" or form.filtering()
    outages = Outage.objects.all() if every else selectors.active_outages()
    outages = selectors.outages_selected(outages, **form.selection()).order_by("-created_at", "-id")
    columns = [
        Column(_("停电编号"), width=16),
        Column(_("停电类型"), width=8),
        Column(_("状态"), width=8),
        Column(_("标题"), width=30),
        Column(_("原因分类"), width=12),
        Column(_("计划开始"), DATETIME),
        Column(_("计划结束"), DATETIME),
        Column(_("实际开始"), DATETIME),
        Column(_("恢复送电时间"), DATETIME),
        Column(_("预计复电时间"), DATETIME),
        Column(_("影响户数"), INTEGER),
        Column(_("通知滞后或缺失"), width=8),
        Column(_("通知提前量不足"), width=8),
    ]
    return Table(
        title=str(_("停电管理")),
        columns=columns,
        rows=_rows(outages.iterator(chunk_size=2000)),
        count=outages.count(),
        filters={
            **({"all": True} if every else {}),
            **{k: str(v.pk if hasattr(v, "pk") else v) for k, v in form.selection().items() if v},
        },
    )


def _rows(outages: Iterator[Outage]) -> Iterator[list[Any]]:
    kinds = {v: str(label) for v, label in OutageKind.choices}
    states = {v: str(label) for v, label in OutageState.choices}
    causes = {v: str(label) for v, label in OutageCause.choices}
    yes = _("是")
    for o in outages:
        yield [
            o.number,
            kinds.get(o.kind, o.kind),
            states.get(o.state, o.state),
            o.title,
            causes.get(o.cause, o.cause),
            o.planned_start,
            o.planned_end,
            o.actual_start,
            o.actual_end,
            o.etr,
            o.customer_count,
            yes if o.notice_flagged else "",
            yes if o.short_notice else "",
        ]


def register() -> None:
    exporters.register(
        "outages",
        "outages",
        Exporter(
            code="outages",
            label=gettext_lazy("停电管理"),
            what="outages.outage",
            build=outages_table,
            back="outages:list",
        ),
    )
