from django.contrib import admin

from .models import (
    CallbackRule,
    CallbackScript,
    FeedbackPolicy,
    FollowUpTask,
    OpinionEntry,
    QuestionSet,
    SurveyCampaign,
    SurveyInvitation,
    SurveyOptOut,
    SurveyResponse,
    TimeBand,
)


@admin.register(FeedbackPolicy)
class FeedbackPolicyAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "unreached_attempts",
        "low_score",
        "survey_valid_hours",
        "campaign_gap_days",
        "is_active",
    ]


@admin.register(CallbackRule)
class CallbackRuleAdmin(admin.ModelAdmin):
    list_display = [
        "business_type",
        "needs_callback",
        "on_dissatisfied",
        "on_unresolved",
        "survey",
        "is_active",
    ]


@admin.register(TimeBand)
class TimeBandAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "starts", "ends", "sort_order"]


@admin.register(CallbackScript)
class CallbackScriptAdmin(admin.ModelAdmin):
    list_display = ["title", "business_type", "sub_type", "is_active"]
    list_filter = ["business_type", "is_active"]


@admin.register(QuestionSet)
class QuestionSetAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "ask_score", "ask_resolved", "ask_restoration", "ask_comment"]


@admin.register(FollowUpTask)
class FollowUpTaskAdmin(admin.ModelAdmin):
    list_display = ["order", "reason", "unit", "owner", "state", "due_at"]
    list_filter = ["state", "reason"]
    raw_id_fields = ["order", "owner", "closed_by"]


@admin.register(SurveyOptOut)
class SurveyOptOutAdmin(admin.ModelAdmin):
    list_display = ["customer", "created_at", "note"]
    raw_id_fields = ["customer"]


@admin.register(SurveyCampaign)
class SurveyCampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "unit", "customer_type", "state", "targeted", "sent", "skipped"]
    readonly_fields = ["targeted", "sent", "skipped", "cursor", "state"]
    raw_id_fields = ["created_by"]


@admin.register(SurveyInvitation)
class SurveyInvitationAdmin(admin.ModelAdmin):
    list_display = ["id", "order", "campaign", "created_at", "expires_at", "used_at"]
    raw_id_fields = ["order", "customer", "campaign"]
    exclude = ["nonce"]


@admin.register(SurveyResponse)
class SurveyResponseAdmin(admin.ModelAdmin):
    list_display = ["id", "order", "campaign", "score", "resolved", "restoration_right", "created_at"]
    raw_id_fields = ["invitation", "order", "campaign"]


@admin.register(OpinionEntry)
class OpinionEntryAdmin(admin.ModelAdmin):
    list_display = ["hall", "created_at", "name"]
    list_filter = ["hall"]
