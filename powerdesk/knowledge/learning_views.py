"""Console pages of 以案普法 (thin: a form, a selector or service call, a page or redirect): my
assignments, reading and confirming one, and for managers and unit heads the assignments, a new one,
who has and has not confirmed per unit (its workbook: the export machinery, knowledge/exports.py)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from powerdesk.complaints.models import Rectification
from powerdesk.core import clock
from powerdesk.core.decorators import domain_errors
from powerdesk.core.forms import refusal_on
from powerdesk.knowledge import learning, learning_selectors, rules
from powerdesk.knowledge.learning_forms import AssignmentFilterForm, AssignmentForm, ProgressFilterForm
from powerdesk.knowledge.models import CaseAttachment, LearningAssignment
from powerdesk.org.requests import ConsoleRequest

PAGE_SIZE = 20


def _require_follower(request: ConsoleRequest) -> None:
    if not learning_selectors.user_follows_learning(request.user):
        raise PermissionDenied(_("您无权查看学习情况。"))


@login_required
def mine(request: ConsoleRequest) -> HttpResponse:
    rows = list(learning_selectors.my_assignments(request.user))
    today = clock.local_date()
    for row in rows:
        row.status = rules.learning_status(
            confirmed=row.confirmed_at is not None, due_date=row.assignment.due_date, today=today
        )
    return render(request, "knowledge/learning/mine.html", {"rows": rows})


@login_required
def read(request: ConsoleRequest, pk: int) -> HttpResponse:
    """The assigned version itself (also when the case was revised or retired since), and 确认已学习."""
    row = learning_selectors.my_assignments(request.user).filter(assignment_id=pk).first()
    if row is None:
        raise Http404(_("找不到该学习任务。"))
    version = row.assignment.version
    return render(
        request,
        "knowledge/learning/read.html",
        {
            "row": row,
            "assignment": row.assignment,
            "version": version,
            "rules": list(version.rules.all()),
            "attachments": list(CaseAttachment.objects.filter(case_id=version.case_id)),
            "overdue": learning_selectors.is_overdue(row),
        },
    )


def _mine_page(request: Any, pk: int) -> str:
    from django.urls import reverse

    return reverse("knowledge:learning_mine")


@login_required
@require_POST
@domain_errors(back=_mine_page)
def confirm(request: ConsoleRequest, pk: int) -> HttpResponse:
    learning.assignment_confirm(actor=request.user, assignment_id=pk)
    messages.success(request, _("已确认学习。"))
    return redirect("knowledge:learning_mine")


@login_required
def manage(request: ConsoleRequest) -> HttpResponse:
    _require_follower(request)
    form = AssignmentFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = learning_selectors.assignments_followed(
        request.user, case_id=filters.get("case"), overdue_only=bool(filters.get("overdue"))
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "knowledge/learning/manage.html",
        {
            "form": form,
            "page": page,
            "may_assign": learning_selectors.user_may_assign(request.user),
            "today": clock.local_date(),
        },
    )


@login_required
@domain_errors
def new(request: ConsoleRequest) -> HttpResponse:
    if not learning_selectors.user_may_assign(request.user):
        raise PermissionDenied(_("您的角色不能布置案例学习。"))
    initial: dict[str, Any] = {}
    for name in ("version", "rectification", "order"):
        if request.GET.get(name, "").strip():
            initial[name] = request.GET[name].strip()[:32]
    rectification = None
    if str(initial.get("rectification", "")).isdigit():
        rectification = (
            Rectification.objects.select_related("order", "unit")
            .filter(pk=int(initial["rectification"]))
            .first()
        )
        if rectification is not None:
            initial.setdefault("order", rectification.order.number)
            initial.setdefault("unit", rectification.unit_id)
            initial.setdefault("reason", _("整改要求：%(task)s") % {"task": rectification.task[:200]})
    form = AssignmentForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        with refusal_on(form):
            assignment = learning.assignment_create(actor=request.user, **form.assign_kwargs())
            messages.success(
                request, _("已布置学习任务，共 %(n)s 人。") % {"n": assignment.recipients.count()}
            )
            return redirect("knowledge:learning_progress", pk=assignment.pk)
    return render(request, "knowledge/learning/new.html", {"form": form, "rectification": rectification})


def _followed(request: ConsoleRequest, pk: int) -> LearningAssignment:
    _require_follower(request)
    assignment = learning_selectors.assignment_followed(request.user, pk)
    if assignment is None:
        raise Http404(_("找不到该学习任务。"))
    return assignment


def _progress(
    request: ConsoleRequest, assignment: LearningAssignment
) -> tuple[ProgressFilterForm, list[Any]]:
    form = ProgressFilterForm(request.GET or None, user=request.user)
    filters = form.cleaned_data if form.is_valid() else {}
    groups = learning_selectors.progress_by_unit(
        request.user, assignment, unit=filters.get("unit"), status=filters.get("status") or ""
    )
    return form, groups


def _export_query(request: ConsoleRequest, assignment: LearningAssignment) -> str:
    """The progress page's query for the export machinery, naming the assignment (knowledge/exports.py)."""
    query = request.GET.copy()
    query["assignment"] = str(assignment.pk)
    return query.urlencode()


@login_required
def progress(request: ConsoleRequest, pk: int) -> HttpResponse:
    assignment = _followed(request, pk)
    form, groups = _progress(request, assignment)
    return render(
        request,
        "knowledge/learning/progress.html",
        {
            "assignment": assignment,
            "form": form,
            "groups": groups,
            "query": request.GET.urlencode(),
            "export_query": _export_query(request, assignment),
            "totals": {
                "total": sum(g.total for g in groups),
                "confirmed": sum(len(g.confirmed) for g in groups),
                "overdue": sum(g.overdue for g in groups),
            },
        },
    )
