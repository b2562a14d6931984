"""Console: the intake form's suggestion as the agent types (htmx, its own request), and the model page
(versions, training runs, activation) for administrators."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from powerdesk.core.decorators import domain_errors
from powerdesk.core.errors import ValidationFailed
from powerdesk.org.requests import ConsoleRequest
from powerdesk.org.selectors import user_can_create_orders
from powerdesk.triage import selectors, services, suggest
from powerdesk.triage.forms import clean_text
from powerdesk.triage.models import ModelVersion


@login_required
@require_POST
def suggestion(request: ConsoleRequest) -> HttpResponse:
    """htmx: the suggestion for the description typed so far (posted with the form's CSRF token)."""
    if not user_can_create_orders(request.user):
        raise PermissionDenied(_("您的角色不能受理工单。"))
    context: dict[str, object] = {}
    try:
        text = clean_text(request.POST.get("description", ""))
    except ValidationFailed as refusal:
        context["problem"] = "" if not request.POST.get("description", "").strip() else str(refusal)
    else:
        answer = suggest.suggestion_for(text)
        if answer["classified"] or answer["lexicon"]:
            record = services.suggestion_record(user=request.user, text=text, suggestion=answer)
            context.update(suggestion=answer, record=record)
        else:
            context["problem"] = _("未能从这段文字中识别出诉求。")
    return render(request, "triage/_suggestion.html", context)


def _admin_only(request: ConsoleRequest) -> None:
    user = request.user
    role = getattr(user, "role", None)
    if not (user.is_superuser or (role is not None and role.code == "admin")):
        raise PermissionDenied(_("只有系统管理员可以管理分诊模型。"))


@login_required
def models_page(request: ConsoleRequest) -> HttpResponse:
    _admin_only(request)
    return render(
        request,
        "triage/models.html",
        {"versions": selectors.model_versions()[:20], "runs": selectors.training_runs()},
    )


@login_required
@require_POST
def train(request: ConsoleRequest) -> HttpResponse:
    _admin_only(request)
    services.training_request(actor=request.user)
    messages.success(request, _("已提交训练任务，请稍后刷新查看进度。"))
    return redirect("triage:models")


@login_required
@require_POST
@domain_errors
def activate(request: ConsoleRequest, pk: int) -> HttpResponse:
    _admin_only(request)
    version = get_object_or_404(ModelVersion, pk=pk)
    try:
        services.model_version_activate(version=version, actor=request.user)
    except ValidationFailed as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("已启用该模型版本。"))
    return redirect("triage:models")
