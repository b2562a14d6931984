"""The audit trail's one FilterSet, for the console page, its CSV export and ``GET /api/v1/audit/``:
by kind, by login name (who acted), by subject (whose: a login name, an account number), by a range
of days in the business time zone. Each is a column condition an index of ``AuditEntry`` serves."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from powerdesk.audit.kinds import kind_choices
from powerdesk.audit.models import AuditEntry
from powerdesk.core import clock
from powerdesk.core.forms import BusinessDayField


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=clock.BUSINESS_TZ)


class DayFilter(django_filters.DateFilter):
    """``at`` from the start of the day (``gte``) or up to its end (``lte``), business time."""

    field_class = BusinessDayField

    def filter(self, qs: QuerySet, value: dt.date | None) -> QuerySet:
        if value is None:
            return qs
        if self.lookup_expr == "lte":
            return qs.filter(at__lt=_day_start(value + dt.timedelta(days=1)))
        return qs.filter(at__gte=_day_start(value))


class AuditFilterForm(forms.Form):
    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("结束日期不能早于开始日期。"))
        return data


class AuditFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(
        label=_("类别"),
        choices=kind_choices,
        empty_label=_("全部类别"),
        error_messages={"invalid_choice": _("类别无效。")},
        help_text="Kind code, e.g. login_failed, reveal, export.",
    )
    actor = django_filters.CharFilter(
        field_name="actor_name",
        label=_("操作人"),
        max_length=150,
        help_text="Login name of who acted (for failed logins: the name that was tried).",
    )
    subject = django_filters.CharFilter(
        label=_("当事人"),
        max_length=200,
        help_text="Whose record: a login name or an account number, exactly.",
    )
    date_from = DayFilter(
        lookup_expr="gte", label=_("日期从"), help_text="On or after this day: YYYY-MM-DD, Asia/Shanghai."
    )
    date_to = DayFilter(
        lookup_expr="lte", label=_("日期至"), help_text="On or before this day: YYYY-MM-DD, Asia/Shanghai."
    )

    class Meta:
        model = AuditEntry
        fields: list[str] = []
        form = AuditFilterForm

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        # Surrounding spaces of a pasted name are not part of it.
        for name in ("actor", "subject"):
            if self.form.cleaned_data.get(name):
                self.form.cleaned_data[name] = self.form.cleaned_data[name].strip()
        return super().filter_queryset(queryset)

    @property
    def current(self) -> dict[str, Any]:
        """The filters that validated, as given (recorded with an export)."""
        if not self.is_valid():
            return {}
        return {k: (str(v) if v is not None else "") for k, v in self.form.cleaned_data.items() if v}
