"""Console pages of exports: start one (a POST from any list's 导出 Excel button, with the list's query),
follow a background one (its page; the progress bar is refreshed by htmx from the status fragment) and
download it. Thin: ``services`` decides, the registered exporter builds the rows."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse, HttpResponseBase, QueryDict
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from powerdesk.core.decorators import domain_errors
from powerdesk.core.errors import NotFound, ValidationFailed
from powerdesk.core.xlsx import CONTENT_TYPE
from powerdesk.exports import services
from powerdesk.exports.selectors import export_job_get, export_jobs
from powerdesk.org.requests import ConsoleRequest

QUERY_MAX = 4000  # a list's query string; longer is not a query a list page made


def _back(code: str, query: str) -> str:
    exporter = services.exporter_get(code)
    try:
        url = reverse(exporter.back) if exporter.back else reverse("exports:list")
    except NoReverseMatch:
        url = reverse("exports:list")
    return f"{url}?{query}" if query else url


def _attachment(name: str) -> str:
    return f"attachment; filename=\"export.xlsx\"; filename*=UTF-8''{quote(name)}"


@login_required
@require_POST
@domain_errors
def start(request: ConsoleRequest, code: str) -> HttpResponseBase:
    query = request.POST.get("query", "")[:QUERY_MAX]
    params = QueryDict(query)
    try:
        answer = services.export_request(user=request.user, code=code, params=params, request=request)
    except ValidationFailed as invalid:
        messages.error(request, invalid.message)
        return redirect(_back(code, query))
    if answer.job is not None:
        return redirect("exports:detail", pk=answer.job.pk)
    assert answer.file is not None
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response = FileResponse(answer.file, content_type=CONTENT_TYPE)
    response["Content-Disposition"] = _attachment(f"{answer.table.title}-{stamp}.xlsx")
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def job_list(request: ConsoleRequest) -> HttpResponse:
    labels = services.exporter_labels()
    rows = [
        {"job": job, "label": labels.get(job.exporter, job.exporter)}
        for job in export_jobs(user=request.user)[:50]
    ]
    return render(request, "exports/list.html", {"rows": rows})


@login_required
@require_GET
@domain_errors
def job_detail(request: ConsoleRequest, pk: int) -> HttpResponse:
    job = export_job_get(user=request.user, pk=pk)
    label = services.exporter_labels().get(job.exporter, job.exporter)
    return render(request, "exports/detail.html", {"job": job, "label": label})


@login_required
@require_GET
@domain_errors
def job_status(request: ConsoleRequest, pk: int) -> HttpResponse:
    """The progress fragment; while the job is not finished it asks for itself again (htmx)."""
    job = export_job_get(user=request.user, pk=pk)
    return render(request, "exports/_status.html", {"job": job})


@login_required
@require_GET
@domain_errors
def job_download(request: ConsoleRequest, pk: int) -> FileResponse:
    job = export_job_get(user=request.user, pk=pk)
    path = services.export_file(job)
    if path is None:
        raise NotFound(_("该导出文件已过期删除，请重新导出。"))
    label = services.exporter_labels().get(job.exporter, job.exporter)
    stamp = timezone.localtime(job.finished_at).strftime("%Y%m%d-%H%M%S") if job.finished_at else ""
    response = FileResponse(path.open("rb"), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = _attachment(f"{label}-{stamp}.xlsx")
    response["Cache-Control"] = "no-store"
    return response
