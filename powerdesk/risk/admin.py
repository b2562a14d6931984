from django.contrib import admin

from powerdesk.risk.models import CustomerRisk, OrderRisk, RiskFactor, RiskPolicy


@admin.register(RiskFactor)
class RiskFactorAdmin(admin.ModelAdmin):
    list_display = ["code", "weight", "cap", "is_active", "note"]
    list_editable = ["weight", "cap", "is_active"]


@admin.register(RiskPolicy)
class RiskPolicyAdmin(admin.ModelAdmin):
    list_display = ["name", "threshold", "complaint_days", "evidence_kinds", "is_active"]


class _ReadOnly(admin.ModelAdmin):
    """Computed by the services: read here, never edited."""

    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(OrderRisk)
class OrderRiskAdmin(_ReadOnly):
    list_display = ["order", "score", "computed_at", "alerted_at"]
    raw_id_fields = ["order"]
    show_full_result_count = False


@admin.register(CustomerRisk)
class CustomerRiskAdmin(_ReadOnly):
    list_display = ["customer", "score", "computed_at"]
    raw_id_fields = ["customer"]
    show_full_result_count = False
