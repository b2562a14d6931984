from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from powerdesk.core import clock, phones
from powerdesk.customers.models import Customer, CustomerPhone, CustomerSupply


class PhoneForm(forms.ModelForm):
    """A phone is stored in the form intake and search use (core.phones), or refused."""

    class Meta:
        model = CustomerPhone
        fields = ["number", "label"]

    def clean_number(self) -> str:
        try:
            return phones.normalise(self.cleaned_data["number"])
        except phones.InvalidPhone as invalid:
            raise forms.ValidationError(str(invalid), code="invalid_phone") from None


class PhoneInline(admin.TabularInline):
    model = CustomerPhone
    form = PhoneForm
    extra = 1


class SupplyInline(admin.TabularInline):
    """The meter points feeding the customer (two for a dual supply)."""

    model = CustomerSupply
    raw_id_fields = ["meter_point"]
    extra = 0


class CustomerForm(forms.ModelForm):
    """A sensitive customer carries the reason (the agent's warning says it) and the day of the flag."""

    class Meta:
        model = Customer
        fields = [
            "account_no",
            "name",
            "customer_type",
            "area",
            "address",
            "meter_no",
            "id_number",
            "is_sensitive",
            "sensitive_reason",
            "sensitive_since",
            "is_life_support",
            "multi_resident",
            "shared_meter",
            "preferred_channel",
            "notes",
        ]

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("is_sensitive"):
            if not (data.get("sensitive_reason") or "").strip():
                self.add_error("sensitive_reason", _("标记为敏感客户时须填写原因。"))
            if data.get("sensitive_since") is None:
                data["sensitive_since"] = clock.local_date()
        return data


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    form = CustomerForm
    list_display = [
        "account_no",
        "name",
        "customer_type",
        "area",
        "is_sensitive",
        "sensitive_since",
        "is_life_support",
    ]
    list_filter = ["customer_type", "is_sensitive", "is_life_support"]
    search_fields = ["account_no", "name", "phones__number"]
    raw_id_fields = ["area"]
    inlines = [PhoneInline, SupplyInline]
    show_full_result_count = False
