from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from powerdesk.notify.models import (
    CustomerMessageRule,
    CustomerOptOut,
    Notification,
    NotificationCategory,
    NotificationTemplate,
    QuietHours,
    SendRetryPolicy,
)


@admin.register(NotificationTemplate)
class NotificationTemplateAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "channel", "category", "subject", "is_active", "updated_at"]
    list_filter = ["channel", "category", "is_active"]
    search_fields = ["code", "name", "subject", "body"]
    readonly_fields = ["updated_at"]
    fieldsets = [
        (None, {"fields": ["code", "name", "channel", "category", "is_active"]}),
        (
            _("内容"),
            {
                "fields": ["subject", "body"],
                "description": _(
                    "可用变量由调用方提供，如 {{ order_number }}、{{ clock }}、{{ due_at }}、"
                    "{{ unit }}、{{ recipient }}、{{ business_type }}；告知客户的模板另有 "
                    "{{ assignee }}、{{ manager_name }}、{{ manager_phone }}、{{ account_no }} "
                    "及其他应用提供的变量（如 {{ survey_url }}）"
                ),
            },
        ),
        (None, {"fields": ["updated_at"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        # Callers (escalation steps, intake) name a template by its code: renaming one would break them.
        return ["code", *self.readonly_fields] if obj is not None else self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        # Sent notifications keep a reference to their template; switch a template off instead.
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "created_at",
        "channel",
        "recipient_address",
        "template",
        "order",
        "state",
        "suppressed_reason",
        "send_after",
        "attempts",
        "permanent_error",
        "sent_at",
        "delivery_state",
        "delivery_at",
        "delivery_code",
    ]
    list_filter = ["state", "delivery_state", "channel", "suppressed_reason", "permanent_error", "template"]
    search_fields = ["recipient_address", "order__number", "dedupe_key", "provider_message_id"]
    list_select_related = ["template", "order"]
    date_hierarchy = "created_at"
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(NotificationCategory)
class NotificationCategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "exempt"]
    list_editable = ["exempt"]

    def get_readonly_fields(self, request, obj=None):
        # Templates point at a category by its code.
        return ["code"] if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(QuietHours)
class QuietHoursAdmin(admin.ModelAdmin):
    list_display = ["name", "start", "end", "is_active"]
    list_editable = ["is_active"]


@admin.register(CustomerMessageRule)
class CustomerMessageRuleAdmin(admin.ModelAdmin):
    list_display = ["business_type", "sub_type", "step", "template", "channel", "audience", "is_active"]
    list_filter = ["business_type", "step", "audience", "is_active"]
    list_select_related = ["sub_type", "template"]
    autocomplete_fields = ["template"]


@admin.register(CustomerOptOut)
class CustomerOptOutAdmin(admin.ModelAdmin):
    list_display = ["customer", "channel", "note", "created_at"]
    list_filter = ["channel"]
    search_fields = ["customer__account_no"]
    raw_id_fields = ["customer"]
    readonly_fields = ["created_at"]


@admin.register(SendRetryPolicy)
class SendRetryPolicyAdmin(admin.ModelAdmin):
    list_display = ["name", "max_attempts", "first_wait_seconds", "factor", "max_wait_seconds"]
