from django import forms
from django.contrib import admin
from django.utils.translation import gettext as _

from powerdesk.knowledge import rules
from powerdesk.knowledge.models import (
    CaseRight,
    CaseRule,
    CaseStep,
    CaseVersion,
    LearningAssignment,
    LearningRecipient,
    ScriptStep,
    ScriptVersion,
)


@admin.register(CaseRight)
class CaseRightAdmin(admin.ModelAdmin):
    list_display = ["role", "may_author", "may_review", "may_assign"]


class CaseRuleInline(admin.TabularInline):
    model = CaseRule
    extra = 0


class CaseStepInline(admin.TabularInline):
    model = CaseStep
    extra = 0
    can_delete = False
    readonly_fields = ["from_state", "to_state", "by", "at", "note"]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # steps are written by the services only


@admin.register(CaseVersion)
class CaseVersionAdmin(admin.ModelAdmin):
    """Read-mostly: the life cycle goes through the console (services), so the admin does not publish."""

    list_display = ["title", "case", "number", "state", "area", "sub_type", "published_at"]
    list_filter = ["state", "area"]
    search_fields = ["title"]
    readonly_fields = ["case", "number", "state", "author", "created_at", "updated_at", "published_at"]
    inlines = [CaseRuleInline, CaseStepInline]


class ScriptStepInline(admin.TabularInline):
    model = ScriptStep
    extra = 0
    can_delete = False
    readonly_fields = ["from_state", "to_state", "by", "at", "note"]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # steps are written by the services only


class ScriptVersionAdminForm(forms.ModelForm):
    class Meta:
        model = ScriptVersion
        fields = ["title", "kind", "business_type", "topic", "sub_type", "body", "position"]

    def clean_body(self) -> str:
        body: str = self.cleaned_data["body"]
        unknown = rules.unknown_placeholders(body)
        if unknown:
            raise forms.ValidationError(
                _("话术中有未知的占位符：%(names)s。") % {"names": "、".join("{" + n + "}" for n in unknown)}
            )
        return body


@admin.register(ScriptVersion)
class ScriptVersionAdmin(admin.ModelAdmin):
    """Read-mostly, like the cases: the life cycle goes through the console (services)."""

    form = ScriptVersionAdminForm

    list_display = [
        "title",
        "script",
        "number",
        "state",
        "kind",
        "topic",
        "sub_type",
        "position",
        "published_at",
    ]
    list_filter = ["state", "kind", "topic"]
    search_fields = ["title", "body"]
    readonly_fields = ["script", "number", "state", "author", "created_at", "updated_at", "published_at"]
    inlines = [ScriptStepInline]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False  # a script starts as a draft in the console (/scripts/new/) and goes through review


class LearningRecipientInline(admin.TabularInline):
    model = LearningRecipient
    extra = 0
    can_delete = False
    readonly_fields = ["user", "unit", "confirmed_at"]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # people are resolved by the service when the assignment is made


@admin.register(LearningAssignment)
class LearningAssignmentAdmin(admin.ModelAdmin):
    """To look up: assignments are made on the console (their people, messages and audit entry come
    with them); the admin may change the due date or the reason."""

    list_display = ["version", "unit", "role", "due_date", "created_by", "created_at"]
    list_filter = ["due_date"]
    readonly_fields = [
        "version", "unit", "include_subunits", "role", "order", "rectification", "created_by", "created_at",
    ]  # fmt: skip
    inlines = [LearningRecipientInline]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
