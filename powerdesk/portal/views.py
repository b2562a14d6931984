"""The portal's pages (/portal/): thin — a form, a service or selector, a template.

The portal's session is its own cookie (:data:`COOKIE`), read by :func:`portal_required` only: it never
makes ``request.user``, so a customer signed in here is anonymous to the console, and a staff member
signed in to the console is a stranger here.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from powerdesk.applications.services import kind_notice
from powerdesk.core.errors import DomainError, NotFound, ValidationFailed
from powerdesk.core.net import client_address
from powerdesk.core.seeded_names import seeded_name
from powerdesk.portal import selectors, services
from powerdesk.portal.extensions import start_actions
from powerdesk.portal.forms import (
    ApplyForm,
    BindForm,
    CancelForm,
    CodeForm,
    ConsentForm,
    DocumentUploadForm,
    PhoneForm,
    ProofAccountForm,
    ProofCodeForm,
    ReportForm,
    UnbindForm,
)
from powerdesk.portal.models import ProofMethod, ProofState
from powerdesk.workorders.choices import OPEN_STATUSES

COOKIE = "pd_portal"

View = Callable[..., HttpResponseBase]


def _not_found(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/not_found.html", status=404)


def portal_required(view: View | None = None, *, consent: bool = True) -> Any:
    """The signed-in portal account as ``request.portal_account``; otherwise to the sign-in page. Until
    the account agreed to the privacy notice in force, every page but the notice leads to it. A
    ``NotFound`` from a selector or service is the portal's 404 page."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def answer(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            account = selectors.session_account(request.COOKIES.get(COOKIE), salt=services.SESSION_SALT)
            if account is None:
                return redirect("portal:sign_in")
            if consent and not selectors.has_consented(account):
                return redirect("portal:consent")
            request.portal_account = account  # type: ignore[attr-defined]
            try:
                response = view(request, *args, **kwargs)
            except NotFound:
                response = _not_found(request)
            response["Cache-Control"] = "no-store"
            return response

        return answer

    return decorate(view) if view is not None else decorate


def _field_errors(form: Any, error: DomainError) -> None:
    placed = False
    for name, messages in error.fields.items():
        if name in form.fields:
            for message in messages:
                form.add_error(name, message)
            placed = True
    if not placed:
        form.add_error(None, error.message)


def _throttled(
    request: HttpRequest, template: str, context: dict[str, Any], error: DomainError
) -> HttpResponse:
    context["form"].add_error(None, error.message)
    return render(request, template, context, status=429)


# --- sign-in --------------------------------------------------------------------------------------------


def sign_in(request: HttpRequest) -> HttpResponse:
    """Step one: the phone number. The answer is the code page for every valid number."""
    if request.method == "POST":
        form = PhoneForm(request.POST)
        if form.is_valid():
            try:
                services.sign_in_code_request(
                    phone_text=form.cleaned_data["phone"], address=client_address(request)
                )
            except services.Throttled as error:
                return _throttled(request, "portal/sign_in.html", {"form": form}, error)
            except ValidationFailed as error:
                _field_errors(form, error)
            else:
                code_form = CodeForm(initial={"phone": form.cleaned_data["phone"].strip()})
                return render(request, "portal/verify.html", {"form": code_form})
    else:
        form = PhoneForm()
    return render(request, "portal/sign_in.html", {"form": form})


@require_POST
def verify(request: HttpRequest) -> HttpResponse:
    """Step two: the code. A good one signs in (a new portal session in its own cookie)."""
    form = CodeForm(request.POST)
    if form.is_valid():
        try:
            _account, cookie = services.sign_in_verify(
                phone_text=form.cleaned_data["phone"],
                code=form.cleaned_data["code"],
                address=client_address(request),
            )
        except services.Throttled as error:
            return _throttled(request, "portal/verify.html", {"form": form}, error)
        except ValidationFailed as error:
            _field_errors(form, error)
        else:
            response = redirect("portal:home")
            response.set_cookie(
                COOKIE,
                cookie,
                max_age=selectors.portal_settings().session_hours * 3600,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
                path="/portal/",
            )
            return response
    return render(request, "portal/verify.html", {"form": form})


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    services.session_end(cookie=request.COOKIES.get(COOKIE, ""))
    response = redirect("portal:sign_in")
    response.delete_cookie(COOKIE, path="/portal/")
    return response


@portal_required(consent=False)
def consent(request: HttpRequest) -> HttpResponse:
    """The privacy notice, agreed to once per version (recorded with the time and the address)."""
    account = request.portal_account  # type: ignore[attr-defined]
    config = selectors.portal_settings()
    form = ConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.consent_record(account=account, address=client_address(request))
        return redirect("portal:home")
    return render(request, "portal/consent.html", {"form": form, "settings": config})


# --- the customer's pages ------------------------------------------------------------------------------


def _start_actions() -> list[dict[str, Any]]:
    actions = []
    for action in start_actions:
        try:
            actions.append({"label": action.label, "hint": action.hint, "url": reverse(action.url_name)})
        except NoReverseMatch:
            continue
    return actions


@portal_required
def home(request: HttpRequest) -> HttpResponse:
    account = request.portal_account  # type: ignore[attr-defined]
    customers = selectors.bound_customers(account)
    return render(
        request,
        "portal/home.html",
        {
            "account": account,
            "customers": customers,
            "orders": list(selectors.orders_of(account)[:20]),
            "notices": selectors.notices_for(customers),
            "actions": _start_actions(),
            "unbound": request.GET.get("unbound") == "1",
        },
    )


@portal_required
def bind(request: HttpRequest) -> HttpResponse:
    account = request.portal_account  # type: ignore[attr-defined]
    form = BindForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.binding_create(
                account=account,
                account_no=form.cleaned_data["account_no"],
                holder_name=form.cleaned_data["holder_name"],
                id_digits=form.cleaned_data["id_digits"],
                address=client_address(request),
            )
        except services.Throttled as error:
            return _throttled(request, "portal/bind.html", {"form": form}, error)
        except ValidationFailed as error:
            _field_errors(form, error)
        else:
            return redirect("portal:home")
    return render(request, "portal/bind.html", {"form": form})


@portal_required
def account_detail(request: HttpRequest, account_no: str) -> HttpResponse:
    account = request.portal_account  # type: ignore[attr-defined]
    customer = selectors.bound_customer(account=account, account_no=account_no)
    return render(
        request,
        "portal/account.html",
        {
            "customer": customer,
            "orders": list(selectors.orders_of(account).filter(customer=customer)[:50]),
            "notices": selectors.notices_for([customer]),
            # back from a fault report taken as a call of a known outage
            "outage_linked": request.GET.get("outage") == "1",
        },
    )


@portal_required
def unbind(request: HttpRequest, account_no: str) -> HttpResponse:
    """Unbind an account: a confirmation page, then the POST; its orders and applications are no longer
    this customer's to see."""
    account = request.portal_account  # type: ignore[attr-defined]
    customer = selectors.bound_customer(account=account, account_no=account_no)
    form = UnbindForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.binding_remove(account=account, account_no=customer.account_no)
        return redirect(reverse("portal:home") + "?unbound=1")
    open_orders = selectors.orders_of(account).filter(customer=customer, status__in=OPEN_STATUSES).count()
    return render(
        request,
        "portal/unbind.html",
        {"customer": customer, "form": form, "open_orders": open_orders},
        status=400 if form.errors else 200,
    )


@portal_required
def report(request: HttpRequest) -> HttpResponse:
    """Report a fault, ask, give an opinion, complain or praise: one form, an order through the intake."""
    account = request.portal_account  # type: ignore[attr-defined]
    customers = selectors.bound_customers(account)
    if not customers:
        return redirect("portal:bind")
    kinds = selectors.report_kinds()
    initial = {"kind": next((k.pk for k in kinds if k.code == request.GET.get("kind")), None)}
    form = ReportForm(request.POST or None, customers=customers, kinds=kinds, initial=initial)
    if request.method == "POST" and form.is_valid():
        by_no = {c.account_no: c for c in customers}
        try:
            result = services.report_submit(
                account=account,
                customer=by_no[form.cleaned_data["customer"]],
                kind=form.cleaned_data["kind"],
                description=form.cleaned_data["description"],
                staff_name=form.cleaned_data["staff_name"],
                submission=form.cleaned_data["submission"],
            )
        except ValidationFailed as error:
            _field_errors(form, error)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            if result.order.customer_id != by_no[form.cleaned_data["customer"]].pk:
                # The report joined another customer's order as a call of it (a known outage's one
                # order): not theirs to read, so the account's page with the outage and its ETR.
                return redirect(reverse("portal:account", args=[form.cleaned_data["customer"]]) + "?outage=1")
            return redirect(reverse("portal:order", args=[result.order.number]) + "?submitted=1")
    return render(request, "portal/report.html", {"form": form})


def _order_page(
    request: HttpRequest, order: Any, *, upload_form: DocumentUploadForm | None = None, status: int = 200
) -> HttpResponse:
    application = selectors.application_track(order)
    if application is not None and upload_form is None:
        upload_form = DocumentUploadForm(documents=[(d.code, d.name) for d in application.missing])
    return render(
        request,
        "portal/order.html",
        {
            "track": selectors.order_track(order),
            "application": application,
            "upload_form": upload_form,
            "form": CancelForm(),
            "submitted": request.GET.get("submitted") == "1",
            "uploaded": request.GET.get("uploaded") == "1",
        },
        status=status,
    )


@portal_required
def order_detail(request: HttpRequest, number: str) -> HttpResponse:
    account = request.portal_account  # type: ignore[attr-defined]
    order = selectors.order_for(account=account, number=number)
    return _order_page(request, order)


@require_POST
@portal_required
def order_cancel(request: HttpRequest, number: str) -> HttpResponse:
    account = request.portal_account  # type: ignore[attr-defined]
    form = CancelForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.order_cancel(account=account, number=number, reason=reason)
    except NotFound:
        raise
    except DomainError as error:
        order = selectors.order_for(account=account, number=number)
        form.add_error(None, error.message)
        return render(
            request, "portal/order.html", {"track": selectors.order_track(order), "form": form}, status=409
        )
    return redirect("portal:order", number=number)


# --- applications ---------------------------------------------------------------------------------------


@portal_required
def apply_kinds(request: HttpRequest) -> HttpResponse:
    """The kinds a customer may start here, each with the documents it will need (all of them, at once)."""
    kinds = [{"start": k, "documents": kind_notice(k.kind)} for k in selectors.application_kinds()]
    return render(request, "portal/apply_kinds.html", {"kinds": kinds})


def _proof_context(
    account: Any, customers: list[Any], start: Any, chosen: Any, proof_form: Any = None
) -> dict[str, Any]:
    """What the page says about the proof an account-changing kind needs, for the chosen account."""
    rule = start.proof_rule
    if rule is None or chosen is None:
        return {"rule": None}
    in_force = selectors.proof_in_force(account=account, customer=chosen, kind=rule.kind)
    pending = selectors.pending_proof(account=account, customer=chosen, kind=rule.kind)
    latest = selectors.latest_proof(account=account, customer=chosen, kind=rule.kind)
    initial = {"customer": chosen.account_no}
    return {
        "rule": rule,
        "phone_code": rule.method == ProofMethod.ACCOUNT_PHONE_CODE,
        "in_force": in_force,
        "pending": pending,
        # The hall's "no", with its reason, until the customer asks again.
        "rejected": latest if latest is not None and latest.state == ProofState.FAILED else None,
        "customer": chosen,
        "send_form": ProofAccountForm(initial=initial, customers=customers),
        "code_form": proof_form or ProofCodeForm(initial=initial, customers=customers),
        "valid_hours": selectors.portal_settings().proof_valid_hours,
    }


def _apply_page(
    request: HttpRequest,
    code: str,
    *,
    form: ApplyForm | None = None,
    proof_form: ProofCodeForm | None = None,
    proof_error: str = "",
    status: int = 200,
) -> HttpResponse:
    account = request.portal_account  # type: ignore[attr-defined]
    customers = selectors.bound_customers(account)
    start = selectors.application_kind(code)
    documents = kind_notice(start.kind)
    if form is None:
        form = ApplyForm(
            initial={"customer": request.GET.get("customer", "")},
            customers=customers,
            documents=[(d.code, seeded_name(d)) for d in documents],
        )
    by_no = {c.account_no: c for c in customers}
    chosen_no = form["customer"].value() or (customers[0].account_no if customers else "")
    chosen = by_no.get(str(chosen_no)) or (customers[0] if customers else None)
    proof = _proof_context(account, customers, start, chosen, proof_form)
    return render(
        request,
        "portal/apply.html",
        {
            "start": start,
            "documents": documents,
            "form": form,
            "proof": proof,
            "proof_error": proof_error,
            "ready": proof["rule"] is None or proof.get("in_force") is not None,
        },
        status=status,
    )


@portal_required
def apply(request: HttpRequest, code: str) -> HttpResponse:
    """Start an application: the document list up front, uploads, then applications' start service."""
    account = request.portal_account  # type: ignore[attr-defined]
    customers = selectors.bound_customers(account)
    if not customers:
        return redirect("portal:bind")
    start = selectors.application_kind(code)
    if request.method != "POST":
        return _apply_page(request, code)
    documents = [(d.code, d.name) for d in kind_notice(start.kind)]
    form = ApplyForm(request.POST, request.FILES, customers=customers, documents=documents)
    if form.is_valid():
        by_no = {c.account_no: c for c in customers}
        try:
            application, _created = services.application_submit(
                account=account,
                customer=by_no[form.cleaned_data["customer"]],
                start_kind=start,
                description=form.cleaned_data["description"],
                files=form.document_files(),
                submission=form.cleaned_data["submission"],
            )
        except ValidationFailed as error:
            _field_errors(form, error)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            number = application.order.number
            return redirect(reverse("portal:order", args=[number]) + "?submitted=1")
    return _apply_page(request, code, form=form, status=400 if form.errors else 200)


@require_POST
@portal_required
def apply_proof(request: HttpRequest, code: str) -> HttpResponse:
    """Ask for the proof the kind's rule names: a code to the account's registered phone, or a proof
    waiting for the hall clerk."""
    account = request.portal_account  # type: ignore[attr-defined]
    customers = selectors.bound_customers(account)
    start = selectors.application_kind(code)
    form = ProofAccountForm(request.POST, customers=customers)
    if start.proof_rule is None or not form.is_valid():
        raise NotFound(_("找不到该户号。"))
    customer = {c.account_no: c for c in customers}[form.cleaned_data["customer"]]
    target = reverse("portal:apply", args=[code]) + f"?customer={customer.account_no}"
    if selectors.pending_proof(account=account, customer=customer, kind=start.proof_rule.kind) and (
        start.proof_rule.method == ProofMethod.HALL
    ):
        return redirect(target)  # already waiting for the hall: not a second one
    try:
        services.proof_start(
            account=account, customer=customer, kind=start.proof_rule.kind, address=client_address(request)
        )
    except DomainError as error:
        return _apply_page(request, code, proof_error=error.message, status=error.http_status or 400)
    return redirect(target)


@require_POST
@portal_required
def apply_proof_code(request: HttpRequest, code: str) -> HttpResponse:
    """Check the code sent to the account's registered phone; the proof is then in force."""
    account = request.portal_account  # type: ignore[attr-defined]
    customers = selectors.bound_customers(account)
    start = selectors.application_kind(code)
    form = ProofCodeForm(request.POST, customers=customers)
    if start.proof_rule is None:
        raise NotFound(_("找不到该户号。"))
    if form.is_valid():
        customer = {c.account_no: c for c in customers}[form.cleaned_data["customer"]]
        proof = selectors.pending_proof(account=account, customer=customer, kind=start.proof_rule.kind)
        try:
            if proof is None or proof.method != ProofMethod.ACCOUNT_PHONE_CODE:
                raise ValidationFailed(_("验证码错误或已失效，请重新获取。"))
            services.proof_verify(
                proof=proof, code=form.cleaned_data["code"], address=client_address(request)
            )
        except ValidationFailed as error:
            form.add_error("code", error.message)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            return redirect(reverse("portal:apply", args=[code]) + f"?customer={customer.account_no}")
    return _apply_page(request, code, proof_form=form, status=400)


@require_POST
@portal_required
def order_document(request: HttpRequest, number: str) -> HttpResponse:
    """The customer hands in a document the application still lacks."""
    account = request.portal_account  # type: ignore[attr-defined]
    order = selectors.order_for(account=account, number=number)
    application = selectors.application_track(order)
    if application is None:
        raise NotFound(_("找不到该业务办理。"))
    form = DocumentUploadForm(
        request.POST, request.FILES, documents=[(d.code, d.name) for d in application.missing]
    )
    if form.is_valid():
        try:
            services.application_document_upload(
                account=account,
                number=number,
                document_code=form.cleaned_data["document"],
                upload=form.cleaned_data["file"],
            )
        except ValidationFailed as error:
            _field_errors(form, error)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            return redirect(reverse("portal:order", args=[number]) + "?uploaded=1")
    return _order_page(request, order, upload_form=form, status=400)
