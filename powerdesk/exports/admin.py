from django.contrib import admin

from powerdesk.exports.models import ExportJob, ExportSettings


@admin.register(ExportSettings)
class ExportSettingsAdmin(admin.ModelAdmin):
    list_display = ("__str__", "background_rows", "keep_hours", "max_rows")


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    list_display = ("pk", "user", "exporter", "state", "rows_done", "rows_total", "created_at", "expires_at")
    list_filter = ("state", "exporter")
    readonly_fields = [f.name for f in ExportJob._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False
