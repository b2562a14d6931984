"""List filters over the links between orders (``OrderLink``): recurrences made queryable for the
order list, the API and, later, the analytics. Registered like a higher app's filters, so the list's
own FilterSet stays as it is."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _

from powerdesk.workorders.choices import LinkKind
from powerdesk.workorders.filters import FlagFilter, register_filter
from powerdesk.workorders.models import OrderLink, WorkOrder


def is_recurrence(queryset: QuerySet[WorkOrder], name: str, value: bool) -> QuerySet[WorkOrder]:
    """Orders opened as a 复发 of an earlier order (a fault again after it was restored)."""
    return queryset.filter(Exists(OrderLink.objects.filter(order=OuterRef("pk"), kind=LinkKind.RECURRENCE)))


def has_recurrence(queryset: QuerySet[WorkOrder], name: str, value: bool) -> QuerySet[WorkOrder]:
    """Orders a later order names as the one it recurs after."""
    return queryset.filter(Exists(OrderLink.objects.filter(earlier=OuterRef("pk"), kind=LinkKind.RECURRENCE)))


def register() -> None:
    register_filter(
        "recurrence",
        FlagFilter(
            label=_("复发工单"),
            method=is_recurrence,
            help_text="Orders opened as a recurrence (复发) of an earlier, archived order.",
        ),
    )
    register_filter(
        "recurred",
        FlagFilter(
            label=_("有复发"),
            method=has_recurrence,
            help_text="Orders after which the fault recurred (a later order is linked to them as 复发).",
        ),
    )
