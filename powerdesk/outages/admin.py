from django.contrib import admin

from powerdesk.outages.models import (
    EnergisedProof,
    EtrDefault,
    KnownEvent,
    NoticeRule,
    Outage,
    PredictionRule,
    StormMode,
)


@admin.register(NoticeRule)
class NoticeRuleAdmin(admin.ModelAdmin):
    list_display = ["kind", "audience", "lead_minutes", "repeat_minutes", "template_code", "is_active"]
    list_filter = ["kind", "is_active"]


@admin.register(EtrDefault)
class EtrDefaultAdmin(admin.ModelAdmin):
    list_display = ["device_kind", "minutes", "history_min_samples"]


@admin.register(KnownEvent)
class KnownEventAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "starts_at", "ends_at"]
    raw_id_fields = ["devices", "created_by"]


@admin.register(Outage)
class OutageAdmin(admin.ModelAdmin):
    list_display = ["number", "kind", "state", "title", "customer_count", "notice_flagged", "created_at"]
    list_filter = ["kind", "state", "notice_flagged"]
    readonly_fields = [f.name for f in Outage._meta.fields]


@admin.register(PredictionRule)
class PredictionRuleAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "min_calls",
        "min_percent",
        "percent_min_calls",
        "window_minutes",
        "rollup_children",
        "probable_after_minutes",
        "proof_valid_minutes",
        "is_active",
    ]
    list_filter = ["storm", "is_active"]
    raw_id_fields = ["unit"]


@admin.register(StormMode)
class StormModeAdmin(admin.ModelAdmin):
    list_display = ["__str__", "unit", "started_at", "ended_at", "note"]
    raw_id_fields = ["unit", "started_by", "ended_by"]


@admin.register(EnergisedProof)
class EnergisedProofAdmin(admin.ModelAdmin):
    list_display = ["kind", "customer", "device", "order", "at", "by"]
    list_filter = ["kind"]
    readonly_fields = [f.name for f in EnergisedProof._meta.fields]
