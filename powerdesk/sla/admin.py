from django.contrib import admin

from powerdesk.sla.models import Clock, EscalationStep, SlaPolicy, SuspendReason


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "clock_kind",
        "business_type",
        "sub_type",
        "channel",
        "region_class",
        "customer_type",
        "amount",
        "unit",
        "source_grade",
        "valid_from",
        "is_active",
    ]
    list_filter = ["clock_kind", "business_type", "source_grade", "is_active"]
    search_fields = ["name", "source_note"]


@admin.register(EscalationStep)
class EscalationStepAdmin(admin.ModelAdmin):
    list_display = ["level", "at_ratio", "action", "raise_priority", "template_code"]


@admin.register(SuspendReason)
class SuspendReasonAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "pauses_clocks", "is_active"]


@admin.register(Clock)
class ClockAdmin(admin.ModelAdmin):
    list_display = ["order", "kind", "state", "started_at", "due_at", "met_at", "breached_at", "level"]
    list_filter = ["kind", "state"]
    raw_id_fields = ["order", "policy"]
    show_full_result_count = False

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
