"""How console views answer a service's refusal, written once.

Services raise one error type, :class:`~powerdesk.core.errors.DomainError` (the API maps it to its stable
error body in ``core.api.exception_handler``). A console view decorated with :func:`domain_errors` lets
refusals leave it: a role that may not act gets the 403 page, something missing or outside the user's
units the 404 page, any other refusal a message on the page the user comes back to. Refusals that belong
beside a form's fields are shown there with ``core.forms.refusal_on``. Never a 500 for what a user sent.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from powerdesk.core.errors import DomainError, NotFound, NotPermitted

View = Callable[..., HttpResponseBase]
BackUrl = Callable[..., str]


def _home(request: HttpRequest, *args: Any, **kwargs: Any) -> str:
    return reverse("home")


def domain_errors(
    view: View | None = None,
    *,
    back: BackUrl = _home,
    say: Mapping[type[DomainError], Any] | None = None,
) -> Any:
    """Decorate a console view (``@domain_errors`` or ``@domain_errors(back=..., say=...)``):

    1. ``NotPermitted`` becomes ``PermissionDenied`` (the 403 page), ``NotFound`` becomes ``Http404``
       (the 404 page), with the service's message;
    2. any other ``DomainError`` (the state machine refuses, a concurrent change, a rule of the order's
       type) becomes an error message, and the user is sent to ``back(request, *args, **kwargs)``
       (the view's own arguments; the home page by default): a redirect, or for htmx a client redirect;
    3. ``say`` replaces the service's message for some error types, e.g. a shorter one for
       ``VersionConflict``."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def answer(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            try:
                return view(request, *args, **kwargs)
            except NotPermitted as error:
                raise PermissionDenied(error.message) from None
            except NotFound as error:
                raise Http404(error.message) from None
            except DomainError as error:
                replaced = next((text for kind, text in (say or {}).items() if isinstance(error, kind)), None)
                messages.error(request, str(replaced) if replaced is not None else error.message)
                url = back(request, *args, **kwargs)
                return HttpResponseClientRedirect(url) if getattr(request, "htmx", False) else redirect(url)

        return answer

    return decorate(view) if view is not None else decorate
