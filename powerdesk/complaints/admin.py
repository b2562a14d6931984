"""Admin screens of the complaint rules: severity levels, judgment checklists with their criteria, the
repeat-complaint rule; records, judgments and rectifications to look up."""

from __future__ import annotations

from django.contrib import admin

from powerdesk.complaints.models import (
    Checklist,
    ComplaintRecord,
    Criterion,
    Judgment,
    PraiseCredit,
    Rectification,
    RepeatComplaintRule,
    Severity,
)


@admin.register(Severity)
class SeverityAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "rank", "notifies_leadership", "source_grade", "valid_from", "is_active"]


class CriterionInline(admin.StackedInline):
    model = Criterion
    extra = 0


@admin.register(Checklist)
class ChecklistAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "sub_type",
        "topic",
        "single_event_suffices",
        "source_grade",
        "valid_from",
    ]
    list_filter = ["is_active", "source_grade"]
    inlines = [CriterionInline]


@admin.register(RepeatComplaintRule)
class RepeatComplaintRuleAdmin(admin.ModelAdmin):
    list_display = [
        "window_days",
        "same_related_order",
        "same_sub_type_and_topic",
        "source_grade",
        "is_active",
    ]


@admin.register(ComplaintRecord)
class ComplaintRecordAdmin(admin.ModelAdmin):
    list_display = ["order", "severity", "verdict", "repeat_of", "event_at"]
    raw_id_fields = ["order", "related_orders", "repeat_of", "staff", "team", "hall", "original_sub_type"]


@admin.register(PraiseCredit)
class PraiseCreditAdmin(admin.ModelAdmin):
    list_display = ["order", "staff", "unit"]
    raw_id_fields = ["order", "staff", "unit"]


@admin.register(Judgment)
class JudgmentAdmin(admin.ModelAdmin):
    list_display = ["record", "verdict", "actor", "at"]
    raw_id_fields = ["record", "responsible_unit", "responsible_staff", "actor"]


@admin.register(Rectification)
class RectificationAdmin(admin.ModelAdmin):
    list_display = ["order", "unit", "owner", "due_date", "state"]
    list_filter = ["state"]
    raw_id_fields = ["order", "judgment", "unit", "owner", "closed_by"]
