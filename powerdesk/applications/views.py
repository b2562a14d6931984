"""Console pages of the applications app (thin: a form, a service call, a redirect to the order page):
the hall clerk's start form, the dispatcher's view of running steps (soonest due first), and the step
actions and the kind's correction posted from the order page's panel. Orders are read through
workorders' visibility."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from powerdesk.applications import selectors, services
from powerdesk.applications.forms import (
    ApplicationStartForm,
    DocumentReceiveForm,
    DocumentRequestForm,
    KindChangeForm,
    StepCompleteForm,
    StepReturnForm,
)
from powerdesk.applications.models import ApplicationKind, ApplicationStep, StepState
from powerdesk.core import clock
from powerdesk.core.decorators import domain_errors
from powerdesk.core.errors import DomainError
from powerdesk.core.forms import refusal_on
from powerdesk.org.requests import ConsoleRequest
from powerdesk.org.selectors import user_can_create_orders, user_may
from powerdesk.workorders.choices import Channel
from powerdesk.workorders.selectors import order_get

PAGE_SIZE = 50


def _order_page(request: Any, number: str, *args: Any) -> str:
    return reverse("workorders:detail", args=[number])


def _form_errors(request: ConsoleRequest, form: Any) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


def _running_step(request: ConsoleRequest, number: str, pk: int) -> ApplicationStep:
    order = order_get(user=request.user, number=number)
    step = (
        ApplicationStep.objects.select_related("application__order", "application__kind", "template__role")
        .filter(pk=pk, application__order=order)
        .first()
    )
    if step is None:
        raise Http404(_("找不到该环节。"))
    # The role and the unit level before the input: whoever may not gets the reason, whatever they sent.
    refusal = services.step_refusal(request.user, order, step.template)
    if refusal is not None:
        raise PermissionDenied(refusal)
    return step


@login_required
@domain_errors
def steps(request: ConsoleRequest) -> HttpResponse:
    """业务办理: running steps of the applications the user sees (of a kind, at a step), those about to
    exceed their limit first, each with who may do it (its role at the unit of its level on the order's
    path)."""
    kind = request.GET.get("kind", "")[:32]
    step = request.GET.get("step", "")[:32]
    rows = selectors.steps_by_due(request.user, kind=kind, step=step)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    actors = services.steps_actors(page.object_list)
    return render(
        request,
        "applications/steps.html",
        {
            "page": page,
            "rows": [(s, actors[s.pk]) for s in page.object_list],
            "kinds": ApplicationKind.objects.filter(is_active=True),
            "kind": kind,
            "steps": selectors.step_choices(kind),
            "step": step,
            "now": clock.now(),
        },
    )


@login_required
@domain_errors
def start(request: ConsoleRequest) -> HttpResponse:
    """The hall clerk takes an application (channel 营业厅)."""
    if not user_can_create_orders(request.user):
        raise PermissionDenied(_("您的角色不能受理工单。"))
    form = ApplicationStartForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        with refusal_on(form):
            application = services.application_start(
                actor=request.user,
                kind=form.cleaned_data["kind"],
                customer=form.cleaned_data["customer"],
                channel=Channel.HALL,
                notice_channel=form.cleaned_data["notice_channel"],
                description=form.cleaned_data["description"],
            )
            messages.success(request, _("业务办理已受理，一次性告知已记录。"))
            return redirect("workorders:detail", number=application.order.number)
    # Every kind with the documents its whole application needs: the list the clerk tells at once.
    kinds = [(kind, services.kind_notice(kind)) for kind in ApplicationKind.objects.filter(is_active=True)]
    return render(request, "applications/start.html", {"form": form, "kinds": kinds})


def _act(
    request: ConsoleRequest, form: Any, number: str, call: Callable[[Any], object], done: str
) -> HttpResponse:
    """An order-page action: the form valid, ``call(cleaned_data)``; a refusal the user can act on shows
    as a message (403 and 404 stay errors), invalid fields too; back to the order page either way."""
    if form.is_valid():
        try:
            call(form.cleaned_data)
            messages.success(request, done)
        except DomainError as refused:
            if refused.http_status in (403, 404):
                raise
            messages.error(request, refused.message)
    else:
        _form_errors(request, form)
    return redirect("workorders:detail", number=number)


@require_POST
@login_required
@domain_errors(back=_order_page)
def step_complete(request: ConsoleRequest, number: str, pk: int) -> HttpResponse:
    step = _running_step(request, number, pk)
    form = StepCompleteForm(request.POST)
    return _act(
        request,
        form,
        number,
        lambda data: services.application_step_complete(
            step=step,
            actor=request.user,
            result=data["result"],
            document_reason=data.get("document_reason") or "",
            expected_version=data.get("version"),
        ),
        _("环节已完成。"),
    )


@require_POST
@login_required
@domain_errors(back=_order_page)
def step_return(request: ConsoleRequest, number: str, pk: int) -> HttpResponse:
    step = _running_step(request, number, pk)
    form = StepReturnForm(request.POST, kind=step.application.kind)
    return _act(
        request,
        form,
        number,
        lambda data: services.application_step_return(
            step=step,
            actor=request.user,
            to_template=data["to_step"],
            reason=data["reason"],
            note=data["note"],
            expected_version=data.get("version"),
        ),
        _("环节已退回。"),
    )


@require_POST
@login_required
@domain_errors(back=_order_page)
def document_request(request: ConsoleRequest, number: str) -> HttpResponse:
    order = order_get(user=request.user, number=number)
    if not user_may(request.user, services.RECORD_RIGHT):
        raise PermissionDenied(_("您的角色不能办理该业务。"))
    application = selectors.application_of(order)
    if application is None:
        raise Http404(_("该工单不是业务办理。"))
    form = DocumentRequestForm(request.POST)
    return _act(
        request,
        form,
        number,
        lambda data: services.application_document_request(
            application=application,
            actor=request.user,
            document=data["document"],
            reason=data["reason"],
        ),
        _("补件要求已记录。"),
    )


@require_POST
@login_required
@domain_errors(back=_order_page)
def document_receive(request: ConsoleRequest, number: str, pk: int) -> HttpResponse:
    order = order_get(user=request.user, number=number)
    if not user_may(request.user, services.RECORD_RIGHT):
        raise PermissionDenied(_("您的角色不能办理该业务。"))
    step = (
        ApplicationStep.objects.select_related("application__order", "template")
        .filter(pk=pk, application__order=order, state=StepState.ACTIVE)
        .first()
    )
    if step is None:
        raise Http404(_("找不到该环节。"))
    form = DocumentReceiveForm(request.POST, request.FILES)
    return _act(
        request,
        form,
        number,
        lambda data: services.application_document_receive(
            step=step,
            actor=request.user,
            document=data["document"],
            upload=data["file"],
        ),
        _("资料已接收。"),
    )


@require_POST
@login_required
@domain_errors(back=_order_page)
def kind_change(request: ConsoleRequest, number: str) -> HttpResponse:
    """The dispatcher or the manager changes a running application's kind, with a reason."""
    order = order_get(user=request.user, number=number)
    application = selectors.application_of(order)
    if application is None:
        raise Http404(_("该工单不是业务办理。"))
    refusal = services.kind_change_refusal(request.user, order)
    if refusal is not None:
        raise PermissionDenied(refusal)
    form = KindChangeForm(request.POST)
    return _act(
        request,
        form,
        number,
        lambda data: services.application_kind_change(
            application=application,
            actor=request.user,
            kind=data["kind"],
            reason=data["reason"],
            expected_version=data.get("version"),
        ),
        _("业务办理类别已更正，办理环节已重新安排。"),
    )


@login_required
@domain_errors
def notice(request: ConsoleRequest, number: str) -> HttpResponse:
    """The printed 一次性告知书: every document the application needs, as recorded at acceptance (and
    how and by whom it was given), for the hall to print and hand over; whoever sees the order reads it."""
    order = order_get(user=request.user, number=number)
    application = selectors.application_of(order)
    if application is None:
        raise Http404(_("该工单不是业务办理。"))
    return render(
        request,
        "applications/notice.html",
        {
            "order": order,
            "application": application,
            "documents": selectors.document_names(application.notice_documents),
            "requests": list(application.document_requests.select_related("document")),
        },
    )
