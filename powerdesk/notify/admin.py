from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from powerdesk.notify.models import Notification, NotificationTemplate


@admin.register(NotificationTemplate)
class NotificationTemplateAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "channel", "subject", "is_active", "updated_at"]
    list_filter = ["channel", "is_active"]
    search_fields = ["code", "name", "subject", "body"]
    readonly_fields = ["updated_at"]
    fieldsets = [
        (None, {"fields": ["code", "name", "channel", "is_active"]}),
        (
            _("内容"),
            {
                "fields": ["subject", "body"],
                "description": _(
                    "可用变量由调用方提供，如 {{ order_number }}、{{ clock }}、{{ due_at }}、"
                    "{{ unit }}、{{ recipient }}、{{ business_type }}"
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
        "attempts",
        "permanent_error",
        "sent_at",
    ]
    list_filter = ["state", "channel", "permanent_error", "template"]
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
