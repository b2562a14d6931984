from django.contrib import admin

from powerdesk.privacy.models import RetentionHold, RetentionPeriod


@admin.register(RetentionPeriod)
class RetentionPeriodAdmin(admin.ModelAdmin):
    list_display = ("kind", "months", "is_active", "source_grade", "source")
    list_editable = ("months", "is_active")
    list_filter = ("source_grade", "is_active")


@admin.register(RetentionHold)
class RetentionHoldAdmin(admin.ModelAdmin):
    """Holds are placed and released on the console's data-subject page (each audited there); the admin
    shows them."""

    list_display = ("customer", "phone", "reason", "placed_by", "placed_at", "until", "released_at")
    list_filter = ("released_at",)
    search_fields = ("phone", "customer__account_no", "reason")
    readonly_fields = [f.name for f in RetentionHold._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
