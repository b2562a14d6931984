from django.contrib import admin

from .models import (
    AccountBinding,
    HallProofRole,
    OwnershipProof,
    PortalAccount,
    PortalApplication,
    PortalApplicationKind,
    PortalConsent,
    PortalSettings,
    ProofRule,
    ReportKind,
)


@admin.register(PortalSettings)
class PortalSettingsAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "code_valid_seconds",
        "code_attempts",
        "codes_per_phone_hour",
        "codes_per_address_hour",
        "privacy_version",
        "is_active",
    ]


@admin.register(ProofRule)
class ProofRuleAdmin(admin.ModelAdmin):
    list_display = ["kind", "name", "method", "is_active", "source_grade"]


@admin.register(HallProofRole)
class HallProofRoleAdmin(admin.ModelAdmin):
    list_display = ["role"]


@admin.register(ReportKind)
class ReportKindAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "business_type", "topic", "sub_type", "sort_order", "is_active"]


class BindingInline(admin.TabularInline):
    model = AccountBinding
    extra = 0
    raw_id_fields = ["customer"]


class ConsentInline(admin.TabularInline):
    model = PortalConsent
    extra = 0
    readonly_fields = ["version", "at", "address"]


@admin.register(PortalAccount)
class PortalAccountAdmin(admin.ModelAdmin):
    list_display = ["phone", "created_at", "last_sign_in_at", "is_active"]
    search_fields = ["phone"]
    inlines = [BindingInline, ConsentInline]


@admin.register(OwnershipProof)
class OwnershipProofAdmin(admin.ModelAdmin):
    list_display = ["customer", "rule", "method", "state", "created_at", "verified_at", "verified_by"]
    list_filter = ["state", "method"]
    raw_id_fields = ["account", "customer", "code"]


@admin.register(PortalApplicationKind)
class PortalApplicationKindAdmin(admin.ModelAdmin):
    list_display = ["kind", "proof_rule", "sort_order", "is_active"]
    list_editable = ["sort_order", "is_active"]


@admin.register(PortalApplication)
class PortalApplicationAdmin(admin.ModelAdmin):
    list_display = ["application", "account", "created_at"]
    raw_id_fields = ["account", "application"]
    readonly_fields = ["submission", "created_at"]
