"""The second-factor pages (org.second_factor): enrolment with a QR code, and the code after sign-in."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from powerdesk.org import second_factor as sf
from powerdesk.org.forms import SecondFactorCodeForm
from powerdesk.org.qr import qr_svg


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return target
    return "/"


@login_required
@require_http_methods(["GET", "POST"])
def second_factor_enrol(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not sf.second_factor_required(user):
        return redirect("home")  # nothing to enrol for in this deployment, or for this role
    if sf.confirmed_device(user) is not None:  # type: ignore[arg-type]
        return redirect("second_factor_verify")
    device = sf.totp_device_pending(user=user)  # type: ignore[arg-type]
    form = SecondFactorCodeForm(request.POST or None)
    if form.is_valid():
        if sf.totp_device_confirm(
            request=request,
            user=user,  # type: ignore[arg-type]
            device=device,
            code=form.cleaned_data["code"],
        ):
            return redirect(_next_url(request))
        form.reject()
    return render(
        request,
        "org/second_factor_enrol.html",
        {
            "form": form,
            "qr": qr_svg(device.config_url),
            "secret": _grouped(device.bin_key),
            "next": _next_url(request),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def second_factor_verify(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not sf.second_factor_required(user):
        return redirect("home")
    if sf.confirmed_device(user) is None:  # type: ignore[arg-type]
        return redirect("second_factor_enrol")
    form = SecondFactorCodeForm(request.POST or None)
    if form.is_valid():
        if sf.totp_verify(request=request, user=user, code=form.cleaned_data["code"]):  # type: ignore[arg-type]
            return redirect(_next_url(request))
        form.reject()
    return render(request, "org/second_factor_verify.html", {"form": form, "next": _next_url(request)})


def _grouped(key: bytes) -> str:
    """The secret as an app asks for it when typed in: base32, in groups of four."""
    from base64 import b32encode

    text = b32encode(key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))
