from django import forms
from django.contrib import admin

from powerdesk.core import phones
from powerdesk.customers.models import Customer, CustomerPhone


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


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["account_no", "name", "customer_type", "area", "is_sensitive", "is_life_support"]
    list_filter = ["customer_type", "is_sensitive", "is_life_support"]
    search_fields = ["account_no", "name", "phones__number"]
    raw_id_fields = ["area"]
    inlines = [PhoneInline]
    show_full_result_count = False
