"""API test helpers: token clients per demo role, and orders made through the real services."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from powerdesk.org.models import User
from powerdesk.org.tokens import api_token_create
from powerdesk.workorders import services as s
from powerdesk.workorders.models import WorkOrder
from tests.factories import topic


def client_for(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        _token, secret = api_token_create(user=user, name="tests")
        client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


@pytest.fixture
def api(users) -> Callable[[str | None], APIClient]:
    """``api("agent")`` is a client authenticated with the agent's token; ``api(None)`` is anonymous."""
    return lambda name: client_for(users[name] if name else None)


@pytest.fixture
def make_order(users, customer) -> Callable[..., WorkOrder]:
    """An order taken by the agent (a new one each call: force_new skips repeat-call linking)."""

    def make(
        *,
        business_type: str = "repair",
        topic_code: str = "fault_repair",
        description: str = "整栋楼停电",
        **kwargs,
    ) -> WorkOrder:
        kwargs.setdefault("customer", customer)
        kwargs.setdefault("caller_phone", "13812345678")
        return s.workorder_intake(
            actor=users["agent"],
            business_type=business_type,
            topic=topic(topic_code),
            channel="95598",
            description=description,
            force_new=True,
            override_reason="测试",
            **kwargs,
        ).order

    return make


@pytest.fixture
def dispatched(make_order, users, county) -> Callable[..., WorkOrder]:
    """An order dispatched to the east station."""

    def make(**kwargs) -> WorkOrder:
        order = make_order(**kwargs)
        return s.workorder_dispatch(order=order, actor=users["dispatcher"], unit=county.east)

    return make


def error(response) -> dict:
    """The ``error`` object of a response, after checking the body has exactly the stable shape."""
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "fields"}, body
    return body["error"]
