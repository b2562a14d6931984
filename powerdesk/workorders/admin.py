"""Admin for the reference data of work orders. Orders themselves change only through the services."""

from typing import Any

from django import forms
from django.contrib import admin

from powerdesk.workorders.models import (
    AttachmentRule,
    PriorityRule,
    RepeatCallAction,
    RepeatCallRule,
    RoutingRule,
    SubType,
    Topic,
    WorkQueue,
)
from powerdesk.workorders.queues import params_errors


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "sort_order", "is_active"]
    list_editable = ["sort_order", "is_active"]


@admin.register(SubType)
class SubTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "business_type", "parent", "name", "sort_order", "is_active"]
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


class WorkQueueForm(forms.ModelForm):
    class Meta:
        model = WorkQueue
        fields = ["role", "code", "name", "name_en", "params", "sort_order", "is_active"]

    def clean_params(self) -> str:
        """The saved filter must be what the order list's FilterSet accepts (names and values)."""
        params = self.cleaned_data["params"].strip().lstrip("?")
        errors = params_errors(params)
        if errors:
            raise forms.ValidationError(errors)
        return params


@admin.register(WorkQueue)
class WorkQueueAdmin(admin.ModelAdmin):
    form = WorkQueueForm
    list_display = ["name", "name_en", "role", "params", "sort_order", "is_active"]
    list_filter = ["role", "is_active"]
    list_editable = ["sort_order", "is_active"]


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "sort_order",
        "business_type",
        "customer_type",
        "flag",
        "target",
        "target_unit_code",
        "auto_dispatch",
        "is_active",
    ]
    list_filter = ["is_active", "auto_dispatch", "business_type", "target"]

    def get_queryset(self, request: Any):
        return super().get_queryset(request).select_related("sub_type", "topic")
