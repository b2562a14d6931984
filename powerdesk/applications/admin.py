from django.contrib import admin

from powerdesk.applications.models import ApplicationKind, DocumentType, ReturnReason, StepTemplate


@admin.register(ReturnReason)
class ReturnReasonAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "customer_text", "sort_order", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "name", "customer_text")


@admin.register(DocumentType)
class DocumentTypeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "is_active")
    search_fields = ("code", "name")


class StepTemplateInline(admin.TabularInline):
    model = StepTemplate
    extra = 0
    fields = (
        "seq",
        "code",
        "name",
        "side",
        "role",
        "unit_level",
        "limit_days",
        "optional",
        "source_grade",
        "documents",
    )
    filter_horizontal = ("documents",)


@admin.register(ApplicationKind)
class ApplicationKindAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "name",
        "sub_type",
        "customer_scope",
        "process_limit_days",
        "source_grade",
        "is_active",
    )
    list_filter = ("is_active", "source_grade")
    inlines = [StepTemplateInline]
