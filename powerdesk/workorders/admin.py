"""Admin for the reference data of work orders. Orders themselves change only through the services."""

from django.contrib import admin

from powerdesk.workorders.models import (
    AttachmentRule,
    PriorityRule,
    RepeatCallAction,
    RepeatCallRule,
    SubType,
    Topic,
)


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "sort_order", "is_active"]
    list_editable = ["sort_order", "is_active"]


@admin.register(SubType)
class SubTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "business_type", "name", "sort_order", "is_active"]
    list_filter = ["business_type", "is_active"]


class RepeatCallActionInline(admin.TabularInline):
    """What a repeat contact becomes, per business type and state of the earlier order."""

    model = RepeatCallAction
    extra = 0


@admin.register(RepeatCallRule)
class RepeatCallRuleAdmin(admin.ModelAdmin):
    list_display = ["__str__", "window_days", "escalate_at", "is_active", "source_grade"]
    inlines = [RepeatCallActionInline]


@admin.register(AttachmentRule)
class AttachmentRuleAdmin(admin.ModelAdmin):
    list_display = ["kind", "max_size_mb", "extensions"]


@admin.register(PriorityRule)
class PriorityRuleAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "business_type",
        "customer_type",
        "flag",
        "priority",
        "is_active",
        "source_grade",
    ]
    list_filter = ["is_active", "priority"]
