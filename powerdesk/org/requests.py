"""The request of a console view, as the views may rely on it."""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from powerdesk.org.models import User


class ConsoleRequest(HttpRequest):
    """``login_required`` guarantees a user (with role and unit), django-htmx adds ``htmx``."""

    user: User  # type: ignore[assignment]
    htmx: HtmxDetails
