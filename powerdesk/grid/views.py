"""The topology pages: the tree (every logged-in user; children loaded on opening a node), and the import
and export page (administrators only: an import rewrites the network every trace relies on)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from powerdesk.core.errors import ValidationFailed
from powerdesk.grid import exchange
from powerdesk.grid.extensions import tree_columns
from powerdesk.grid.models import Device
from powerdesk.org.requests import ConsoleRequest

# A transformer may feed hundreds of meter points: the tree shows the first ones and says how many more.
CHILDREN_SHOWN = 200


def may_manage_topology(user: Any) -> bool:
    role = getattr(user, "role", None)
    return bool(user.is_superuser or (role is not None and role.code == "admin"))


def _nodes(devices: list[Device]) -> list[dict[str, Any]]:
    columns = [(column.label, column.values(devices)) for column in tree_columns]
    return [
        {
            "device": d,
            "has_children": getattr(d, "child_count", 0) > 0,
            "columns": [(label, values.get(d.pk)) for label, values in columns],
        }
        for d in devices
    ]


def _with_child_counts(queryset: Any, limit: int | None = None) -> list[Device]:
    queryset = (
        queryset.select_related("area").annotate(child_count=Count("children")).order_by("kind", "code")
    )
    return list(queryset[:limit] if limit is not None else queryset)


@login_required
@require_GET
def tree(request: ConsoleRequest) -> HttpResponse:
    roots = _with_child_counts(Device.objects.filter(parent__isnull=True))
    context = {
        "nodes": _nodes(roots),
        "labels": [column.label for column in tree_columns],
        "may_manage": may_manage_topology(request.user),
    }
    return render(request, "grid/tree.html", context)


@login_required
@require_GET
def children(request: ConsoleRequest, pk: int) -> HttpResponse:
    parent = get_object_or_404(Device, pk=pk)
    below = _with_child_counts(parent.children.all(), CHILDREN_SHOWN + 1)
    more = parent.children.count() - CHILDREN_SHOWN if len(below) > CHILDREN_SHOWN else 0
    return render(request, "grid/_children.html", {"nodes": _nodes(below[:CHILDREN_SHOWN]), "more": more})


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("拓扑文件"),
        help_text=gettext_lazy("CSV 文件，或每层一个工作表的 Excel（.xlsx）文件。"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def exchange_page(request: ConsoleRequest) -> HttpResponse:
    if not may_manage_topology(request.user):
        raise PermissionDenied(_("只有系统管理员可以导入导出电网拓扑。"))
    report = errors = None
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            data = upload.read()
            try:
                is_excel = upload.name.lower().endswith(".xlsx")
                rows = exchange.read_xlsx(data) if is_excel else exchange.read_csv(data)
                report = exchange.topology_import(rows=rows, by=request.user)
            except exchange.ImportRejected as rejected:
                errors = rejected.errors
                form.add_error(None, rejected.message)
            except ValidationFailed as failed:
                form.add_error("file", failed.message)
    else:
        form = ImportForm()
    return render(request, "grid/exchange.html", {"form": form, "report": report, "errors": errors})


@login_required
@require_GET
def export(request: ConsoleRequest) -> HttpResponse:
    if not may_manage_topology(request.user):
        raise PermissionDenied(_("只有系统管理员可以导入导出电网拓扑。"))
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(
            exchange.write_xlsx(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = 'attachment; filename="grid-topology.xlsx"'
        return response
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="grid-topology.csv"'
    response.write("\ufeff")  # so that Excel opens the Chinese names as UTF-8
    exchange.write_csv(response)
    return response
