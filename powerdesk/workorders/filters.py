"""The order list's filter: one django-filter ``FilterSet`` for the console list page and
``GET /api/v1/workorders/``.

Names, bounds, validation messages and sort keys are declared here once. The console renders the
FilterSet's form and lists with the filters that validated (the others are shown as errors); the API
filters through django-filter's DRF backend, which answers invalid values with 400 and the stable
error body, and drf-spectacular documents the same filters as query parameters.

Apps above ``workorders`` add their own filters and sort keys when they load, from
``AppConfig.ready()``, with :func:`register_filter` and :func:`register_sort` (``sla`` registers
``breached`` and ``due``): this module never imports them.

Every filter is a column condition with constants the planner can estimate, served by the list indexes
of ``WorkOrder`` (see its Meta): the topic by id (the planner then uses the topic column's statistics),
the dates as business-day bounds, several statuses as one ``IN``. The user's visibility scope is applied
once, by the queue (:func:`powerdesk.workorders.selectors.order_queue`). Paginate the result with
``core.pagination.ListPaginator``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ImproperlyConfigured
from django.db.models import OrderBy, QuerySet
from django.http import QueryDict
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from powerdesk.core import clock
from powerdesk.core.forms import FIRST_DAY, LAST_DAY, BusinessDayField
from powerdesk.core.seeded_names import seeded_name
from powerdesk.org.models import User
from powerdesk.workorders import reference
from powerdesk.workorders.choices import CLOSED_STATUSES, BusinessType, Channel, Status
from powerdesk.workorders.forms import UnitChoiceField, visible_units
from powerdesk.workorders.models import WorkOrder
from powerdesk.workorders.selectors import order_queue

QUEUES = [("mine", _("我的待办")), ("unit", _("本单位待办")), ("all", _("全部"))]
ASSIGNEES = [("me", _("指派给我")), ("none", _("未指定处理人"))]
# What the list page shows of every row (select_related): the rows of a page are fetched by id with them.
LIST_RELATED = ("topic", "unit", "customer", "assignee", "sub_type")


# ---------------------------------------------------------------------------------------------
# fields


class FlagCheckboxInput(forms.CheckboxInput):
    """Django's checkbox, passing on the text that was sent for :class:`FlagField` to judge (Django's
    own reading turns every text but "false" into a tick)."""

    def __init__(self, attrs: dict[str, Any] | None = None):
        super().__init__(attrs, check_test=FlagField.is_true)

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        return data.get(name)

    def format_value(self, value: Any) -> None:
        return None  # no value attribute, as Django renders a BooleanField: the browser sends "on"


class FlagField(forms.Field):
    """A yes/no filter: ticked ("on" from the console's checkbox, true/1/yes from the API) filters,
    unticked (absent, empty, false/0/no/off) leaves the list alone; any other text is an error."""

    widget = FlagCheckboxInput
    TRUE = frozenset({"true", "1", "on", "yes"})
    FALSE = frozenset({"", "false", "0", "off", "no"})
    default_error_messages = {"invalid": _("请填写 true 或 false。")}

    @classmethod
    def is_true(cls, value: Any) -> bool:
        return value is True or str(value).strip().lower() in cls.TRUE

    def to_python(self, value: Any) -> bool | None:
        """True when ticked, None (no filter) when not."""
        if value is None or value is False:
            return None
        if self.is_true(value):
            return True
        if str(value).strip().lower() in self.FALSE:
            return None
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")


class StatusCheckboxes(forms.CheckboxSelectMultiple):
    """Django's checkboxes, reading statuses as repeated parameters (what the checkboxes send) or comma
    separated (``status=a,b``, for the API), each once: the boxes of a comma-separated list show ticked."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        values = super().value_from_datadict(data, files, name)
        if values is None:
            return None
        items = [values] if isinstance(values, str) else values
        parts = (part.strip() for item in items for part in str(item).split(","))
        return list(dict.fromkeys(part for part in parts if part))


class StatusesField(forms.MultipleChoiceField):
    widget = StatusCheckboxes


def _active_topics() -> list[tuple[str, str]]:
    return [("", str(_("全部分类"))), *((t.code, seeded_name(t)) for t in reference.active_topics())]


class TopicField(forms.ChoiceField):
    """A topic by code. The active topics are offered; a retired topic's code is valid too, so its
    orders stay reachable. Read from the reference cache: no query."""

    def __init__(self, **kwargs: Any):
        super().__init__(choices=_active_topics, **kwargs)

    def valid_value(self, value: Any) -> bool:
        return reference.topic_any(str(value)) is not None


class OrderFilterForm(forms.Form):
    """The FilterSet's form: the checks that involve two fields."""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("结束日期不能早于开始日期。"))
        return data


# ---------------------------------------------------------------------------------------------
# filters


class FlagFilter(django_filters.BooleanFilter):
    """A yes/no filter (:class:`FlagField`): ticked narrows the list to ``field_name`` = true, or to
    what ``method`` keeps; unticked filters nothing."""

    field_class = FlagField

    def filter(self, qs: QuerySet, value: bool | None) -> QuerySet:
        return qs.filter(**{self.field_name: True}) if value else qs


class StatusFilter(django_filters.MultipleChoiceFilter):
    """Orders in any of the statuses: one ``status IN (…)`` (django-filter's default is an OR chain)."""

    field_class = StatusesField

    def filter(self, qs: QuerySet, value: list[str]) -> QuerySet:
        return qs.filter(**{f"{self.field_name}__in": value}) if value else qs


class TopicFilter(django_filters.CharFilter):
    """By topic id, not through the join: the planner then uses the topic column's statistics."""

    field_class = TopicField

    def filter(self, qs: QuerySet, value: str) -> QuerySet:
        if not value:
            return qs
        topic = reference.topic_any(value)
        return qs.filter(topic_id=topic.pk if topic else 0)


class UnitFilter(django_filters.ModelChoiceFilter):
    """A handling unit the user may see (an active dispatch target in their scope)."""

    field_class = UnitChoiceField

    def get_queryset(self, request: Any) -> QuerySet:
        return visible_units(self.parent.user)


class DayFilter(django_filters.DateFilter):
    """``created_at`` from the start of the day (``gte``) or up to its end (``lte``), business time."""

    field_class = BusinessDayField

    def filter(self, qs: QuerySet, value: dt.date | None) -> QuerySet:
        if value is None:
            return qs
        if self.lookup_expr == "lte":
            return qs.filter(**{f"{self.field_name}__lt": _day_start(value + dt.timedelta(days=1))})
        return qs.filter(**{f"{self.field_name}__gte": _day_start(value)})


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=clock.BUSINESS_TZ)


class TextFilter(django_filters.CharFilter):
    """An order number (digits: that order) or a fragment of the description."""

    def filter(self, qs: QuerySet, value: str) -> QuerySet:
        term = (value or "").strip()
        if not term:
            return qs
        return qs.filter(number=term) if term.isdigit() else qs.filter(description__icontains=term)


def _choice_messages(message: Any) -> dict[str, Any]:
    return {"invalid_choice": message}


# ---------------------------------------------------------------------------------------------
# sort keys


@dataclass(frozen=True)
class Sort:
    key: str
    label: str | Promise
    ordering: tuple[str | OrderBy, ...]


DEFAULT_SORT = "newest"
SORTS: dict[str, Sort] = {
    DEFAULT_SORT: Sort(DEFAULT_SORT, _("最新受理"), ("-created_at", "-id")),
    # The work queues' order (oldest waiting first): the same indexes as newest, walked backwards.
    "oldest": Sort("oldest", _("最早受理"), ("created_at", "id")),
}


def sort_choices() -> list[tuple[str, str | Promise]]:
    """The sort keys with their labels, the registered ones included."""
    return [(sort.key, sort.label) for sort in SORTS.values()]


# ---------------------------------------------------------------------------------------------
# the FilterSet


class OrderFilterSet(django_filters.FilterSet):
    """The order list's filters. ``user`` (or ``request.user``) decides the scope and the unit choices;
    ``default_queue`` applies when no queue is given ("all"; the console passes "mine").

    Always bound: without data it is the default list. Invalid values are in ``errors`` and left out of
    ``qs``; the DRF backend refuses them instead (``is_valid()`` first)."""

    queue = django_filters.ChoiceFilter(
        label=_("队列"),
        choices=QUEUES,
        error_messages=_choice_messages(_("队列无效。")),
        help_text="mine: assigned to me, or taken by me and unassigned (open orders); unit: my unit's open "
        "orders; all: every order I may see. Default: all (the console's list: mine).",
    )
    status = StatusFilter(
        label=_("状态"),
        choices=Status.choices,
        error_messages=_choice_messages(_("状态“%(value)s”无效。")),
        help_text="One or more statuses, repeated or comma separated.",
    )
    business_type = django_filters.ChoiceFilter(
        label=_("业务类型"),
        choices=BusinessType.choices,
        empty_label=_("全部类型"),
        error_messages=_choice_messages(_("业务类型无效。")),
    )
    topic = TopicFilter(
        label=_("业务分类"),
        error_messages=_choice_messages(_("业务分类无效。")),
        help_text="Topic code, e.g. fault_repair (retired topics included).",
    )
    unit = UnitFilter(
        label=_("处理单位"),
        empty_label=_("全部单位"),
        error_messages=_choice_messages(_("处理单位无效。")),
        help_text="Handling unit id: one the caller may see.",
    )
    assignee = django_filters.ChoiceFilter(
        label=_("处理人"),
        choices=ASSIGNEES,
        empty_label=_("不限"),
        method="filter_assignee",
        error_messages=_choice_messages(_("处理人条件无效。")),
        help_text="me: assigned to me; none: no handler named yet.",
    )
    channel = django_filters.ChoiceFilter(
        label=_("受理渠道"),
        choices=Channel.choices,
        empty_label=_("全部渠道"),
        error_messages=_choice_messages(_("受理渠道无效。")),
    )
    date_from = DayFilter(
        field_name="created_at",
        lookup_expr="gte",
        label=_("受理日期从"),
        help_text=f"Taken on or after this day: YYYY-MM-DD, business time zone (Asia/Shanghai), "
        f"{FIRST_DAY} to {LAST_DAY}.",
    )
    date_to = DayFilter(
        field_name="created_at",
        lookup_expr="lte",
        label=_("受理日期至"),
        help_text=f"Taken on or before this day: YYYY-MM-DD, business time zone (Asia/Shanghai), "
        f"{FIRST_DAY} to {LAST_DAY}; not before date_from.",
    )
    overdue = FlagFilter(
        label=_("逾期"), method="filter_overdue", help_text="Open orders whose due time has passed."
    )
    open = FlagFilter(
        label=_("未办结"), method="filter_open", help_text="Only orders not archived or merged."
    )
    flagged = FlagFilter(field_name="is_flagged", label=_("重点关注"), help_text="Flagged orders only.")
    sort = django_filters.ChoiceFilter(
        label=_("排序"),
        choices=sort_choices(),
        error_messages=_choice_messages(_("排序方式无效。")),
        help_text="Order of the list. Default: newest.",
    )
    q = TextFilter(
        label=_("关键字"),
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("工单编号或诉求内容")}),
        help_text="An order number, or a fragment of the description.",
    )

    # Decided by filter_queryset itself (they choose the base and the order of the list), not filters.
    APPLIED_BY_THE_SET = frozenset({"queue", "sort"})

    class Meta:
        model = WorkOrder
        fields: list[str] = []
        form = OrderFilterForm

    def __init__(
        self,
        data: Any = None,
        queryset: QuerySet[WorkOrder] | None = None,
        *,
        request: Any = None,
        prefix: str | None = None,
        user: User | None = None,
        default_queue: str = "all",
    ):
        super().__init__(QueryDict() if data is None else data, queryset, request=request, prefix=prefix)
        user = user if user is not None else getattr(request, "user", None)
        if user is None:
            raise TypeError("OrderFilterSet needs a user (or a request with one): the list is scoped by it.")
        self.user: User = user
        self.default_queue = default_queue

    def get_form_class(self) -> type[forms.Form]:
        form_class = super().get_form_class()
        # The help texts document the API's parameters (drf-spectacular reads them from the filters);
        # the console's filter bar shows the labels only, so its fields point at no help text.
        for field in form_class.base_fields.values():
            field.help_text = ""
        return form_class

    def filter_queryset(self, queryset: QuerySet[WorkOrder]) -> QuerySet[WorkOrder]:
        """1. the queue, within the user's scope (the one place the scope is applied);
        2. every other filter whose value validated;
        3. the sort key's order, with the relations a list row shows."""
        data = self.form.cleaned_data
        queryset = order_queue(
            user=self.user, queue=data.get("queue") or self.default_queue, queryset=queryset
        )
        for name, value in data.items():
            if name not in self.APPLIED_BY_THE_SET:
                queryset = self.filters[name].filter(queryset, value)
        sort = SORTS.get(data.get("sort") or DEFAULT_SORT, SORTS[DEFAULT_SORT])
        return queryset.select_related(*LIST_RELATED).order_by(*sort.ordering)

    @property
    def current(self) -> dict[str, Any]:
        """The values in effect (the valid ones) by name, with the queue and sort key that apply."""
        data = dict(self.form.cleaned_data)
        data["queue"] = data.get("queue") or self.default_queue
        data["sort"] = data.get("sort") or DEFAULT_SORT
        return data

    @classmethod
    def registered_names(cls) -> list[str]:
        """The names of the filters higher apps registered, in their order."""
        return list(_registered)

    def filter_overdue(self, queryset: QuerySet[WorkOrder], name: str, value: bool) -> QuerySet[WorkOrder]:
        return queryset.filter(due_at__lt=clock.now()).exclude(status__in=CLOSED_STATUSES)

    def filter_assignee(self, queryset: QuerySet[WorkOrder], name: str, value: str) -> QuerySet[WorkOrder]:
        if value == "me":
            return queryset.filter(assignee=self.user)
        if value == "none":
            return queryset.filter(assignee__isnull=True)
        return queryset

    def filter_open(self, queryset: QuerySet[WorkOrder], name: str, value: bool) -> QuerySet[WorkOrder]:
        return queryset.exclude(status__in=CLOSED_STATUSES)


# ---------------------------------------------------------------------------------------------
# extension points


_registered: dict[str, django_filters.Filter] = {}


def register_filter(name: str, filter_instance: django_filters.Filter) -> None:
    """Add a filter of a higher app to the order list: the console's form, the API's query parameters
    and its schema. Call from ``AppConfig.ready()``; registering the same name again replaces it.

    ``filter_instance`` is a django-filter ``Filter`` (for a yes/no, :class:`FlagFilter` with a
    ``method`` callable ``(queryset, name, value) -> queryset``); it must keep the list's queries a
    condition with constants the planner can estimate."""
    if name in OrderFilterSet.base_filters and name not in _registered:
        raise ImproperlyConfigured(f"The order list already has a filter named {name!r}.")
    if getattr(filter_instance, "field_name", None) is None:
        filter_instance.field_name = name
    _registered[name] = filter_instance
    OrderFilterSet.declared_filters[name] = filter_instance
    OrderFilterSet.base_filters[name] = filter_instance


def register_sort(key: str, label: str | Promise, ordering: Sequence[str | OrderBy]) -> None:
    """Add a sort key of a higher app to the order list (``sort=key``; the console shows ``label``).
    ``ordering`` is what ``QuerySet.order_by`` takes; end it with a unique column (``"id"``) so pages do
    not overlap, and keep it served by an index of ``WorkOrder``. Call from ``AppConfig.ready()``."""
    SORTS[key] = Sort(key, label, tuple(ordering))
    sort = OrderFilterSet.base_filters["sort"]
    sort.extra["choices"] = sort_choices()
    sort.__dict__.pop("_field", None)  # built from the old choices, if anything asked for it already


# ---------------------------------------------------------------------------------------------
# without a request


def order_list(*, user: User, **filters: Any) -> QuerySet[WorkOrder]:
    """The orders of ``user``'s list with these filters (names and values as the list's parameters,
    e.g. ``queue="mine"``, ``open=True``; queue "all" unless given), ordered: for pages and code that
    list orders without a request of their own (the home page's counts, a customer's open orders).
    Invalid values are the caller's mistake: ``ValueError``."""
    filterset = OrderFilterSet(filters, user=user)
    if not filterset.is_valid():
        raise ValueError(f"invalid order filters: {filterset.errors.as_json()}")
    return filterset.qs
