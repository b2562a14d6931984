"""The time limits' part of the order list: the ``breached`` filter and the ``due`` sort key.

Registered with the list's FilterSet (``workorders.filters``) when the app loads (``SlaConfig.ready``):
workorders sits below sla and does not know clocks, so the console list, the API and its schema get
these from here.
"""

from __future__ import annotations

from django.db.models import Exists, F, OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _

from powerdesk.sla.models import Clock, ClockState
from powerdesk.workorders.filters import FlagFilter, register_filter, register_sort
from powerdesk.workorders.models import WorkOrder


def breached(queryset: QuerySet[WorkOrder], name: str, value: bool) -> QuerySet[WorkOrder]:
    """Orders with a clock in state breached (a deadline recorded as missed by the sweep)."""
    # The company beside the order: a join a database sharded by company keeps on one node.
    return queryset.filter(
        Exists(
            Clock.objects.filter(
                company_id=OuterRef("company_id"), order=OuterRef("pk"), state=ClockState.BREACHED
            )
        )
    )


def at_risk(queryset: QuerySet[WorkOrder], name: str, value: bool) -> QuerySet[WorkOrder]:
    """Orders with a clock about to breach: running, past its warning point (the sweep warned), not yet
    breached — the clocks of the 即将超时 page (``selectors.about_to_breach``), served by its partial
    index."""
    return queryset.filter(
        Exists(
            Clock.objects.filter(
                company_id=OuterRef("company_id"),
                order=OuterRef("pk"),
                state=ClockState.RUNNING,
                level__gte=1,
                breached_at__isnull=True,
            )
        )
    )


def register() -> None:
    register_filter(
        "at_risk",
        FlagFilter(
            label=_("即将超时"),
            method=at_risk,
            help_text="Orders with a running time limit past its warning point and not yet breached.",
        ),
    )
    register_filter(
        "breached",
        FlagFilter(
            label=_("已超时"),
            method=breached,
            help_text="Orders with a time limit recorded as breached (by the SLA sweep).",
        ),
    )
    # Due soonest first, orders without a due time (closed, or paused) last; the id keeps pages apart.
    register_sort("due", _("到期最早"), [F("due_at").asc(nulls_last=True), "id"])
