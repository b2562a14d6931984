"""The client's address, read in one place: X-Forwarded-For is believed only as far as trusted proxies
wrote it (POWERDESK_TRUSTED_PROXIES)."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from powerdesk.core.net import client_address


def request(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.POWERDESK_TRUSTED_PROXIES = []
    assert client_address(request("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


@pytest.mark.parametrize(
    ("forwarded", "client"),
    [
        ("198.51.100.1", "198.51.100.1"),
        # A client that sends its own header: only the hop the proxy appended is believed.
        ("1.2.3.4, 198.51.100.1", "198.51.100.1"),
        # Two trusted proxies in a row: the first address before them.
        ("198.51.100.1, 10.0.0.7", "198.51.100.1"),
        ("", "10.0.0.5"),
        ("not-an-address", "10.0.0.5"),
    ],
)
def test_behind_trusted_proxies_the_first_untrusted_hop_is_the_client(settings, forwarded, client):
    settings.POWERDESK_TRUSTED_PROXIES = ["10.0.0.0/24"]
    assert client_address(request("10.0.0.5", forwarded)) == client


def test_a_request_not_from_a_trusted_proxy_cannot_claim_an_address(settings):
    settings.POWERDESK_TRUSTED_PROXIES = ["10.0.0.0/24"]
    assert client_address(request("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


def test_no_address_is_none():
    assert client_address(request("")) is None
