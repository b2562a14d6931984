from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from powerdesk.org.models import Role, ServiceHall, Unit, User


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "parent", "region_class", "manager_name", "is_active"]
    list_filter = ["kind", "region_class", "is_active"]
    search_fields = ["code", "name", "manager_name"]
    raw_id_fields = ["parent"]


@admin.register(ServiceHall)
class ServiceHallAdmin(admin.ModelAdmin):
    list_display = ["name", "unit", "opening_hours", "has_self_service"]
    search_fields = ["name", "address"]


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "scope", "sees_personal_data", "can_create_orders"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "unit", "role", "is_outsourced", "is_active"]
    list_filter = ["role", "is_outsourced", "is_active"]
    search_fields = ["username", "full_name", "phone"]
    raw_id_fields = ["unit"]
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (_("岗位"), {"fields": ("full_name", "unit", "role", "phone", "is_outsourced")}),
    )
