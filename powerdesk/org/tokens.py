"""API tokens: made, revoked, and recognised by their digest. The secret itself is never stored."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from powerdesk.core import clock
from powerdesk.core.errors import ValidationFailed
from powerdesk.org.extensions import security_event
from powerdesk.org.models import ApiToken, User

SECRET_PREFIX = "pd_"
PREFIX_LENGTH = 10  # "pd_" and 7 random characters: shown in lists to tell tokens apart
MAX_DAYS = 3660


def token_digest(secret: str) -> str:
    """The stored form of a secret: hex SHA-256 (also of the 40-hex-digit keys of the DRF tokens that
    migration org 0007 carried over, so those keep working until they expire)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def _details(token: ApiToken) -> dict[str, Any]:
    return {
        "name": token.name,
        "prefix": token.prefix,
        "expires_at": token.expires_at.isoformat(),
    }


@transaction.atomic
def api_token_create(
    *, user: User, name: str, days: int | None = None, actor: User | None = None, request: Any = None
) -> tuple[ApiToken, str]:
    """A new token of ``user`` valid ``days`` (default ``POWERDESK_API_TOKEN_DAYS``): the row and the
    secret, which the caller shows once."""
    name = (name or "").strip()
    if not name:
        message = _("请填写令牌名称。")
        raise ValidationFailed(message, fields={"name": [message]})
    days = settings.POWERDESK_API_TOKEN_DAYS if days is None else days
    if not 1 <= days <= MAX_DAYS:
        message = _("有效天数须在 1 至 %(max)s 之间。") % {"max": MAX_DAYS}
        raise ValidationFailed(message, fields={"days": [message]})
    secret = new_secret()
    now = clock.now()
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        prefix=secret[:PREFIX_LENGTH],
        digest=token_digest(secret),
        created_at=now,
        expires_at=now + dt.timedelta(days=days),
    )
    security_event(
        "token_created",
        actor,
        target=token,
        subject=user.get_username(),
        request=request,
        data=_details(token),
    )
    return token, secret


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: User | None = None, request: Any = None) -> bool:
    """Revoke ``token`` from now on; False (and nothing recorded) if it was revoked already."""
    revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=clock.now())
    if not revoked:
        return False
    token.refresh_from_db(fields=["revoked_at"])
    security_event(
        "token_revoked",
        actor,
        target=token,
        subject=token.user.get_username(),
        request=request,
        data=_details(token),
    )
    return True
