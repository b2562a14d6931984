from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from powerdesk.core.errors import ValidationFailed
from powerdesk.triage.models import LexiconTerm, ModelVersion, TrainingRun, TriageRecord
from powerdesk.triage.services import model_version_activate


@admin.register(LexiconTerm)
class LexiconTermAdmin(admin.ModelAdmin):
    list_display = ["term", "kind", "weight", "is_active", "note"]
    list_editable = ["weight", "is_active"]
    list_filter = ["kind", "is_active", "weight"]
    search_fields = ["term", "note"]


@admin.action(description=_("启用所选模型版本（得分不得低于当前版本）"))
def activate(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[ModelVersion]) -> None:
    if queryset.count() != 1:
        modeladmin.message_user(request, _("请只选择一个版本。"), level=messages.ERROR)
        return
    try:
        model_version_activate(version=queryset.get(), actor=request.user)  # type: ignore[arg-type]
    except ValidationFailed as refusal:
        modeladmin.message_user(request, str(refusal), level=messages.ERROR)
    else:
        modeladmin.message_user(request, _("已启用该模型版本。"))


@admin.register(ModelVersion)
class ModelVersionAdmin(admin.ModelAdmin):
    list_display = ["id", "created_at", "samples", "eval_source", "score", "is_active", "activated_at"]
    exclude = ["artefact"]
    readonly_fields = [
        "created_at",
        "data_hash",
        "samples",
        "seed",
        "metrics",
        "eval_source",
        "score",
        "is_active",
        "activated_at",
        "activated_by",
    ]
    actions = [activate]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[ModelVersion]:
        return super().get_queryset(request).defer("artefact")


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(TrainingRun)
class TrainingRunAdmin(_ReadOnly):
    list_display = ["requested_at", "state", "stage", "progress", "version", "finished_at"]


@admin.register(TriageRecord)
class TriageRecordAdmin(_ReadOnly):
    list_display = ["at", "user", "model_version", "order", "accepted"]
    list_filter = ["accepted"]
    raw_id_fields = ["order", "contact", "user"]
    show_full_result_count = False
