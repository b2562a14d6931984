"""The feedback app's part of the order list: ``callback_needed``, the orders of business types whose
callback rule asks for a callback (a work queue such as 待回访 combines it with ``status=replied``).

Registered with the list's FilterSet (``workorders.filters``) when the app loads (``FeedbackConfig.ready``).
The condition is ``business_type IN (…)`` with the rule's types as constants, which the list's indexes
and the planner handle as any other column condition."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from powerdesk.workorders.filters import FlagFilter, register_filter
from powerdesk.workorders.models import WorkOrder

from . import selectors


def callback_needed(queryset: QuerySet[WorkOrder], name: str, value: bool) -> QuerySet[WorkOrder]:
    types = sorted(t for t, rule in selectors.callback_rules().items() if rule.needs_callback)
    return queryset.filter(business_type__in=types)


def register() -> None:
    register_filter(
        "callback_needed",
        FlagFilter(
            label=_("需要回访"),
            method=callback_needed,
            help_text="Orders of business types whose callback rule (feedback.CallbackRule) asks for one.",
        ),
    )
