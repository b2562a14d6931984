from django.contrib import admin

from powerdesk.outages.models import EtrDefault, KnownEvent, NoticeRule, Outage


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
