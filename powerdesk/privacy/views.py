"""The data-subject page (the system administrator's): find a person by phone or account number, see
what we hold and what keeps it, and export it (JSON or Excel), correct the account, erase what the law
lets us erase, place or release a hold. Thin: forms parse, ``selectors`` read, ``services`` write and
audit."""

from __future__ import annotations

import io
import json
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from powerdesk.core import clock, xlsx
from powerdesk.core.errors import ValidationFailed
from powerdesk.org.requests import ConsoleRequest
from powerdesk.privacy import forms, selectors, services
from powerdesk.privacy.models import RetentionHold

HOLD_LABELS = {
    "sensitive": _("敏感客户"),
    "open_complaint": _("未办结的投诉"),
    "hold": _("保留冻结"),
}


def _require(request: ConsoleRequest) -> None:
    if not selectors.user_handles_data_requests(request.user):
        raise PermissionDenied(_("只有系统管理员可以处理个人信息请求。"))


def _subject(form: forms.SubjectForm) -> selectors.Subject:
    return selectors.subject_find(
        phone=form.cleaned_data["phone"], account_no=form.cleaned_data["account_no"]
    )


def _page(request: ConsoleRequest, lookup: forms.SubjectForm, **forms_: Any) -> HttpResponse:
    context: dict[str, Any] = {"lookup": lookup, **forms_}
    if lookup.is_bound and lookup.is_valid():
        subject = _subject(lookup)
        now = clock.now()
        context.update(
            subject=subject,
            orders=selectors.subject_orders(request.user, subject).count(),
            contacts=selectors.subject_contacts(request.user, subject).count(),
            notifications=selectors.subject_notifications(request.user, subject).count(),
            held=[HOLD_LABELS[code] for code in selectors.subject_holds(now, subject)],
            open_orders=selectors.subject_open_orders(subject),
            holds=selectors.holds_in_force(now).filter(customer_id__in=subject.customer_ids)
            | selectors.holds_in_force(now).filter(phone__in=subject.phones or [""]),
        )
        initial = {"phone": subject.phone, "account_no": subject.account_no}
        context.setdefault("export_form", forms.ExportForm(initial=initial))
        context.setdefault("erase_form", forms.ReasonForm(initial=initial))
        context.setdefault("hold_form", forms.HoldForm(initial=initial))
        context.setdefault(
            "correct_form",
            forms.CorrectForm(
                initial={"account_no": subject.customers[0].account_no} if subject.customers else None
            ),
        )
    return render(request, "privacy/requests.html", context)


def _lookup_of(data: Any) -> forms.SubjectForm:
    return forms.SubjectForm({"phone": data.get("phone", ""), "account_no": data.get("account_no", "")})


@login_required
@require_GET
def requests_page(request: ConsoleRequest) -> HttpResponse:
    _require(request)
    bound = "phone" in request.GET or "account_no" in request.GET
    return _page(request, forms.SubjectForm(request.GET) if bound else forms.SubjectForm())


def _back(form: forms.SubjectForm) -> str:
    query = f"phone={quote(form.cleaned_data['phone'])}&account_no={quote(form.cleaned_data['account_no'])}"
    return f"{reverse('privacy:requests')}?{query}"


def _flat_rows(payload: dict[str, Any]) -> list[list[Any]]:
    """The export as one sheet: section, record, field, value (every field of every record)."""
    keys = {"customers": "account_no", "orders": "number", "contacts": "order", "notifications": "order"}
    rows: list[list[Any]] = []
    for section, key in keys.items():
        for index, record in enumerate(payload[section], start=1):
            ref = f"{record.get(key) or ''}#{index}"
            for name, value in record.items():
                shown = json.dumps(value, ensure_ascii=False) if isinstance(value, (list, dict)) else value
                rows.append([section, ref, name, "" if shown is None else str(shown)])
    return rows


@login_required
@require_POST
def export(request: ConsoleRequest) -> HttpResponseBase:
    _require(request)
    form = forms.ExportForm(request.POST)
    if not form.is_valid():
        return _page(request, _lookup_of(request.POST), export_form=form)
    subject = _subject(form)
    fmt = form.cleaned_data["format"]
    payload = services.data_subject_export(
        actor=request.user, subject=subject, reason=form.cleaned_data["reason"], fmt=fmt
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    if fmt == "xlsx":
        buffer = io.BytesIO()
        xlsx.write_xlsx(
            buffer,
            title=_("个人信息"),
            columns=[
                xlsx.Column(_("类别")),
                xlsx.Column(_("记录"), width=24),
                xlsx.Column(_("字段")),
                xlsx.Column(_("内容"), width=60),
            ],
            rows=_flat_rows(payload),
        )
        response = HttpResponse(buffer.getvalue(), content_type=xlsx.CONTENT_TYPE)
        name = f"personal-data-{stamp}.xlsx"
    else:
        body = json.dumps(payload, ensure_ascii=False, indent=2)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
        name = f"personal-data-{stamp}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def correct(request: ConsoleRequest) -> HttpResponseBase:
    _require(request)
    form = forms.CorrectForm(request.POST)
    if not form.is_valid():
        return _page(request, _lookup_of(request.POST), correct_form=form)
    customer = form.cleaned_data["account_no"]
    try:
        services.data_subject_correct(
            actor=request.user,
            customer=customer,
            field=form.cleaned_data["field"],
            value=form.cleaned_data["value"],
            reason=form.cleaned_data["reason"],
        )
    except ValidationFailed as failed:
        for name, errors in (failed.fields or {}).items():
            for error in errors:
                form.add_error(name if name in form.fields else None, error)
        if not failed.fields:
            form.add_error(None, failed.message)
        return _page(request, _lookup_of({"account_no": customer.account_no}), correct_form=form)
    messages.success(request, _("已更正。"))
    return redirect(f"{reverse('privacy:requests')}?account_no={quote(customer.account_no)}")


@login_required
@require_POST
def erase(request: ConsoleRequest) -> HttpResponseBase:
    _require(request)
    form = forms.ReasonForm(request.POST)
    if not form.is_valid():
        return _page(request, _lookup_of(request.POST), erase_form=form)
    try:
        report = services.data_subject_erase(
            actor=request.user, subject=_subject(form), reason=form.cleaned_data["reason"]
        )
    except ValidationFailed as refused:
        form.add_error(None, refused.message)
        return _page(request, _lookup_of(request.POST), erase_form=form)
    messages.success(
        request,
        _("已删除个人信息：工单 %(orders)s 张，通知 %(notifications)s 条。")
        % {"orders": report.orders, "notifications": report.notifications},
    )
    return redirect(_back(form))


@login_required
@require_POST
def hold_place(request: ConsoleRequest) -> HttpResponseBase:
    _require(request)
    form = forms.HoldForm(request.POST)
    if not form.is_valid():
        return _page(request, _lookup_of(request.POST), hold_form=form)
    subject = _subject(form)
    services.retention_hold_place(
        actor=request.user,
        reason=form.cleaned_data["reason"],
        customer=subject.customers[0] if subject.account_no and subject.customers else None,
        phone=subject.phone,
        until=form.cleaned_data["until"],
    )
    messages.success(request, _("已设置保留冻结。"))
    return redirect(_back(form))


@login_required
@require_POST
def hold_release(request: ConsoleRequest, pk: int) -> HttpResponseBase:
    _require(request)
    hold = get_object_or_404(RetentionHold, pk=pk)
    form = forms.ReleaseForm(request.POST)
    back = _lookup_of({"phone": hold.phone, "account_no": hold.customer.account_no if hold.customer else ""})
    if not form.is_valid():
        messages.error(request, _("请填写解除原因。"))
        return _page(request, back)
    services.retention_hold_release(actor=request.user, hold=hold, reason=form.cleaned_data["reason"])
    messages.success(request, _("已解除保留冻结。"))
    back.is_valid()
    return redirect(_back(back) if back.is_valid() else reverse("privacy:requests"))
