from django.contrib import admin

from .models import CustomerCount, HotSpotGroup, HotSpotRule, MaliciousFlag


@admin.register(HotSpotGroup)
class HotSpotGroupAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "is_active"]
    filter_horizontal = ["sub_types"]


@admin.register(HotSpotRule)
class HotSpotRuleAdmin(admin.ModelAdmin):
    list_display = ["__str__", "min_count", "baseline_days", "alpha"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        # One row: the hot spots read the first.
        return not HotSpotRule.objects.exists()


@admin.register(CustomerCount)
class CustomerCountAdmin(admin.ModelAdmin):
    list_display = ["month", "area_id", "customers"]
    list_filter = ["month"]


@admin.register(MaliciousFlag)
class MaliciousFlagAdmin(admin.ModelAdmin):
    list_display = ["order", "reason", "set_by", "set_at"]
    raw_id_fields = ["order"]
    readonly_fields = ["order", "reason", "set_by", "set_at"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        # Set and cleared on the order page, where each change writes its timeline event.
        return False
