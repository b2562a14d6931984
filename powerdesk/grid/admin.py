from django.contrib import admin

from powerdesk.grid.models import Device, DeviceParentHistory


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "parent", "ownership", "area"]
    list_filter = ["kind", "ownership"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent", "area"]
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
        # Moving a device rewrites its subtree's paths and keeps history: services.device_reparent, not
        # a plain save.
        return ["parent", "path"] if obj is not None else ["path"]


@admin.register(DeviceParentHistory)
class DeviceParentHistoryAdmin(admin.ModelAdmin):
    list_display = ["device", "old_parent", "new_parent", "at", "by", "reason"]
    raw_id_fields = ["device", "old_parent", "new_parent", "by"]

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
