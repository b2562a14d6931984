"""One-time codes sent by SMS (sign-in, and proof of an account's ownership) and the throttles around
them.

What an attacker cannot do: learn whether a number is a customer's (every valid number takes the same
path: a code made, an SMS queued), try codes without limit (a code is spent after ``code_attempts``
misses; failures are counted per phone and per address, and past either limit nothing is compared), or
make PowerDesk send codes without limit (sends are counted per phone and per address, whatever the
purpose: the sign-in code and the proof code share the counters). The figures are ``PortalSettings``
(data). A code is stored as a keyed digest; its clear value travels in the notification's secret
context only until the SMS is sent (``notify.services.notification_enqueue``'s ``secret``).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from powerdesk.core import bulk, clock
from powerdesk.core.errors import DomainError, ValidationFailed
from powerdesk.customers.models import Customer
from powerdesk.notify.models import NotifyChannel
from powerdesk.notify.services import notification_enqueue
from powerdesk.portal import rules, selectors
from powerdesk.portal.models import OneTimeCode, PortalHit


class Throttled(DomainError):
    code = "throttled"
    http_status = 429


def wrong_code() -> ValidationFailed:
    message = _("验证码错误或已失效，请重新获取。")
    return ValidationFailed(message, code="code_invalid", fields={"code": [message]})


def hit(key: str, window: dt.datetime) -> int:
    """Count one more event of ``key`` in ``window``; the count now."""
    return bulk.increment(PortalHit, "count", key=key[:100], window=window)


def seen(key: str, window: dt.datetime) -> int:
    return PortalHit.objects.filter(key=key[:100], window=window).values_list("count", flat=True).first() or 0


def _address_key(kind: str, address: str | None) -> str:
    return f"{kind}:addr:{address or 'unknown'}"


def _phone_key(kind: str, phone: str) -> str:
    return f"{kind}:phone:{rules.phone_key(phone)}"


def _code_create(
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


def code_send(
    *,
    phone: str,
    purpose: str,
    address: str | None,
    template_code: str,
    context: dict,
    customer: Customer | None = None,
) -> OneTimeCode:
    """Make a code of ``purpose`` for ``phone`` and queue its SMS (template ``template_code``, the code
    as the secret ``code``), counting the send against the phone and the address.

    Past either hourly limit: ``Throttled``, and nothing is made or sent; the refused request still
    counts (the counters are committed before the error is raised, so a caller's transaction must not
    be open around this call)."""
    config = selectors.portal_settings()
    now = clock.now()
    window = rules.hour_window(now)
    with transaction.atomic():
        by_phone = hit(_phone_key("code", phone), window)
        by_address = hit(_address_key("code", address), window)
        refused = by_phone > config.codes_per_phone_hour or by_address > config.codes_per_address_hour
        if not refused:
            row, code = _code_create(phone=phone, purpose=purpose, address=address, now=now)
            notification_enqueue(
                channel=NotifyChannel.SMS,
                template_code=template_code,
                context=context,
                secret={"code": code},
                recipient_address=phone,
                customer=customer,
            )
    if refused:
        raise Throttled(_("获取验证码过于频繁，请稍后再试。"))
    return row


def _check_failures(phone: str, address: str | None, window: dt.datetime) -> None:
    config = selectors.portal_settings()
    if (
        seen(_phone_key("fail", phone), window) >= config.failures_per_phone_hour
        or seen(_address_key("fail", address), window) >= config.failures_per_address_hour
    ):
        raise Throttled(_("验证失败次数过多，请稍后再试。"))


def code_check(*, phone: str, purpose: str, code: str, address: str | None) -> OneTimeCode:
    """The phone's live code of ``purpose`` if ``code`` is it (then marked used); every other case is
    the same error. Wrong codes count against the code, the phone and the address; past the phone's or
    the address's limit nothing is compared (``Throttled``)."""
    now = clock.now()
    window = rules.hour_window(now)
    _check_failures(phone, address, window)
    config = selectors.portal_settings()
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
        hit(_phone_key("fail", phone), window)
        hit(_address_key("fail", address), window)
    raise wrong_code()  # after the counters committed
