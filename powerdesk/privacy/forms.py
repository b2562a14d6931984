"""The data-subject page's forms: who the request is about, and each action's own fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from powerdesk.core import phones
from powerdesk.customers.models import Customer


class SubjectForm(forms.Form):
    """A person named by phone number or by account number (exactly one)."""

    phone = forms.CharField(label=_("电话号码"), max_length=40, required=False)
    account_no = forms.CharField(label=_("户号"), max_length=20, required=False)

    def clean_phone(self) -> str:
        try:
            return phones.normalise(self.cleaned_data.get("phone", ""))
        except phones.InvalidPhone:
            raise forms.ValidationError(_("请输入正确的电话号码。")) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        phone, account = data.get("phone", ""), (data.get("account_no") or "").strip()
        if "phone" in self.errors:
            return data
        if bool(phone) == bool(account):
            raise forms.ValidationError(_("请填写电话号码或户号之一。"))
        if account and not Customer.objects.filter(account_no=account).exists():
            self.add_error("account_no", _("找不到该户号。"))
        data["account_no"] = account
        return data


class ReasonForm(SubjectForm):
    reason = forms.CharField(label=_("申请依据或原因"), max_length=500)


class ExportForm(ReasonForm):
    format = forms.ChoiceField(label=_("格式"), choices=[("json", "JSON"), ("xlsx", "Excel")], initial="json")


class CorrectForm(forms.Form):
    account_no = forms.CharField(label=_("户号"), max_length=20)
    field = forms.ChoiceField(
        label=_("更正字段"),
        choices=[("name", _("户名")), ("address", _("用电地址")), ("id_number", _("证件号码"))],
    )
    value = forms.CharField(label=_("更正后的值"), max_length=200, required=False)
    reason = forms.CharField(label=_("申请依据或原因"), max_length=500)

    def clean_account_no(self) -> Customer:
        account = self.cleaned_data["account_no"].strip()
        customer = Customer.objects.filter(account_no=account).first()
        if customer is None:
            raise forms.ValidationError(_("找不到该户号。"))
        return customer


class HoldForm(ReasonForm):
    until = forms.DateField(label=_("保留至"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class ReleaseForm(forms.Form):
    reason = forms.CharField(label=_("解除原因"), max_length=500)
