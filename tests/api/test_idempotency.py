"""Idempotency-Key: a retried request is applied once, even when the retries arrive at the same time."""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from powerdesk.workorders.models import Contact, WorkOrder
from tests.api.conftest import client_for, error

URL = "/api/v1/workorders/"


def _body(customer, **overrides):
    return {
        "business_type": "repair",
        "topic": "fault_repair",
        "customer": customer.account_no,
        "caller_phone": "13812345678",
        "description": "家里停电了",
        **overrides,
    }


def test_the_same_key_twice_gives_the_same_order_and_one_contact(api, customer):
    client = api("agent")
    first = client.post(URL, _body(customer), format="json", HTTP_IDEMPOTENCY_KEY="ivr-call-0001")
    again = client.post(URL, _body(customer), format="json", HTTP_IDEMPOTENCY_KEY="ivr-call-0001")
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["number"] == first.json()["number"]
    assert again.json()["intake"] == {
        "created": True,
        "repeat_call": False,
        "replayed": True,
        "contact_count": 1,
        "suggested_action": "",
        "action": "",
        "linked_order": None,
        "extra": {},
    }
    assert WorkOrder.objects.count() == 1 and Contact.objects.count() == 1


def test_a_replayed_repeat_call_does_not_count_twice(api, customer):
    client = api("agent")
    client.post(URL, _body(customer), format="json")
    for _ in range(2):
        response = client.post(
            URL, _body(customer, description="又停了"), format="json", HTTP_IDEMPOTENCY_KEY="k-2"
        )
    assert response.status_code == 200
    assert response.json()["intake"] == {
        "created": False,
        "repeat_call": True,
        "replayed": True,
        "contact_count": 2,
        # A replay reads what was stored: a repeat call keeps no record of the rule's suggestion apart
        # from its event.
        "suggested_action": "",
        "action": "",
        "linked_order": None,
        "extra": {},
    }
    assert WorkOrder.objects.get().contact_count == 2


def test_the_same_key_with_another_body_is_refused_with_409(api, customer):
    client = api("agent")
    client.post(URL, _body(customer), format="json", HTTP_IDEMPOTENCY_KEY="ivr-call-0002")
    response = client.post(
        URL, _body(customer, description="别的事情"), format="json", HTTP_IDEMPOTENCY_KEY="ivr-call-0002"
    )
    assert response.status_code == 409
    err = error(response)
    assert (
        err["code"] == "idempotency_key_reused" and err["message"] == "该幂等键已用于另一个不同内容的请求。"
    )
    assert Contact.objects.count() == 1


def test_a_key_already_used_for_a_transition_on_the_repeated_order_is_refused_not_a_crash(
    api, make_order, customer
):
    order = make_order()
    client = api("agent")
    assert (
        client.post(f"{URL}{order.number}/chase/", {}, format="json", HTTP_IDEMPOTENCY_KEY="K1").status_code
        == 200
    )
    response = client.post(
        URL, _body(customer, description="又来电"), format="json", HTTP_IDEMPOTENCY_KEY="K1"
    )
    assert response.status_code == 409 and error(response)["code"] == "idempotency_key_reused"
    order.refresh_from_db()
    assert order.contact_count == 1


@pytest.mark.parametrize("key", ["x" * 101, "带中文的键", "has space"])
def test_a_malformed_key_is_a_400(api, customer, key):
    response = api("agent").post(URL, _body(customer), format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert response.status_code == 400
    assert "Idempotency-Key" in error(response)["fields"]
    assert WorkOrder.objects.count() == 0


def test_a_retried_transition_is_applied_once(api, make_order):
    order = make_order()
    client = api("agent")
    for _ in range(3):
        response = client.post(
            f"{URL}{order.number}/chase/", {"note": "客户催促"}, format="json", HTTP_IDEMPOTENCY_KEY="chase-1"
        )
        assert response.status_code == 200
    order.refresh_from_db()
    assert order.chase_count == 1 and order.events.filter(kind="chase").count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_of_one_intake_make_one_order_and_one_contact(users, customer):
    """Eight retries of one request arrive together, each on its own connection: one order, one contact."""
    clients = [client_for(users["agent"]) for _ in range(8)]
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []
    numbers: set[str] = set()
    failures: list[BaseException] = []

    def retry(client) -> None:
        try:
            barrier.wait()
            response = client.post(URL, _body(customer), format="json", HTTP_IDEMPOTENCY_KEY="ivr-burst-77")
            statuses.append(response.status_code)
            numbers.add(response.json().get("number"))
        except BaseException as exc:  # surfaced below: a thread's assertion would otherwise vanish
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=retry, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert sorted(statuses) == [200] * 7 + [201]
    assert len(numbers) == 1
    assert WorkOrder.objects.count() == 1
    assert (
        Contact.objects.filter(idempotency_key="ivr-burst-77").count() == 1 and Contact.objects.count() == 1
    )


# --- a reused key on a transition (#12 item 2): the same request → the stored answer; else 409 -----------


def _chase(client, order, key, **body):
    return client.post(f"{URL}{order.number}/chase/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_a_replayed_transition_answers_the_order_it_left(api, make_order):
    order = make_order()
    client = api("agent")
    first = _chase(client, order, "chase-2", note="客户催促")
    again = _chase(client, order, "chase-2", note="客户催促")
    assert first.status_code == again.status_code == 200
    assert again.json()["version"] == first.json()["version"]


@pytest.mark.parametrize(
    "second",
    [
        pytest.param(lambda api, o: _chase(api("agent"), o, "K-1", note="另一个备注"), id="another-body"),
        pytest.param(
            lambda api, o: api("agent").post(
                f"{URL}{o.number}/escalate/", {"reason": "升级"}, format="json", HTTP_IDEMPOTENCY_KEY="K-1"
            ),
            id="another-transition",
        ),
        pytest.param(lambda api, o: _chase(api("dispatcher"), o, "K-1", note="客户催促"), id="another-user"),
        pytest.param(
            lambda api, o: api("agent").post(
                f"{URL}{o.number}/chase/",
                {"note": "客户催促"},
                format="json",
                HTTP_IDEMPOTENCY_KEY="K-1",
                HTTP_IF_MATCH=f'"{o.version}"',
            ),
            id="another-if-match",
        ),
    ],
)
def test_a_key_reused_for_another_transition_request_is_a_409(api, make_order, second):
    order = make_order()
    assert _chase(api("agent"), order, "K-1", note="客户催促").status_code == 200
    order.refresh_from_db()
    before = (order.version, order.events.count())

    response = second(api, order)

    assert response.status_code == 409, response.content
    assert error(response)["code"] == "idempotency_key_reused"
    order.refresh_from_db()
    assert (order.version, order.events.count()) == before


def test_a_transition_under_the_key_of_the_intake_that_opened_the_order_is_a_409(api, customer):
    client = api("agent")
    created = client.post(URL, _body(customer), format="json", HTTP_IDEMPOTENCY_KEY="ivr-call-0009")
    number = created.json()["number"]
    response = client.post(f"{URL}{number}/chase/", {}, format="json", HTTP_IDEMPOTENCY_KEY="ivr-call-0009")
    assert response.status_code == 409 and error(response)["code"] == "idempotency_key_reused"
