from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from powerdesk.org.models import ApiToken, FieldPolicy, Role, ServiceHall, Unit, UnitHead, User
from powerdesk.org.second_factor import totp_device_reset
from powerdesk.org.tokens import MAX_DAYS, api_token_create, api_token_revoke


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


class FieldPolicyInline(admin.TabularInline):
    """The role's masking policy, field by field (org.masking)."""

    model = FieldPolicy
    extra = 0
    fields = ["field", "disclosure", "may_reveal"]


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "scope",
        "sees_personal_data",
        "can_create_orders",
        "can_read_audit",
        "requires_second_factor",
        "is_field_staff",
    ]
    inlines = [FieldPolicyInline]


@admin.register(FieldPolicy)
class FieldPolicyAdmin(admin.ModelAdmin):
    list_display = ["role", "field", "disclosure", "may_reveal"]
    list_filter = ["role", "field", "disclosure", "may_reveal"]
    list_editable = ["disclosure", "may_reveal"]


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
    actions = ["reset_second_factor"]

    @admin.action(description=_("重置双因素认证（手机丢失或更换）"), permissions=["change"])
    def reset_second_factor(self, request: HttpRequest, queryset: Any) -> HttpResponse | None:
        reset = sum(
            totp_device_reset(user=user, actor=request.user, request=request)  # type: ignore[arg-type]
            for user in queryset
        )
        self.message_user(
            request,
            gettext("已重置 %(count)s 名员工的双因素认证，他们下次登录时重新绑定。") % {"count": reset},
            messages.SUCCESS,
        )
        return None


# django-otp's own device admin shows each device's secret (and its QR code): whoever reads it can make
# that user's codes. Devices are enrolled by their user and reset with the action above instead.
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


class ApiTokenAddForm(forms.ModelForm):
    days = forms.IntegerField(
        label=_("有效天数"),
        min_value=1,
        max_value=MAX_DAYS,
        required=False,
        help_text=_("留空则使用默认有效期。"),
    )

    class Meta:
        model = ApiToken
        fields = ["user", "name"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are made here (the secret is shown once, in the message after saving) and revoked with the
    action; nothing else about a token can be changed."""

    list_display = ["name", "user", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix", "user__username"]
    raw_id_fields = ["user"]
    actions = ["revoke"]
    readonly_fields = ["user", "name", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at"]

    def get_form(self, request: Any, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = ApiTokenAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request: Any, obj: Any = None) -> Any:
        return self.readonly_fields if obj is not None else []

    def get_fields(self, request: Any, obj: Any = None) -> Any:
        return ["user", "name", "days"] if obj is None else self.readonly_fields

    def save_model(self, request: Any, obj: ApiToken, form: Any, change: bool) -> None:
        if change:
            return  # nothing of a token is edited
        token, secret = api_token_create(
            user=form.cleaned_data["user"],
            name=form.cleaned_data["name"],
            days=form.cleaned_data.get("days"),
            actor=request.user,
            request=request,
        )
        obj.pk, obj.name, obj.prefix = token.pk, token.name, token.prefix
        self.message_user(
            request,
            gettext("令牌已创建，只显示这一次，请立即复制保存：%(secret)s") % {"secret": secret},
            messages.WARNING,
        )

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # revoke instead: a revoked token stays listed with its time

    @admin.action(description=_("吊销所选令牌"), permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: Any) -> HttpResponse | None:
        revoked = sum(
            api_token_revoke(token=token, actor=request.user, request=request)  # type: ignore[arg-type]
            for token in queryset.select_related("user")
        )
        self.message_user(
            request, gettext("已吊销 %(count)s 个令牌。") % {"count": revoked}, messages.SUCCESS
        )
        return None


@admin.register(UnitHead)
class UnitHeadAdmin(admin.ModelAdmin):
    list_display = ["unit", "user"]
    raw_id_fields = ["unit", "user"]
