"""The reliability view's filters, one form for the page and the API (kept in the URL)."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from powerdesk.core import clock
from powerdesk.core.forms import BusinessDayField
from powerdesk.grid.models import Device, DeviceKind
from powerdesk.org.models import Unit, User
from powerdesk.org.selectors import visible_units_filter
from powerdesk.reliability import rules
from powerdesk.workorders.forms import UnitChoiceField

MAX_DAYS = 5 * 366  # the monthly table stays readable; the MED history is read apart

USER_UNITS = [(rules.LV, _("低压用户（每个电能表）")), (rules.MV, _("10 kV 用户（公变、专变用户）"))]


def default_days() -> tuple[dt.date, dt.date]:
    """This year up to today, in business time."""
    today = clock.local_date()
    return today.replace(month=1, day=1), today


class FeederChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Device) -> str:
        return f"{obj.name}（{obj.code}）"


class ReliabilityFilterForm(forms.Form):
    date_from = BusinessDayField(label=_("统计期从"), required=False)
    date_to = BusinessDayField(label=_("统计期至"), required=False)
    unit = UnitChoiceField(
        label=_("单位（含下级）"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("全部可见单位"),
        error_messages={"invalid_choice": _("请选择有效的单位。")},
    )
    feeder = FeederChoiceField(
        label=_("10kV线路"),
        queryset=Device.objects.filter(kind=DeviceKind.FEEDER).order_by("code"),
        required=False,
        empty_label=_("全部线路"),
        error_messages={"invalid_choice": _("请选择有效的线路。")},
    )
    user_unit = forms.ChoiceField(
        label=_("用户统计单位（DL/T 836）"),
        choices=USER_UNITS,
        required=False,
        error_messages={"invalid_choice": _("用户统计单位无效。")},
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any):
        super().__init__(*args, **kwargs)
        units = Unit.objects.filter(is_active=True)
        visible = visible_units_filter(user, "pk")
        if visible is not None:
            units = units.filter(visible)
        self.fields["unit"].queryset = units.order_by("path")  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = default_days()
        date_from: dt.date = data.get("date_from") or first
        # Without an end: the end of the start's month when a start is given, else today.
        date_to: dt.date = data.get("date_to") or (
            date_from.replace(day=calendar.monthrange(date_from.year, date_from.month)[1])
            if data.get("date_from")
            else last
        )
        if "date_from" not in self.errors and "date_to" not in self.errors:
            if date_to < date_from:
                self.add_error("date_to", _("结束日期不能早于开始日期。"))
            elif (date_to - date_from).days >= MAX_DAYS:
                self.add_error("date_to", _("统计期最长 %(days)s 天。") % {"days": MAX_DAYS})
        data["date_from"], data["date_to"] = date_from, date_to
        data["user_unit"] = data.get("user_unit") or rules.LV
        return data
