"""The auditor's console pages: the trail, searchable (``AuditFilterSet``), and its CSV export, which is
itself recorded. Other roles get the 403 page (``audit_entries`` refuses them)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from powerdesk.audit import kinds
from powerdesk.audit.filters import AuditFilterSet
from powerdesk.audit.models import AuditEntry
from powerdesk.audit.reveal import RevealForm, reveal
from powerdesk.audit.selectors import audit_entries
from powerdesk.audit.services import record_export
from powerdesk.core.decorators import domain_errors
from powerdesk.core.errors import NotPermitted, ValidationFailed
from powerdesk.core.pagination import ListPaginator
from powerdesk.org.masking import policy_for
from powerdesk.org.requests import ConsoleRequest

PAGE_SIZE = 50
EXPORT_ROWS = 100_000  # one export; narrow the filters for more


def _filter_errors(filters: AuditFilterSet) -> list[str]:
    form = filters.form
    return [
        f"{form.fields[name].label if name in form.fields else ''}：{' '.join(map(str, errors))}".lstrip("：")
        for name, errors in form.errors.items()
    ]


@login_required
@domain_errors
def entry_list(request: ConsoleRequest) -> HttpResponse:
    filters = AuditFilterSet(request.GET, queryset=audit_entries(user=request.user))
    paginator = ListPaginator(filters.qs, PAGE_SIZE)
    number = request.GET.get("page")
    page = paginator.get_page(paginator.last_page_number() if number == "last" else number)
    rows = [
        {"entry": e, "label": kinds.label(e.kind), "details": kinds.describe(e.kind, e.data)} for e in page
    ]
    return render(
        request,
        "audit/list.html",
        {
            "form": filters.form,
            "page": page,
            "rows": rows,
            "filter_errors": _filter_errors(filters),
            "export_query": request.GET.urlencode(),
        },
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_rows(entries: Any) -> Iterator[list[Any]]:
    yield [
        _("时间"),
        _("类别"),
        _("类别代码"),
        _("操作人"),
        _("对象"),
        _("当事人"),
        _("事由"),
        _("来源地址"),
        _("详情"),
    ]
    for e in entries:
        yield [
            timezone.localtime(e.at).isoformat(timespec="seconds"),
            kinds.label(e.kind),
            e.kind,
            e.actor_name,
            e.target,
            e.subject,
            e.reason,
            e.address or "",
            kinds.describe(e.kind, e.data),
        ]


@login_required
@domain_errors
def entry_export(request: ConsoleRequest) -> HttpResponse | StreamingHttpResponse:
    """The filtered trail as CSV (UTF-8 with BOM, for spreadsheets). The export is recorded first, in the
    trail it exports, with its filters and row count."""
    filters = AuditFilterSet(request.GET, queryset=audit_entries(user=request.user))
    if not filters.is_valid():
        messages.error(request, _("筛选条件无效，未导出：") + "；".join(_filter_errors(filters)))
        return redirect(f"{reverse('audit:list')}?{request.GET.urlencode()}")
    entries = filters.qs
    rows = min(entries.count(), EXPORT_ROWS)
    record_export(
        request.user, what=AuditEntry._meta.label_lower, rows=rows, filters=filters.current, request=request
    )
    writer = csv.writer(_Echo())
    body = (writer.writerow(row) for row in csv_rows(entries[:EXPORT_ROWS].iterator(chunk_size=2000)))
    response = StreamingHttpResponse(_with_bom(body), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response


def _with_bom(lines: Iterator[str]) -> Iterator[str]:
    yield "\ufeff"
    yield from lines


@login_required
@domain_errors
def reveal_value(request: ConsoleRequest) -> HttpResponse:
    """The 显示 control: GET answers the form asking for a reason (into the ``.pd`` element, or as a page
    without JavaScript); POST answers the full value, recorded in the audit trail (``audit.reveal``)."""
    if request.method == "POST":
        form = RevealForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                result = reveal(
                    actor=request.user,
                    target=data["target"],
                    ref=data["ref"],
                    field=data["field"],
                    reason=data["reason"],
                )
            except ValidationFailed as error:
                form.add_error("reason", str(error))
            else:
                template = "audit/_revealed.html" if request.htmx else "audit/revealed.html"
                return render(request, template, {"result": result})
    else:
        form = RevealForm(initial={k: request.GET.get(k, "") for k in ("target", "ref", "field")})
        if not policy_for(request.user).may_reveal(request.GET.get("field", "")):
            raise NotPermitted(_("您的角色不能查看该信息的完整内容。"))
    template = "audit/_reveal_form.html" if request.htmx else "audit/reveal.html"
    return render(request, template, {"form": form})
