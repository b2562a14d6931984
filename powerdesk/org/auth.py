"""Authentication that loads what every request needs with the user: their role (permissions,
personal-data masking) and their unit (visibility).

- :class:`TokenAuthentication` (the API): the token by the SHA-256 digest of the secret sent, with its
  user, role and unit, in one prepared statement instead of four ORM queries; it runs on every API
  request, intake included. A failure is counted per client address (:func:`count_failure`): past the
  limit the address is answered 429 until its window ends.
- :class:`ModelBackend` (the console's session login): the user with role and unit in one query.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from django.conf import settings
from django.contrib.auth import backends as auth_backends
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from powerdesk.core import bulk, clock, sql
from powerdesk.core.net import client_address
from powerdesk.org.models import ApiToken, ApiTokenFailure, Role, Unit, User
from powerdesk.org.tokens import token_digest

# How stale ``ApiToken.last_used_at`` may get: one write per token per hour, not one per request.
TOKEN_LAST_USED_EVERY = dt.timedelta(hours=1)

# In the model's field order: Model.from_db matches values to fields in that order.
_TOKEN_NAMES = ["id", "user_id", "expires_at", "last_used_at", "revoked_at"]
_USER_NAMES, _USER_COLUMNS = sql.column_list(User, "u")
_ROLE_NAMES, _ROLE_COLUMNS = sql.column_list(Role, "r")
_UNIT_NAMES, _UNIT_COLUMNS = sql.column_list(Unit, "n")
# The column lists come from the models, not from input.
_TOKEN_SQL = f"""
SELECT t.id, t.user_id, t.expires_at, t.last_used_at, t.revoked_at,
       {_USER_COLUMNS}, {_ROLE_COLUMNS}, {_UNIT_COLUMNS}
FROM org_apitoken t
JOIN org_user u ON u.id = t.user_id
LEFT JOIN org_role r ON r.id = u.role_id
LEFT JOIN org_unit n ON n.id = u.unit_id
WHERE t.digest = %s
"""  # noqa: S608
_TOUCH_SQL = (
    "UPDATE org_apitoken SET last_used_at = %s WHERE id = %s AND (last_used_at IS NULL OR last_used_at < %s)"
)

INVALID_TOKEN = _("API令牌无效。")
EXPIRED_TOKEN = _("API令牌已过期。")
REVOKED_TOKEN = _("API令牌已吊销。")
USER_INACTIVE = _("该员工已停用。")


def token_lookup(secret: str) -> tuple[User, ApiToken] | None:
    """The token whose secret is ``secret``, with its user (role and unit loaded); None if unknown.
    Expiry and revocation are the caller's to judge (they answer differently)."""
    with sql.cursor() as cur:
        cur.execute(_TOKEN_SQL, [token_digest(secret)], prepare=True)
        row = cur.fetchone()
    if row is None:
        return None
    t = len(_TOKEN_NAMES)
    u, r = t + len(_USER_NAMES), t + len(_USER_NAMES) + len(_ROLE_NAMES)
    user = sql.instance(User, _USER_NAMES, row[t:u])
    # A missing role or unit comes back as a row of NULLs: leave the relation empty, as the ORM would.
    user.role = sql.instance(Role, _ROLE_NAMES, row[u:r]) if user.role_id is not None else None
    user.unit = sql.instance(Unit, _UNIT_NAMES, row[r:]) if user.unit_id is not None else None
    token = sql.instance(ApiToken, _TOKEN_NAMES, row[:t])
    token.user = user
    return user, token


def _touch(token: ApiToken, now: dt.datetime) -> None:
    """Record that ``token`` was used, at most once per TOKEN_LAST_USED_EVERY (the guard in the WHERE
    clause keeps concurrent requests from writing it twice)."""
    if token.last_used_at is not None and now - token.last_used_at < TOKEN_LAST_USED_EVERY:
        return
    with sql.cursor() as cur:
        cur.execute(_TOUCH_SQL, [now, token.pk, now - TOKEN_LAST_USED_EVERY])


class TooManyFailures(exceptions.APIException):
    """429 with ``Retry-After`` (DRF sets it from ``wait``), in the API's error body."""

    status_code = 429
    default_code = "throttled"

    def __init__(self, wait: int):
        super().__init__(gettext("API令牌认证失败次数过多，请 %(seconds)s 秒后再试。") % {"seconds": wait})
        self.wait = wait


def count_failure(request: Any) -> None:
    """Count a failed token authentication of the request's address; raise :class:`TooManyFailures`
    when the address is past ``POWERDESK_TOKEN_FAILURE_LIMIT`` in its window."""
    address = client_address(request)
    if address is None:
        return
    window = dt.timedelta(seconds=settings.POWERDESK_TOKEN_FAILURE_WINDOW)
    now = clock.now()
    # One statement per failure: a new window when the last one ended, else one more failure in it.
    failures, window_start = bulk.increment_in_window(
        ApiTokenFailure, "failures", "window_start", {"address": address}, now=now, cutoff=now - window
    )
    if failures > settings.POWERDESK_TOKEN_FAILURE_LIMIT:
        wait = max(1, math.ceil((window_start + window - now).total_seconds()))
        raise TooManyFailures(wait=wait)


class TokenAuthentication(authentication.TokenAuthentication):
    """``Authorization: Token <secret>``. A token that is unknown, expired, revoked or whose user is
    inactive is a 401 (and a failure counted against the address); a well-formed request never
    waits on the counter."""

    def authenticate(self, request: Any) -> tuple[Any, Any] | None:
        try:
            return super().authenticate(request)
        except exceptions.AuthenticationFailed:
            count_failure(request)
            raise

    def authenticate_credentials(self, key: str) -> tuple[Any, ApiToken]:
        found = token_lookup(key)
        if found is None:
            raise exceptions.AuthenticationFailed(INVALID_TOKEN)
        user, token = found
        now = clock.now()
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(REVOKED_TOKEN)
        if token.expires_at <= now:
            raise exceptions.AuthenticationFailed(EXPIRED_TOKEN)
        if not user.is_active:
            raise exceptions.AuthenticationFailed(USER_INACTIVE)
        _touch(token, now)
        return user, token


class ModelBackend(auth_backends.ModelBackend):
    """Django's backend, loading the user's role and unit with the user: every console page reads both
    (permissions, masking, visibility), and two lazy queries per page cost more than a join."""

    def get_user(self, user_id: Any) -> Any:
        user = User._default_manager.select_related("role", "unit").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
