"""The complaints' part of the order list: the ``repeat_complaint`` filter (重复投诉), registered with the
list's FilterSet (``workorders.filters``) when the app loads, for the console list, the API and its schema."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _

from powerdesk.complaints.models import ComplaintRecord
from powerdesk.workorders.filters import FlagFilter, register_filter
from powerdesk.workorders.models import WorkOrder


def repeat_complaint(queryset: QuerySet[WorkOrder], name: str, value: bool) -> QuerySet[WorkOrder]:
    """Complaints about an event the customer complained about before (an archived complaint or opinion)."""
    return queryset.filter(
        Exists(ComplaintRecord.objects.filter(order=OuterRef("pk"), repeat_of__isnull=False))
    )


def register() -> None:
    register_filter(
        "repeat_complaint",
        FlagFilter(
            label=_("重复投诉"),
            method=repeat_complaint,
            help_text="Complaints repeating an earlier archived complaint or opinion about the same event.",
        ),
    )
