"""Console pages of the complaint app (thin: a form, a service call, a redirect to the order page):
the complaint record, the judgment checklist, whom a 表扬 credits, and the rectification list with its
close action. Orders are read through workorders' visibility; refusals through ``domain_errors``."""

from __future__ import annotations

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

from powerdesk.complaints import extensions, rules, selectors, services
from powerdesk.complaints.extension import EFFECTS, criterion_texts
from powerdesk.complaints.forms import ComplaintRecordForm, JudgmentForm, PraiseForm, RectificationCloseForm
from powerdesk.complaints.models import PraiseCredit, RectificationState
from powerdesk.core import clock, idempotency
from powerdesk.core.decorators import domain_errors
from powerdesk.core.extensions import panels_for
from powerdesk.core.forms import refusal_on
from powerdesk.org.requests import ConsoleRequest
from powerdesk.org.selectors import user_may
from powerdesk.workorders.choices import BusinessType
from powerdesk.workorders.extensions import order_panels
from powerdesk.workorders.selectors import order_get

PAGE_SIZE = 50


def _order_page(request: Any, number: str) -> str:
    return reverse("workorders:detail", args=[number])


def _record_order(request: ConsoleRequest, number: str, right: str) -> Any:
    order = order_get(user=request.user, number=number)
    if not user_may(request.user, right):
        raise PermissionDenied(_("您的角色不能编辑投诉信息。"))
    return order


@login_required
@domain_errors(back=_order_page)
def record_edit(request: ConsoleRequest, number: str) -> HttpResponse:
    """投诉信息: what the complaint is about, edited on a page of its own."""
    order = _record_order(request, number, services.EDIT_RIGHT)
    record = selectors.record_get(order)
    if record is None:
        raise Http404(_("该工单没有投诉信息。"))
    if request.method == "POST":
        form = ComplaintRecordForm(request.POST, user=request.user, order=order)
        if form.is_valid():
            with refusal_on(form):
                services.complaint_record_update(order=order, actor=request.user, **form.cleaned_data)
                messages.success(request, _("投诉信息已保存。"))
                return redirect("workorders:detail", number=order.number)
    else:
        initial = {
            "severity": record.severity,
            "related_orders": " ".join(o.number for o in record.related_orders.order_by("created_at")),
            "staff": record.staff,
            "staff_name": record.staff_name,
            "outsourced": record.outsourced,
            "team": record.team,
            "hall": record.hall,
            "event_at": record.event_at,
        }
        form = ComplaintRecordForm(initial=initial, user=request.user, order=order)
    return render(request, "complaints/record_form.html", {"order": order, "form": form})


@login_required
@domain_errors(back=_order_page)
def praise_edit(request: ConsoleRequest, number: str) -> HttpResponse:
    """表扬对象: the staff member or unit a 表扬 order credits."""
    order = _record_order(request, number, services.EDIT_RIGHT)
    if order.business_type != BusinessType.PRAISE:
        raise Http404(_("只有表扬工单可以填写受表扬对象。"))
    if request.method == "POST":
        form = PraiseForm(request.POST, user=request.user)
        if form.is_valid():
            with refusal_on(form):
                services.praise_credit_update(order=order, actor=request.user, **form.cleaned_data)
                messages.success(request, _("受表扬对象已保存。"))
                return redirect("workorders:detail", number=order.number)
    else:
        credit = PraiseCredit.objects.filter(order=order).first()
        initial = {"staff": credit.staff, "unit": credit.unit} if credit is not None else {}
        form = PraiseForm(initial=initial, user=request.user)
    return render(request, "complaints/praise_form.html", {"order": order, "form": form})


@login_required
@domain_errors(back=_order_page)
def judge(request: ConsoleRequest, number: str) -> HttpResponse:
    """投诉判定: the checklist, pre-filled; the verdict is computed when it is submitted."""
    order = _record_order(request, number, services.JUDGE_RIGHT)
    if selectors.record_get(order) is None:
        raise Http404(_("该工单没有投诉信息。"))
    record, checklist, criteria = selectors.judgment_form_data(order)
    if request.method == "POST":
        form = JudgmentForm(request.POST, user=request.user, criteria=criteria)
        if form.is_valid():
            with refusal_on(form):
                kwargs = form.judge_kwargs()
                fingerprint = idempotency.fingerprint({k: v for k, v in kwargs.items() if k != "request_id"})
                made = services.complaint_judge(
                    order=order, actor=request.user, request_fingerprint=fingerprint, **kwargs
                )
                messages.success(
                    request, _("判定结果：%(verdict)s") % {"verdict": made.get_verdict_display()}
                )
                return redirect("workorders:detail", number=order.number)
    else:
        form = JudgmentForm(user=request.user, criteria=criteria)
    judgment = selectors.latest_judgment(record)
    return render(
        request,
        "complaints/judge_form.html",
        {
            "order": order,
            "record": record,
            "checklist": checklist,
            "form": form,
            "judgment": judgment,
            "reasons": reasons_shown(judgment),
            # what the apps know of the customer that bears on the judgment (late 补件 requests …)
            "panels": panels_for(order_panels, request, order, only="complaint").get("complaint", []),
        },
    )


def reasons_shown(judgment: Any) -> list[tuple[str, str]]:
    """The latest judgment's reasons as the criterion's text and what its answer did."""
    if judgment is None:
        return []
    texts = criterion_texts({judgment.checklist_id})
    return [
        (
            texts.get((judgment.checklist_id, r.get("criterion")), r.get("criterion", "")),
            str(EFFECTS.get(r.get("effect"), r.get("effect", ""))),
        )
        for r in judgment.reasons
    ]


@login_required
def rectification_list(request: ConsoleRequest) -> HttpResponse:
    """整改跟踪: open rectifications first, soonest due; closed ones after."""
    state = request.GET.get("state", "")
    if state not in RectificationState.values:
        state = ""
    rows = selectors.rectification_list(user=request.user, state=state)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    today = clock.local_date()
    overdue = {
        row.pk
        for row in page.object_list
        if rules.rectification_overdue(
            is_open=row.state == RectificationState.OPEN, due_date=row.due_date, today=today
        )
    }
    # What other apps say about each (the case library: learning to arrange, or its progress).
    notes = extensions.notes_for(list(page.object_list), request.user)
    for row in page.object_list:
        setattr(row, "notes", notes.get(row.pk, []))  # noqa: B010 (the template reads it; not a column)
    return render(
        request,
        "complaints/rectifications.html",
        {
            "page": page,
            "overdue": overdue,
            "state": state,
            "states": RectificationState.choices,
            "close_form": RectificationCloseForm(),
        },
    )


def _rectifications(request: Any, pk: int) -> str:
    return reverse("complaints:rectifications")


@login_required
@require_POST
@domain_errors(back=_rectifications)
def rectification_close(request: ConsoleRequest, pk: int) -> HttpResponse:
    rectification = selectors.rectification_get(user=request.user, pk=pk)
    if rectification is None:
        raise Http404(_("找不到该整改任务。"))
    if not services.may_close(request.user, rectification):
        raise PermissionDenied(_("只有整改负责人或投诉判定人员可以确认整改完成。"))
    form = RectificationCloseForm(request.POST)
    if form.is_valid():
        services.rectification_close(
            rectification=rectification, actor=request.user, result=form.cleaned_data["result"]
        )
        messages.success(request, _("整改任务已完成。"))
    else:
        messages.error(request, _("请填写整改结果。"))
    return redirect("complaints:rectifications")
