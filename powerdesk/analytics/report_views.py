"""Console pages of the monthly report: the list (the reports of the units the reader sees, and the
form to issue one), a report's page, and its PDF. Thin: ``reports`` computes and freezes,
``reports_presenting`` words, ``report_pdf`` draws."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from powerdesk.analytics import reports, reports_presenting
from powerdesk.analytics.forms import ReportIssueForm
from powerdesk.core.decorators import domain_errors
from powerdesk.core.errors import ValidationFailed
from powerdesk.core.forms import refusal_on
from powerdesk.org.requests import ConsoleRequest

LIST_SIZE = 100


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def report_list(request: ConsoleRequest) -> HttpResponse:
    visible = reports.reports_visible(user=request.user)
    if request.method == "POST":
        form = ReportIssueForm(request.POST, user=request.user)
        if form.is_valid():
            with refusal_on(form, ValidationFailed):
                report, new = reports.report_issue(
                    user=request.user, unit=form.cleaned_data["unit"], month=form.cleaned_data["month"]
                )
                if not new:
                    messages.info(request, _("该单位该月的报告已发布，以下是已发布的报告。"))
                return redirect("analytics:report", pk=report.pk)
    else:
        form = ReportIssueForm(user=request.user)
    return render(request, "analytics/reports.html", {"form": form, "reports": list(visible[:LIST_SIZE])})


@login_required
@require_GET
@domain_errors
def report_detail(request: ConsoleRequest, pk: int) -> HttpResponse:
    report = reports.report_get(user=request.user, pk=pk)
    return render(request, "analytics/report.html", reports_presenting.context(report))


@login_required
@require_GET
@domain_errors
def report_pdf(request: ConsoleRequest, pk: int) -> HttpResponse:
    from powerdesk.analytics.report_pdf import render_pdf

    report = reports.report_get(user=request.user, pk=pk)
    response = HttpResponse(render_pdf(report, request=request), content_type="application/pdf")
    name = f"report-{report.unit.code}-{report.month:%Y%m}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response
