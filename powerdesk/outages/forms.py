"""Console forms: register an outage, change its ETR, restore it, register a known event (报备)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from powerdesk.core.forms import BusinessDayField
from powerdesk.customers.models import Customer
from powerdesk.grid.models import Device
from powerdesk.org.models import Unit
from powerdesk.outages.models import EtrSource, KnownEvent, OutageCause, OutageKind, OutageState, ProofKind
from powerdesk.workorders.forms import UnitChoiceField

DT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _codes(value: str) -> list[str]:
    return [c for c in value.replace("，", ",").replace("\n", ",").split(",") if c.strip()]


class DeviceCodes(forms.CharField):
    def clean(self, value: Any) -> list[Device]:
        codes = [c.strip() for c in _codes(super().clean(value) or "")]
        devices = list(Device.objects.filter(code__in=codes))
        missing = sorted(set(codes) - {d.code for d in devices})
        if missing:
            raise forms.ValidationError(_("找不到设备：%(codes)s") % {"codes": "、".join(missing)})
        return devices


class AccountNos(forms.CharField):
    def clean(self, value: Any) -> list[Customer]:
        codes = [c.strip() for c in _codes(super().clean(value) or "")]
        customers = list(Customer.objects.filter(account_no__in=codes))
        missing = sorted(set(codes) - {c.account_no for c in customers})
        if missing:
            raise forms.ValidationError(_("找不到户号：%(codes)s") % {"codes": "、".join(missing)})
        return customers


class OutageForm(forms.Form):
    kind = forms.ChoiceField(label=_("停电类型"), choices=OutageKind.choices)
    title = forms.CharField(label=_("标题"), max_length=120)
    devices = DeviceCodes(
        label=_("停电设备编码"), required=False, help_text=_("计划、临时、故障停电：逗号分隔的设备编码")
    )
    customers = AccountNos(
        label=_("停电户号"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("欠费停电、有序用电：逗号分隔的户号"),
    )
    cause = forms.ChoiceField(label=_("原因分类"), choices=OutageCause.choices, required=False)
    reason = forms.CharField(label=_("停电原因"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    planned_start = forms.DateTimeField(label=_("计划开始"), required=False, widget=DT)
    planned_end = forms.DateTimeField(label=_("计划结束"), required=False, widget=DT)
    crew_etr = forms.DateTimeField(label=_("抢修人员预计复电时间"), required=False, widget=DT)
    known_event = forms.ModelChoiceField(
        label=_("报备事件"), queryset=KnownEvent.objects.all(), required=False
    )
    short_notice_reason = forms.CharField(
        label=_("提前量不足原因"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("距停电开始不足规定的通知提前时间时必填"),
    )


class EtrForm(forms.Form):
    etr = forms.DateTimeField(label=_("预计复电时间"), widget=DT)
    source = forms.ChoiceField(
        label=_("来源"),
        choices=[(code, label) for code, label in EtrSource.choices if code != EtrSource.PLANNED],
        initial=EtrSource.CREW,
    )
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class RestoreForm(forms.Form):
    devices = DeviceCodes(
        label=_("已复电设备编码"), required=False, help_text=_("部分复电时填写；留空表示全部复电")
    )


class KnownEventForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=KnownEvent.Kind.choices)
    title = forms.CharField(label=_("标题"), max_length=120)
    devices = DeviceCodes(label=_("影响范围（设备编码）"), help_text=_("逗号分隔，如线路或变电站编码"))
    script = forms.CharField(label=_("应答口径"), widget=forms.Textarea(attrs={"rows": 4}))
    starts_at = forms.DateTimeField(label=_("开始"), widget=DT)
    ends_at = forms.DateTimeField(label=_("结束"), required=False, widget=DT)
    etr_override = forms.DateTimeField(label=_("统一预计复电时间"), required=False, widget=DT)


class PlaceForm(forms.Form):
    address = forms.CharField(label=_("来电人所述地址"), max_length=200)


class RejectForm(forms.Form):
    note = forms.CharField(label=_("排除说明"), max_length=200, required=False)


class ProofForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=ProofKind.choices)
    customer = forms.CharField(
        label=_("户号"), max_length=20, required=False, help_text=_("客户确认有电时填写")
    )
    order = forms.CharField(label=_("来电工单编号"), max_length=20, required=False)
    device = forms.CharField(
        label=_("设备编码"), max_length=40, required=False, help_text=_("设备确认合闸时填写")
    )
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class StormForm(forms.Form):
    unit = forms.ModelChoiceField(
        label=_("范围（单位）"),
        queryset=Unit.objects.filter(is_active=True),
        required=False,
        empty_label=_("全局"),
        to_field_name="code",
    )
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class OutageListFilterForm(forms.Form):
    """The outage list's filters (kept in the URL; the dashboards link here with them): the responsible
    unit's subtree, the start day, the state, a late or missing notice. Any of them lists every outage,
    not only those not over."""

    unit = UnitChoiceField(
        label=_("责任单位（含下级）"),
        queryset=Unit.objects.filter(is_active=True).order_by("path"),
        required=False,
        empty_label=_("全部单位"),
        error_messages={"invalid_choice": _("请选择有效的单位。")},
    )
    date_from = BusinessDayField(label=_("开始日期从"), required=False)
    date_to = BusinessDayField(label=_("开始日期至"), required=False)
    state = forms.ChoiceField(
        label=_("状态"),
        choices=[("", _("全部状态")), *OutageState.choices],
        required=False,
        error_messages={"invalid_choice": _("状态无效。")},
    )
    notice = forms.ChoiceField(
        label=_("通知"),
        choices=[("", _("全部")), ("late", _("通知滞后或缺失"))],
        required=False,
        error_messages={"invalid_choice": _("通知筛选无效。")},
    )

    def selection(self) -> dict[str, Any]:
        """The cleaned filters as ``selectors.outages_selected`` takes them (invalid ones left out)."""
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return {
            "unit": data.get("unit"),
            "first": data.get("date_from"),
            "last": data.get("date_to"),
            "state": data.get("state") or "",
            "notice_late": data.get("notice") == "late",
        }

    def filtering(self) -> bool:
        selection = self.selection()
        return any(v for v in selection.values())
