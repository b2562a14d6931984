"""The one-time codes of the portal and the throttles around them, shared by the sign-in and the proof
of ownership: a code is made, checked and spent here; wrong codes and requests count per phone (by its
digest) and per address in hourly windows."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from powerdesk.core import bulk, clock, phones
from powerdesk.core.errors import DomainError, ValidationFailed
from powerdesk.portal import rules, selectors
from powerdesk.portal.models import OneTimeCode, PortalHit

SIGN_IN_TEMPLATE = "portal_sign_in_code"
PROOF_TEMPLATE = "portal_proof_code"


class Throttled(DomainError):
    code = "throttled"
    http_status = 429


def wrong_code() -> ValidationFailed:
    message = _("验证码错误或已失效，请重新获取。")
    return ValidationFailed(message, code="code_invalid", fields={"code": [message]})


def hit_count(key: str, window: dt.datetime) -> int:
    return bulk.increment(PortalHit, "count", key=key[:100], window=window)


def hit_seen(key: str, window: dt.datetime) -> int:
    return PortalHit.objects.filter(key=key[:100], window=window).values_list("count", flat=True).first() or 0


def mobile_number(phone_text: str) -> str:
    try:
        phone = phones.normalise(phone_text)
    except phones.InvalidPhone:
        phone = ""
    if not (len(phone) == 11 and phone.startswith("1")):
        message = _("请输入11位手机号码。")
        raise ValidationFailed(message, fields={"phone": [message]})
    return phone


def code_create(
    *, phone: str, purpose: str, address: str | None, now: dt.datetime
) -> tuple[OneTimeCode, str]:
    config = selectors.portal_settings()
    code = rules.new_code(config.code_length)
    row = OneTimeCode.objects.create(
        phone=phone,
        purpose=purpose,
        digest=rules.code_digest(phone, purpose, code),
        created_at=now,
        expires_at=now + dt.timedelta(seconds=config.code_valid_seconds),
        address=address,
    )
    # A newer code replaces the older ones of the same phone and purpose.
    OneTimeCode.objects.filter(phone=phone, purpose=purpose, used_at__isnull=True).exclude(pk=row.pk).update(
        used_at=now
    )
    return row, code


def failures_check(phone: str, address: str | None, window: dt.datetime) -> None:
    config = selectors.portal_settings()
    if (
        hit_seen(f"fail:phone:{rules.phone_key(phone)}", window) >= config.failures_per_phone_hour
        or hit_seen(f"fail:addr:{address or 'unknown'}", window) >= config.failures_per_address_hour
    ):
        raise Throttled(_("验证失败次数过多，请稍后再试。"))


def code_check(*, phone: str, purpose: str, code: str, address: str | None) -> OneTimeCode:
    """The phone's live code of ``purpose`` if ``code`` is it (then marked used); every other case is
    the same error. Wrong codes count against the code, the phone and the address."""
    now = clock.now()
    window = rules.hour_window(now)
    failures_check(phone, address, window)
    config = selectors.portal_settings()
    failed = False
    with transaction.atomic():
        row = (
            OneTimeCode.objects.select_for_update()
            .filter(phone=phone, purpose=purpose, used_at__isnull=True, expires_at__gt=now)
            .order_by("-created_at")
            .first()
        )
        if row is not None and rules.code_matches(row.digest, phone, purpose, code):
            row.used_at = now
            row.save(update_fields=["used_at"])
            return row
        if row is not None:
            row.attempts += 1
            if row.attempts >= config.code_attempts:
                row.used_at = now  # spent: a new code must be asked for
            row.save(update_fields=["attempts", "used_at"])
        hit_count(f"fail:phone:{rules.phone_key(phone)}", window)
        hit_count(f"fail:addr:{address or 'unknown'}", window)
        failed = True
    if failed:
        raise wrong_code()
    raise AssertionError("unreachable")
