"""Console pages of the case library (thin: a form, a selector or service call, a page or redirect):
the search, a case and its versions, writing and editing a draft, the life-cycle steps, the review
queue, attachments. Refusals go through ``domain_errors``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from powerdesk.core.decorators import domain_errors
from powerdesk.core.forms import refusal_on
from powerdesk.customers.selectors import customer_get
from powerdesk.knowledge import selectors, services
from powerdesk.knowledge.filters import CaseFilterSet, ScriptFilterSet
from powerdesk.knowledge.forms import AttachmentForm, CaseForm, IntakeScriptsForm, ScriptForm, StepForm
from powerdesk.knowledge.learning_selectors import user_follows_learning, user_may_assign
from powerdesk.knowledge.models import CaseAttachment, CaseState, CaseVersion, ScriptVersion
from powerdesk.org.requests import ConsoleRequest
from powerdesk.org.selectors import user_can_create_orders

PAGE_SIZE = 20


def _case_page(request: Any, case_id: int, *args: Any, **kwargs: Any) -> str:
    return reverse("knowledge:detail", args=[case_id])


def _require_author(request: ConsoleRequest) -> None:
    if not (selectors.user_may_author(request.user) or selectors.user_may_review(request.user)):
        raise PermissionDenied(_("您的角色不能编写案例。"))


@login_required
def case_search(request: ConsoleRequest) -> HttpResponse:
    filters = CaseFilterSet(request.GET, user=request.user)
    rows = filters.qs if filters.is_valid() else CaseVersion.objects.none()
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "knowledge/search.html",
        {
            "form": filters.form,
            "page": page,
            "may_author": selectors.user_may_author(request.user) or selectors.user_may_review(request.user),
            "may_review": selectors.user_may_review(request.user),
            "follows_learning": user_follows_learning(request.user),
        },
    )


def _version_page(request: ConsoleRequest, version: CaseVersion) -> HttpResponse:
    user = request.user
    may_author = selectors.user_may_author(user) or selectors.user_may_review(user)
    may_review = selectors.user_may_review(user)
    return render(
        request,
        "knowledge/detail.html",
        {
            "version": version,
            "versions": selectors.case_versions(version) if may_author else [],
            "rules": list(version.rules.all()),
            "steps": list(version.steps.select_related("by")) if may_author else [],
            "attachments": list(CaseAttachment.objects.filter(case_id=version.case_id)),
            "citations": selectors.citations_of(version, user=user),
            "may_author": may_author,
            "may_review": may_review,
            "step_form": StepForm(),
            "attachment_form": AttachmentForm(),
            "is_published": version.state == CaseState.PUBLISHED,
            "may_assign": user_may_assign(user),
        },
    )


@login_required
@domain_errors
def case_detail(request: ConsoleRequest, case_id: int) -> HttpResponse:
    return _version_page(request, selectors.version_get(user=request.user, case_id=case_id))


@login_required
@domain_errors
def case_version(request: ConsoleRequest, case_id: int, number: int) -> HttpResponse:
    return _version_page(request, selectors.version_get(user=request.user, case_id=case_id, number=number))


@login_required
@domain_errors
def case_new(request: ConsoleRequest) -> HttpResponse:
    _require_author(request)
    form = CaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusal_on(form):
            version = services.case_create(actor=request.user, **form.content())
            messages.success(request, _("案例草稿已保存。"))
            return redirect("knowledge:version", case_id=version.case_id, number=version.number)
    return render(request, "knowledge/form.html", {"form": form, "version": None})


@login_required
@domain_errors(back=_case_page)
def case_edit(request: ConsoleRequest, case_id: int, number: int) -> HttpResponse:
    _require_author(request)
    version = selectors.version_get(user=request.user, case_id=case_id, number=number)
    if version.state != CaseState.DRAFT:
        messages.error(request, _("只能编辑草稿；已发布的案例请先生成新版本。"))
        return redirect("knowledge:version", case_id=case_id, number=number)
    form = CaseForm(request.POST or None, initial=CaseForm.initial_of(version))
    if request.method == "POST" and form.is_valid():
        with refusal_on(form):
            services.case_draft_update(version=version, actor=request.user, **form.content())
            messages.success(request, _("案例草稿已保存。"))
            return redirect("knowledge:version", case_id=case_id, number=number)
    return render(request, "knowledge/form.html", {"form": form, "version": version})


@login_required
@require_POST
@domain_errors(back=_case_page)
def case_step(request: ConsoleRequest, case_id: int, number: int) -> HttpResponse:
    version = selectors.version_get(user=request.user, case_id=case_id, number=number)
    form = StepForm(request.POST)
    if not form.is_valid():
        _require_author(request)
        messages.error(request, _("未知的操作。"))
        return redirect("knowledge:version", case_id=case_id, number=number)
    services.case_step(
        version=version, actor=request.user, step=form.cleaned_data["step"], note=form.cleaned_data["note"]
    )
    messages.success(request, _("案例状态已更新。"))
    return redirect("knowledge:version", case_id=case_id, number=number)


@login_required
@require_POST
@domain_errors(back=_case_page)
def case_revise(request: ConsoleRequest, case_id: int) -> HttpResponse:
    _require_author(request)
    version = selectors.version_get(user=request.user, case_id=case_id)
    draft = services.case_revise(version=version, actor=request.user)
    return redirect("knowledge:edit", case_id=case_id, number=draft.number)


@login_required
def review_list(request: ConsoleRequest) -> HttpResponse:
    if not selectors.user_may_review(request.user):
        raise PermissionDenied(_("您的角色不能审核案例。"))
    return render(request, "knowledge/review.html", {"rows": list(selectors.review_queue())})


@login_required
@require_POST
@domain_errors(back=_case_page)
def attachment_add(request: ConsoleRequest, case_id: int) -> HttpResponse:
    _require_author(request)
    version = selectors.version_get(user=request.user, case_id=case_id)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(str(e) for e in errors))
        return redirect("knowledge:detail", case_id=case_id)
    services.case_attachment_add(
        version=version, actor=request.user, kind=form.cleaned_data["kind"], upload=form.cleaned_data["file"]
    )
    messages.success(request, _("附件已上传。"))
    return redirect("knowledge:detail", case_id=case_id)


@login_required
@domain_errors
def attachment_download(request: ConsoleRequest, case_id: int, pk: int) -> FileResponse:
    selectors.version_get(user=request.user, case_id=case_id)  # the case must be readable
    attachment = CaseAttachment.objects.filter(case_id=case_id, pk=pk).first()
    if attachment is None:
        raise Http404(_("找不到该附件。"))
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("附件文件已不存在。")) from None
    return FileResponse(
        handle, as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type
    )


# --- scripts (话术) -------------------------------------------------------------------------------------


def _script_page(request: Any, script_id: int, *args: Any, **kwargs: Any) -> str:
    return reverse("knowledge:script_detail", args=[script_id])


@login_required
def script_list(request: ConsoleRequest) -> HttpResponse:
    filters = ScriptFilterSet(request.GET, user=request.user)
    rows = filters.qs if filters.is_valid() else ScriptVersion.objects.none()
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "knowledge/scripts.html",
        {
            "form": filters.form,
            "page": page,
            "may_author": selectors.user_may_author(request.user) or selectors.user_may_review(request.user),
            "may_review": selectors.user_may_review(request.user),
        },
    )


def _script_version_page(request: ConsoleRequest, version: ScriptVersion) -> HttpResponse:
    user = request.user
    may_author = selectors.user_may_author(user) or selectors.user_may_review(user)
    # The reader's own view of the text: placeholders filled with what is known without an order.
    context = selectors.script_context(user=user)
    return render(
        request,
        "knowledge/script_detail.html",
        {
            "version": version,
            "preview": selectors.filled([version], context)[0],
            "versions": selectors.script_versions(version) if may_author else [],
            "steps": list(version.steps.select_related("by")) if may_author else [],
            "may_author": may_author,
            "may_review": selectors.user_may_review(user),
        },
    )


@login_required
@domain_errors
def script_detail(request: ConsoleRequest, script_id: int) -> HttpResponse:
    return _script_version_page(request, selectors.script_get(user=request.user, script_id=script_id))


@login_required
@domain_errors
def script_version(request: ConsoleRequest, script_id: int, number: int) -> HttpResponse:
    version = selectors.script_get(user=request.user, script_id=script_id, number=number)
    return _script_version_page(request, version)


@login_required
@domain_errors
def script_new(request: ConsoleRequest) -> HttpResponse:
    _require_author(request)
    form = ScriptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusal_on(form):
            version = services.script_create(actor=request.user, **form.cleaned_data)
            messages.success(request, _("话术草稿已保存。"))
            return redirect("knowledge:script_version", script_id=version.script_id, number=version.number)
    return render(request, "knowledge/script_form.html", {"form": form, "version": None})


@login_required
@domain_errors(back=_script_page)
def script_edit(request: ConsoleRequest, script_id: int, number: int) -> HttpResponse:
    _require_author(request)
    version = selectors.script_get(user=request.user, script_id=script_id, number=number)
    if version.state != CaseState.DRAFT:
        messages.error(request, _("只能编辑草稿；已发布的话术请先生成新版本。"))
        return redirect("knowledge:script_version", script_id=script_id, number=number)
    form = ScriptForm(request.POST or None, initial=ScriptForm.initial_of(version))
    if request.method == "POST" and form.is_valid():
        with refusal_on(form):
            services.script_draft_update(version=version, actor=request.user, **form.cleaned_data)
            messages.success(request, _("话术草稿已保存。"))
            return redirect("knowledge:script_version", script_id=script_id, number=number)
    return render(request, "knowledge/script_form.html", {"form": form, "version": version})


@login_required
@require_POST
@domain_errors(back=_script_page)
def script_step(request: ConsoleRequest, script_id: int, number: int) -> HttpResponse:
    version = selectors.script_get(user=request.user, script_id=script_id, number=number)
    form = StepForm(request.POST)
    if not form.is_valid():
        _require_author(request)
        messages.error(request, _("未知的操作。"))
        return redirect("knowledge:script_version", script_id=script_id, number=number)
    services.script_step(
        version=version, actor=request.user, step=form.cleaned_data["step"], note=form.cleaned_data["note"]
    )
    messages.success(request, _("话术状态已更新。"))
    return redirect("knowledge:script_version", script_id=script_id, number=number)


@login_required
@require_POST
@domain_errors(back=_script_page)
def script_revise(request: ConsoleRequest, script_id: int) -> HttpResponse:
    _require_author(request)
    version = selectors.script_get(user=request.user, script_id=script_id)
    draft = services.script_revise(version=version, actor=request.user)
    return redirect("knowledge:script_edit", script_id=script_id, number=draft.number)


@login_required
def script_review(request: ConsoleRequest) -> HttpResponse:
    if not selectors.user_may_review(request.user):
        raise PermissionDenied(_("您的角色不能审核话术。"))
    return render(request, "knowledge/script_review.html", {"rows": list(selectors.script_review_queue())})


@login_required
def intake_scripts(request: ConsoleRequest) -> HttpResponse:
    """htmx, from the intake form as the agent picks the customer, the type, the topic and the sub-type
    and writes the description: the scripts for that call, filled for this agent (no order yet: its
    number and clocks are unknown), and the three published cases that fit it best."""
    if not user_can_create_orders(request.user):
        raise PermissionDenied(_("您的角色不能受理工单。"))
    form = IntakeScriptsForm(request.GET)
    if not form.is_valid():
        return render(
            request, "knowledge/_intake_scripts_body.html", {"problem": _("请选择有效的业务分类。")}
        )
    data = form.cleaned_data
    account_no = (data.get("customer") or "").strip()
    customer = customer_get(user=request.user, account_no=account_no) if account_no else None
    if account_no and customer is None:
        raise Http404(_("找不到该客户。"))
    topic, sub_type = data.get("topic"), data.get("sub_type")
    versions = selectors.scripts_for(
        business_type=data.get("business_type") or "",
        topic_id=topic.pk if topic is not None else None,
        sub_type_id=sub_type.pk if sub_type is not None else None,
    )
    context = selectors.script_context(user=request.user, customer=customer)
    cases = selectors.cases_fitting(
        sub_type_id=sub_type.pk if sub_type is not None else None,
        topic_id=topic.pk if topic is not None else None,
        text=data.get("description"),
    )
    return render(
        request,
        "knowledge/_intake_scripts_body.html",
        {"scripts": selectors.filled(versions, context), "cases": cases},
    )
