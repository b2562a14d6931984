"""django-csp's middleware, with the site's policy headers built once instead of on every answer.

``csp.middleware.CSPMiddleware`` spells both headers (the policy and the report-only one) from the
settings on every response, a few percent of a small API request's CPU. Here a response that nothing
customised — no nonce asked for, no ``csp_update``/``csp_replace``/``csp_override`` decorator, no header
set by the view, no excluded prefix — gets the headers that django-csp built for the first such response,
kept until a test changes the settings (``setting_changed``). Every other response goes through
django-csp itself.
"""

from __future__ import annotations

from typing import Any

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

_CUSTOMISED = (
    "_csp_exempt",
    "_csp_exempt_ro",
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
)
# The headers django-csp wrote for a plain response: {header name: value}; empty until the first one.
_plain: dict[str, str] = {}
_known = False


@receiver(setting_changed)
def _forget(*, setting: str, **_kwargs: Any) -> None:
    global _known
    if setting.startswith("CONTENT_SECURITY_POLICY") or setting == "DEBUG":
        _plain.clear()
        _known = False


def _excluded_prefixes() -> tuple[str, ...]:
    prefixes: list[str] = []
    for name in ("CONTENT_SECURITY_POLICY", "CONTENT_SECURITY_POLICY_REPORT_ONLY"):
        prefixes.extend((getattr(settings, name, None) or {}).get("EXCLUDE_URL_PREFIXES", None) or ())
    return tuple(prefixes)


class CachedPolicyCSPMiddleware(CSPMiddleware):
    def process_response(self, request: Any, response: Any) -> Any:
        global _known
        plain = (
            getattr(request, "_csp_nonce", None) is None
            and not any(hasattr(response, name) for name in _CUSTOMISED)
            and HEADER not in response
            and HEADER_REPORT_ONLY not in response
            and not settings.DEBUG
            and not request.path_info.startswith(_excluded_prefixes() or ("\0",))
        )
        if not plain or not _known:
            response = super().process_response(request, response)
            if plain:
                _plain.update({h: response[h] for h in (HEADER, HEADER_REPORT_ONLY) if h in response})
                _known = True
            return response
        for header, value in _plain.items():
            response[header] = value
        # What django-csp does last: once the header is written, asking for a nonce is an error (it
        # could not be in the header any more).
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
