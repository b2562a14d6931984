from django.contrib import admin

from powerdesk.customers.models import Customer, CustomerPhone


class PhoneInline(admin.TabularInline):
    model = CustomerPhone
    extra = 1


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["account_no", "name", "customer_type", "area", "is_sensitive", "is_life_support"]
    list_filter = ["customer_type", "is_sensitive", "is_life_support"]
    search_fields = ["account_no", "name", "phones__number"]
    raw_id_fields = ["area"]
    inlines = [PhoneInline]
    show_full_result_count = False
