"""The hall clerk's console page for the portal's proofs (``/hall/proofs/``): the proofs customers asked
for in the portal that wait for a check of their papers in the hall, of the clerk's units, waiting longest
first; each confirmed (with a note) or not (with a reason the customer reads on the portal). Thin: the
forms, ``portal.services``, a redirect back with a message. A proof already decided (a double click, a
second clerk) is told, not decided twice."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from powerdesk.core.decorators import domain_errors
from powerdesk.core.errors import ValidationFailed
from powerdesk.core.forms import refusal_on
from powerdesk.org.requests import ConsoleRequest
from powerdesk.portal import selectors, services
from powerdesk.portal.forms import HallConfirmForm, HallRejectForm

PAGE_SIZE = 50


def _back(request: Any, *args: Any, **kwargs: Any) -> str:
    return reverse("hall:proofs")


def _clerk(request: ConsoleRequest) -> None:
    if not selectors.user_staffs_hall(request.user):
        raise PermissionDenied(_("您的岗位不办理营业厅身份核验。"))


def _page(
    request: ConsoleRequest, *, failed: int | None = None, reject_form: HallRejectForm | None = None
) -> HttpResponse:
    page = Paginator(selectors.hall_proofs_waiting(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "proof": proof,
            "confirm": HallConfirmForm(prefix=f"c{proof.pk}"),
            "reject": reject_form
            if proof.pk == failed and reject_form
            else HallRejectForm(prefix=f"r{proof.pk}"),
        }
        for proof in page
    ]
    return render(
        request, "hall/proofs.html", {"page": page, "rows": rows}, status=400 if reject_form else 200
    )


@login_required
@domain_errors
def proofs(request: ConsoleRequest) -> HttpResponse:
    """营业厅核验: the proofs waiting in the clerk's units, waiting longest first."""
    _clerk(request)
    return _page(request)


@require_POST
@login_required
@domain_errors(back=_back)
def proof_confirm(request: ConsoleRequest, pk: int) -> HttpResponse:
    _clerk(request)
    proof = selectors.hall_proof(request.user, pk)
    form = HallConfirmForm(request.POST, prefix=f"c{pk}")
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("hall:proofs")
    services.proof_confirm_in_hall(proof=proof, actor=request.user, note=form.cleaned_data["note"])
    messages.success(
        request,
        _("户号 %(no)s 的%(kind)s身份核验已通过，客户可在网上营业厅提交申请。")
        % {"no": proof.customer.account_no, "kind": proof.rule.name},
    )
    return redirect("hall:proofs")


@require_POST
@login_required
@domain_errors(back=_back)
def proof_reject(request: ConsoleRequest, pk: int) -> HttpResponse:
    _clerk(request)
    proof = selectors.hall_proof(request.user, pk)
    form = HallRejectForm(request.POST, prefix=f"r{pk}")
    if form.is_valid():
        with refusal_on(form, ValidationFailed):
            services.proof_reject_in_hall(proof=proof, actor=request.user, reason=form.cleaned_data["reason"])
            messages.success(request, _("已记录核验未通过，客户会在网上营业厅看到原因。"))
            return redirect("hall:proofs")
    return _page(request, failed=pk, reject_form=form)
