"""The analytics app's part of the order list: the filters a dashboard number links with, so the list
shows the orders behind it. ``unit_tree`` (a unit and everything under it), ``sub_type``, ``area`` (台区)
filter the order itself; ``customer_type``, ``hour``, ``measure`` (a term of :mod:`.terms`) and ``group``
(a hot-spot group's code) select through the order's fact row, the very row the number was counted from.

Registered with the list's FilterSet (``workorders.filters``) when the app loads (``AnalyticsConfig``)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from powerdesk.analytics.models import HotSpotGroup, OrderFact
from powerdesk.analytics.terms import TERMS
from powerdesk.customers.models import CustomerType
from powerdesk.org.models import Unit
from powerdesk.workorders.filters import register_filter
from powerdesk.workorders.models import WorkOrder


def _by_fact(queryset: QuerySet[WorkOrder], condition: Q) -> QuerySet[WorkOrder]:
    return queryset.filter(pk__in=OrderFact.objects.filter(condition).values("order_id"))


def unit_tree(queryset: QuerySet[WorkOrder], name: str, value: Any) -> QuerySet[WorkOrder]:
    if value in (None, ""):
        return queryset
    unit = Unit.objects.filter(pk=value).values_list("path", flat=True).first()
    if unit is None:
        return queryset.none()
    return queryset.filter(unit_id__in=Unit.objects.filter(path__startswith=unit).values("id"))


def customer_type(queryset: QuerySet[WorkOrder], name: str, value: str) -> QuerySet[WorkOrder]:
    return _by_fact(queryset, Q(customer_type=value)) if value else queryset


def hour(queryset: QuerySet[WorkOrder], name: str, value: Any) -> QuerySet[WorkOrder]:
    return queryset if value in (None, "") else _by_fact(queryset, Q(hour=value))


def measure(queryset: QuerySet[WorkOrder], name: str, value: str) -> QuerySet[WorkOrder]:
    return _by_fact(queryset, TERMS[value][0]) if value else queryset


def group(queryset: QuerySet[WorkOrder], name: str, value: str) -> QuerySet[WorkOrder]:
    if not value:
        return queryset
    pk = HotSpotGroup.objects.filter(code=value).values_list("pk", flat=True).first()
    return _by_fact(queryset, Q(groups__contains=[pk])) if pk else queryset.none()


def register() -> None:
    invalid = {"invalid_choice": _("统计条件无效。")}
    register_filter(
        "unit_tree",
        django_filters.NumberFilter(
            label=_("单位（含下级）"), method=unit_tree, help_text="Handling unit id and its subtree."
        ),
    )
    register_filter(
        "sub_type",
        django_filters.NumberFilter(field_name="sub_type_id", label=_("业务子类"), help_text="Sub-type id."),
    )
    register_filter(
        "area",
        django_filters.NumberFilter(field_name="area_id", label=_("台区"), help_text="台区 (area unit) id."),
    )
    register_filter(
        "customer_type",
        django_filters.ChoiceFilter(
            label=_("客户类型"),
            choices=CustomerType.choices,
            method=customer_type,
            error_messages=invalid,
            help_text="Customer type, as the order's analytics fact row records it.",
        ),
    )
    register_filter(
        "hour",
        django_filters.NumberFilter(
            label=_("受理时段"), method=hour, help_text="Hour of acceptance (0–23), Asia/Shanghai."
        ),
    )
    register_filter(
        "measure",
        django_filters.ChoiceFilter(
            label=_("统计口径"),
            choices=[(code, label) for code, (_q, label) in TERMS.items()],
            method=measure,
            error_messages=invalid,
            help_text="The orders counted in one term of the dashboards (analytics.terms).",
        ),
    )
    register_filter(
        "group",
        django_filters.CharFilter(
            label=_("热点分组"), method=group, max_length=40, help_text="Hot-spot group code."
        ),
    )
