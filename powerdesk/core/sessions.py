"""How long a signed-in session lives, and what browsers may keep of what it sees.

The idle timeout is Django's own: a session row expires ``SESSION_COOKIE_AGE`` after it was last saved.
What makes it slide is saving it while the user is active. Django's way, ``SESSION_SAVE_EVERY_REQUEST``,
writes the row on every request (measured: three more statements on each console page, a savepoint, the
UPDATE and its release; in production a transaction of its own), a write for every keystroke of the
htmx search. :class:`SessionLifetimeMiddleware` saves it at most once a minute instead, so a session
ends between 29 and 30 idle minutes after its last request; and it adds what Django lacks, an absolute
lifetime. :class:`NoStoreForUsersMiddleware` keeps browsers and proxies from storing what a signed-in
user is answered.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

# Session keys: when this session was signed in, and when it was last saved for activity (POSIX times).
STARTED_KEY = "powerdesk_signed_in_at"
SEEN_KEY = "powerdesk_seen_at"
# A signed-in session is saved (its expiry pushed on by SESSION_COOKIE_AGE) at most this often.
REFRESH_SECONDS = 60


def _is_authenticated(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


class SessionLifetimeMiddleware:
    """Push a signed-in session's expiry on while it is used (at most once a minute), and end it
    ``POWERDESK_SESSION_MAX_HOURS`` after sign-in, however active it is.

    The sign-in time is stamped on the first request a session is seen signed in (the login's redirect
    target, at the latest), so sessions older than this middleware get their full lifetime from then. A
    session past it is logged out (and the logout audited, as any other); the view then sees an anonymous
    user and answers as it would: the login page, or 401/403 from the API.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _is_authenticated(request) and hasattr(request, "session"):
            now = timezone.now().timestamp()
            started = request.session.get(STARTED_KEY)
            if started is None:
                request.session[STARTED_KEY] = now
            elif now - started > dt.timedelta(hours=settings.POWERDESK_SESSION_MAX_HOURS).total_seconds():
                logout(request)
                return self.get_response(request)
            if now - request.session.get(SEEN_KEY, 0) >= REFRESH_SECONDS:
                request.session[SEEN_KEY] = now  # modified: SessionMiddleware saves it, expiry and all
        return self.get_response(request)


class NoStoreForUsersMiddleware:
    """``Cache-Control: no-store`` (Django's never-cache headers) on every answer to a signed-in user.

    The simplest honest rule for "pages with personal data": every console page and every API answer of
    a signed-in user, by session or by API token (DRF sets the request's user when it authenticates), is
    kept neither by the browser nor by a proxy. Static files never get here (whitenoise answers them
    first) and stay cacheable; the login page and other anonymous answers carry nobody's data.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        was_signed_in = _is_authenticated(request)
        response = self.get_response(request)
        # After the view too: a login answers its redirect to a user who was anonymous a moment ago, and
        # an API call's token user exists only once DRF has authenticated it.
        if was_signed_in or _is_authenticated(request):
            add_never_cache_headers(response)
        return response
