"""Authentication that loads what every request needs with the user: their role (permissions,
personal-data masking) and their unit (visibility).

- :class:`TokenAuthentication` (the API): one prepared statement instead of three ORM queries; it runs on
  every API request, intake included.
- :class:`ModelBackend` (the console's session login): the user with role and unit in one query.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import backends as auth_backends
from django.utils.translation import gettext_lazy
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from powerdesk.core import sql
from powerdesk.org.models import Role, Unit, User

# DRF's own messages, translated by DRF's catalogues as before (not literals: not ours to extract).
INVALID_TOKEN = "Invalid token."
USER_INACTIVE = "User inactive or deleted."

_USER_NAMES, _USER_COLUMNS = sql.column_list(User, "u")
_ROLE_NAMES, _ROLE_COLUMNS = sql.column_list(Role, "r")
_UNIT_NAMES, _UNIT_COLUMNS = sql.column_list(Unit, "n")
# The column lists come from the models, not from input.
_TOKEN_SQL = f"""
SELECT t.created, {_USER_COLUMNS}, {_ROLE_COLUMNS}, {_UNIT_COLUMNS}
FROM authtoken_token t
JOIN org_user u ON u.id = t.user_id
LEFT JOIN org_role r ON r.id = u.role_id
LEFT JOIN org_unit n ON n.id = u.unit_id
WHERE t.key = %s
"""  # noqa: S608


def user_for_token(key: str) -> tuple[User, Token] | None:
    """The user owning API token ``key``, with role and unit loaded, and the token; None if unknown."""
    with sql.cursor() as cur:
        cur.execute(_TOKEN_SQL, [key], prepare=True)
        row = cur.fetchone()
    if row is None:
        return None
    u, r = 1 + len(_USER_NAMES), 1 + len(_USER_NAMES) + len(_ROLE_NAMES)
    user = sql.instance(User, _USER_NAMES, row[1:u])
    # A missing role or unit comes back as a row of NULLs: leave the relation empty, as the ORM would.
    user.role = sql.instance(Role, _ROLE_NAMES, row[u:r]) if user.role_id is not None else None
    user.unit = sql.instance(Unit, _UNIT_NAMES, row[r:]) if user.unit_id is not None else None
    token = sql.instance(Token, ["key", "user_id", "created"], [key, user.pk, row[0]])
    token.user = user
    return user, token


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key: str) -> tuple[Any, Token]:
        found = user_for_token(key)
        if found is None:
            raise exceptions.AuthenticationFailed(gettext_lazy(INVALID_TOKEN))
        user, token = found
        if not user.is_active:
            raise exceptions.AuthenticationFailed(gettext_lazy(USER_INACTIVE))
        return user, token


class ModelBackend(auth_backends.ModelBackend):
    """Django's backend, loading the user's role and unit with the user: every console page reads both
    (permissions, masking, visibility), and two lazy queries per page cost more than a join."""

    def get_user(self, user_id: Any) -> Any:
        user = User._default_manager.select_related("role", "unit").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
