"""Where a request comes from: the client's address, decided here for every caller (the audit trail,
the login throttle, the API token throttle).

Behind a reverse proxy every request arrives from the proxy, and the client's own address is in
``X-Forwarded-For``, a header anyone can also send directly. So the header is believed only as far as it
was written by proxies the operator named in ``POWERDESK_TRUSTED_PROXIES`` (addresses or networks): read
from the right, each hop appended by a trusted proxy is skipped, and the first address that is not a
trusted proxy is the client. Without trusted proxies (the default) the header is ignored and the client
is the peer of the connection (``REMOTE_ADDR``).
"""

from __future__ import annotations

import ipaddress
from functools import cache
from typing import Any

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@cache
def _trusted(spec: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in spec if item.strip())


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def client_address(request: Any) -> str | None:
    """The client's IP address as text, or None when the request carries none that parses."""
    meta = getattr(request, "META", None) or {}
    peer = _address(str(meta.get("REMOTE_ADDR") or ""))
    if peer is None:
        return None
    trusted = _trusted(tuple(settings.POWERDESK_TRUSTED_PROXIES))
    if not trusted or not any(peer in net for net in trusted):
        return str(peer)
    client = peer
    forwarded = str(meta.get("HTTP_X_FORWARDED_FOR") or "")
    for hop in reversed([part for part in forwarded.split(",") if part.strip()]):
        address = _address(hop)
        if address is None:  # a hop that is no address: nothing left of it can be believed
            break
        client = address
        if not any(address in net for net in trusted):
            break
    return str(client)
