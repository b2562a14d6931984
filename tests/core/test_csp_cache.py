"""The policy header built once (powerdesk.core.csp): the same header django-csp would write, a view's own
policy still its own, and a settings change seen at once."""

from __future__ import annotations

import pytest
from csp.constants import NONCE, SELF
from csp.middleware import CSPMiddleware
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from powerdesk.core.csp import CachedPolicyCSPMiddleware

HEADER = "Content-Security-Policy"


def _answer(middleware_class, path="/", **attrs):
    def view(request):
        response = HttpResponse("ok")
        for name, value in attrs.items():
            setattr(response, name, value)
        return response

    request = RequestFactory().get(path)
    middleware = middleware_class(view)
    return request, middleware(request)


def test_a_plain_answer_gets_django_csps_own_header_every_time():
    _, expected = _answer(CSPMiddleware)
    for _ in range(3):
        _, response = _answer(CachedPolicyCSPMiddleware)
        assert response[HEADER] == expected[HEADER]
        assert "script-src 'self'" in response[HEADER]


def test_a_view_with_its_own_policy_keeps_it():
    _answer(CachedPolicyCSPMiddleware)  # the plain header is known
    _, response = _answer(CachedPolicyCSPMiddleware, _csp_update={"img-src": ["https://maps.example"]})
    assert "https://maps.example" in response[HEADER]
    _, plain = _answer(CachedPolicyCSPMiddleware)
    assert "https://maps.example" not in plain[HEADER]


@override_settings(CONTENT_SECURITY_POLICY={"DIRECTIVES": {"script-src": [SELF, NONCE]}})
def test_a_nonce_asked_for_is_in_the_header_and_not_kept():
    def view(request):
        return HttpResponse(str(request.csp_nonce))

    _answer(CachedPolicyCSPMiddleware)  # the plain header is known
    request = RequestFactory().get("/")
    response = CachedPolicyCSPMiddleware(view)(request)
    nonce = response.content.decode()
    assert f"'nonce-{nonce}'" in response[HEADER]
    _, plain = _answer(CachedPolicyCSPMiddleware)
    assert "script-src 'self'" in plain[HEADER]
    assert "nonce-" not in plain[HEADER]


def test_asking_for_a_nonce_after_the_header_is_an_error():
    from csp.exceptions import CSPNonceError

    _answer(CachedPolicyCSPMiddleware)
    request, _ = _answer(CachedPolicyCSPMiddleware)
    with pytest.raises(CSPNonceError):
        str(request.csp_nonce)


def test_a_settings_change_is_seen_at_once():
    _answer(CachedPolicyCSPMiddleware)
    changed = {"DIRECTIVES": {"default-src": ["'self'"], "report-uri": ["/csp-report/"]}}
    with override_settings(CONTENT_SECURITY_POLICY=changed):
        _, response = _answer(CachedPolicyCSPMiddleware)
        assert response[HEADER] == "default-src 'self'; report-uri /csp-report/"
    _, response = _answer(CachedPolicyCSPMiddleware)
    assert "report-uri" not in response[HEADER]
