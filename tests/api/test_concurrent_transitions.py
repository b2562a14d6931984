"""Transitions racing each other through the API (#12 item 1): every answer is 200 or 409, never a 500.

A transfer, return or dispatch that commits while other requests wait for the order's row lock changes
the order's unit; the waiting requests must then see the order as it stands, not lose the row. These
tests commit for real: each thread has its own connection, released together by a barrier."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from powerdesk.workorders.choices import EventKind
from powerdesk.workorders.models import WorkOrder, WorkOrderEvent
from tests.api.conftest import client_for
from tests.seed import ensure_seeded
from tests.workorders.helpers import run_at_once

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def committing(transactional_db) -> None:
    ensure_seeded()


at_once = run_at_once


def _post(client, path: str, body: dict, **headers) -> Callable[[], object]:
    client.raise_request_exception = False  # a crash is a 500 answer here, as a real client sees it
    return lambda: client.post(path, body, format="json", **headers)


def _statuses(results: list[object]) -> list[object]:
    return [r.status_code if hasattr(r, "status_code") else repr(r) for r in results]


@pytest.mark.parametrize("mover", ["transfer", "return"])
def test_notes_and_chases_racing_a_move_to_another_unit_answer_200_or_409(users, county, dispatched, mover):
    order = dispatched()
    base = f"/api/v1/workorders/{order.number}"
    body = {"unit": county.west.pk, "reason": "改派"} if mover == "transfer" else {"reason": "不属本所"}
    mover_user = users["dispatcher" if mover == "transfer" else "repair"]
    calls = [_post(client_for(mover_user), f"{base}/{mover}/", body)]
    for i in range(8):
        who, code, payload = (
            ("callback", "note", {"text": f"备注{i}"}) if i % 2 else ("agent", "chase", {"note": f"催{i}"})
        )
        calls.append(_post(client_for(users[who]), f"{base}/{code}/", payload))

    results = at_once(calls)

    statuses = _statuses(results)
    assert set(statuses) <= {200, 409}, statuses
    assert statuses[0] == 200, statuses  # nothing the others do is a conflict for a move without If-Match
    # Without If-Match every note and chase applies to the order as it stands after the lock.
    assert statuses.count(200) == 9, statuses
    order = WorkOrder.objects.get(pk=order.pk)
    kinds = list(WorkOrderEvent.objects.filter(order=order).values_list("kind", flat=True))
    assert kinds.count(EventKind.NOTE) == 4 and kinds.count(EventKind.CHASE) == 4


def test_a_version_that_moved_while_waiting_for_the_lock_is_a_409(users, county, dispatched):
    order = dispatched()
    base = f"/api/v1/workorders/{order.number}"
    version = f'"{order.version}"'
    calls = [
        _post(
            client_for(users["dispatcher"]), f"{base}/transfer/", {"unit": county.west.pk, "reason": "改派"}
        ),
        *(
            _post(client_for(users["callback"]), f"{base}/note/", {"text": f"备注{i}"}, HTTP_IF_MATCH=version)
            for i in range(6)
        ),
    ]

    statuses = _statuses(at_once(calls))

    assert set(statuses) <= {200, 409}, statuses
    # One version, seven requests: the transfer (no If-Match) always applies; the notes that locked after
    # any other write see a newer version.
    assert statuses[0] == 200
    assert statuses[1:].count(200) <= 1, statuses
