"""The quality view's filters, one form for the page, the export and the API (kept in the URL)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from powerdesk.analytics.selectors import default_days, month_bounds
from powerdesk.core.forms import BusinessDayField
from powerdesk.customers.models import CustomerType
from powerdesk.org.models import Unit, User
from powerdesk.sla.models import ClockKind
from powerdesk.workorders.choices import BusinessType, Channel
from powerdesk.workorders.forms import UnitChoiceField, visible_units

MAX_DAYS = 366  # a year at most: the figures are for a meeting, not a history

BY_CHOICES = [("staff", _("按员工")), ("unit", _("按单位"))]


class QualityFilterForm(forms.Form):
    date_from = BusinessDayField(label=_("受理日期从"), required=False)
    date_to = BusinessDayField(label=_("受理日期至"), required=False)
    by = forms.ChoiceField(
        label=_("统计对象"),
        choices=BY_CHOICES,
        required=False,
        error_messages={"invalid_choice": _("统计对象无效。")},
    )
    unit = UnitChoiceField(
        label=_("单位（含下级）"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("全部单位"),
        error_messages={"invalid_choice": _("请选择有效的单位。")},
    )
    kind = forms.ChoiceField(
        label=_("时限类别"),
        choices=[("", _("全部时限")), *ClockKind.choices],
        required=False,
        error_messages={"invalid_choice": _("时限类别无效。")},
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = visible_units(user)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = default_days()
        date_from: dt.date = data.get("date_from") or first
        # Without an end: the end of the start's month (the default period is a month).
        date_to: dt.date = data.get("date_to") or (
            month_bounds(date_from)[1] if data.get("date_from") else last
        )
        if "date_from" not in self.errors and "date_to" not in self.errors:
            if date_to < date_from:
                self.add_error("date_to", _("结束日期不能早于开始日期。"))
            elif (date_to - date_from).days >= MAX_DAYS:
                self.add_error("date_to", _("统计期最长 %(days)s 天。") % {"days": MAX_DAYS})
        data["date_from"], data["date_to"] = date_from, date_to
        data["by"] = data.get("by") or "staff"
        return data


class MonthField(forms.Field):
    """A month as ``YYYY-MM`` (the browser's month input): its first day."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "2026-01"})
    default_error_messages = {"invalid": _("请按“年-月”填写月份，例如 2026-01。")}

    def to_python(self, value: Any) -> dt.date | None:
        text = str(value or "").strip()
        if not text:
            return None
        try:
            year, month = (int(part) for part in text.split("-"))
            return dt.date(year, month, 1)
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None

    def prepare_value(self, value: Any) -> Any:
        return value.strftime("%Y-%m") if isinstance(value, dt.date) else value


class ReportIssueForm(forms.Form):
    unit = UnitChoiceField(
        label=_("单位（含下级）"),
        queryset=Unit.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": _("请选择有效的单位。"), "required": _("请选择单位。")},
    )
    month = MonthField(label=_("月份"), error_messages={"required": _("请填写月份。")})

    def __init__(self, *args: Any, user: User, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = visible_units(user)  # type: ignore[attr-defined]


class DashboardFilterForm(QualityFilterForm):
    """The dashboards' filters (kept in the URL): the period, the unit subtree, customer type, channel and
    business type. The period rules are the quality view's."""

    customer_type = forms.ChoiceField(
        label=_("客户类型"),
        choices=[("", _("全部客户类型")), *CustomerType.choices],
        required=False,
        error_messages={"invalid_choice": _("客户类型无效。")},
    )
    channel = forms.ChoiceField(
        label=_("受理渠道"),
        choices=[("", _("全部渠道")), *Channel.choices],
        required=False,
        error_messages={"invalid_choice": _("受理渠道无效。")},
    )
    business_type = forms.ChoiceField(
        label=_("业务类型"),
        choices=[("", _("全部类型")), *BusinessType.choices],
        required=False,
        error_messages={"invalid_choice": _("业务类型无效。")},
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any):
        super().__init__(*args, user=user, **kwargs)
        del self.fields["by"], self.fields["kind"]
