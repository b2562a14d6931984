"""A second factor (TOTP, django-otp) for the roles that need one, where the deployment requires it.

Who needs one: a user whose role has ``requires_second_factor`` (seeded for 系统管理员 and 服务管理), or
a superuser, while ``POWERDESK_REQUIRE_SECOND_FACTOR`` is on. After the password such a user reaches only
the pages of this module (and signing out) until they confirm a code from their authenticator app: the
enrolment page the first time (a secret and its QR code, confirmed with a code), the code page after
every later sign-in. An administrator resets a lost device (管理后台 → 员工 → 重置双因素认证); the user
enrols again at the next sign-in. Enrolments, resets and wrong codes are reported as security events
(the audit trail records them; ``org`` never imports it).

API tokens are a credential of their own, made by an administrator, and are not asked for a code.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from powerdesk.core.api import error_body
from powerdesk.org.extensions import security_event
from powerdesk.org.models import User

# The name of the one device a user has (confirmed) or is enrolling (not yet confirmed).
DEVICE_NAME = "authenticator"


def second_factor_required(user: Any) -> bool:
    """Whether ``user`` must confirm a second factor in this deployment."""
    if not settings.POWERDESK_REQUIRE_SECOND_FACTOR or not getattr(user, "is_authenticated", False):
        return False
    role = getattr(user, "role", None)
    return bool(user.is_superuser or (role is not None and role.requires_second_factor))


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def totp_device_pending(*, user: User) -> TOTPDevice:
    """The device being enrolled: the unconfirmed one, or a new secret when there is none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


@transaction.atomic
def totp_device_confirm(*, request: HttpRequest, user: User, device: TOTPDevice, code: str) -> bool:
    """Confirm the device being enrolled with a code from the app; the session is verified with it.

    False (and the wrong code recorded) when the code does not match."""
    if not device.verify_token(code):
        security_event("second_factor_failed", user, subject=user.get_username(), data={"step": "enrol"})
        return False
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    otp_login(request, device)
    security_event("second_factor_enrolled", user, target=user, subject=user.get_username())
    return True


@transaction.atomic
def totp_verify(*, request: HttpRequest, user: User, code: str) -> bool:
    """Verify this session with a code of the user's confirmed device; False (recorded) if it is wrong.

    django-otp slows a run of wrong codes down by itself (each failure doubles the wait before the device
    accepts a code again)."""
    device = confirmed_device(user)
    if device is not None and device.verify_token(code):
        otp_login(request, device)
        return True
    security_event("second_factor_failed", user, subject=user.get_username(), data={"step": "verify"})
    return False


@transaction.atomic
def totp_device_reset(*, user: User, actor: User | None, request: HttpRequest | None = None) -> bool:
    """Remove the user's devices (a lost phone); they enrol again at their next sign-in. False (and nothing
    recorded) when they had none."""
    deleted, _rows = TOTPDevice.objects.filter(user=user).delete()
    if not deleted:
        return False
    security_event("second_factor_reset", actor, target=user, subject=user.get_username(), request=request)
    return True


# Where an unverified user may go: the second-factor pages themselves, signing out, the language switch.
OPEN_URL_NAMES = ("second_factor_verify", "second_factor_enrol", "logout", "set_language")


class SecondFactorMiddleware:
    """Send a signed-in user who needs a second factor and has not confirmed one in this session to the
    code page (or the enrolment page); an API call on such a session is answered 403 with the API's
    error body. After ``django_otp.middleware.OTPMiddleware``, which gives ``user.is_verified()``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._open_paths: tuple[str, ...] | None = None

    def open_paths(self) -> tuple[str, ...]:
        if self._open_paths is None:
            self._open_paths = tuple(reverse(name) for name in OPEN_URL_NAMES)
        return self._open_paths

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            second_factor_required(user)
            and not user.is_verified()  # type: ignore[union-attr]
            and request.path not in self.open_paths()
        ):
            return self.refuse(request, user)  # type: ignore[arg-type]
        return self.get_response(request)

    def refuse(self, request: HttpRequest, user: User) -> HttpResponse:
        if request.path.startswith("/api/"):
            return JsonResponse(
                error_body("second_factor_required", _("请先在控制台完成双因素认证。")), status=403
            )
        target = "second_factor_verify" if confirmed_device(user) else "second_factor_enrol"
        url = reverse(target)
        if request.headers.get("HX-Request"):
            # An htmx fragment request: the whole page goes to the code page, not the fragment's target.
            return HttpResponseClientRedirect(url)
        if request.method == "GET" and url_has_allowed_host_and_scheme(
            request.get_full_path(), allowed_hosts={request.get_host()}
        ):
            url += "?" + urlencode({"next": request.get_full_path()})
        return redirect(url)
