"""A bounded schemathesis run over HTTP against the live test server (#12): every operation of
/api/schema/, positive and negative cases from a fixed seed; no answer may be a 5xx, and every answer must
match the documented schema of its status. Longer runs: ``bench/fuzz.py`` against a running server."""

from __future__ import annotations

import pytest

from bench.fuzz import fuzz
from powerdesk.org.tokens import api_token_create
from powerdesk.workorders import services as s
from tests.seed import ensure_seeded

pytestmark = pytest.mark.django_db(transaction=True)

MAX_EXAMPLES = 3  # per operation and mode: 27 operations × 2 modes × 3 ≈ 160 requests, ~35 s
SEED = 20261206


@pytest.fixture
def seeded_live(transactional_db, users, county, make_order, west_customer, settings, tmp_path):
    """Committed data the live server's threads see: orders in a few states, a token of the manager
    (every transition, every unit, personal data masked: the widest code paths)."""
    ensure_seeded()
    settings.MEDIA_ROOT = tmp_path
    dispatched = s.workorder_dispatch(order=make_order(), actor=users["dispatcher"], unit=county.east)
    parent = make_order(customer=west_customer, business_type="complaint", topic_code="communication")
    _token, secret = api_token_create(user=users["manager"], name="fuzz")
    return dispatched, parent, {"Authorization": f"Token {secret}"}


def test_every_operation_answers_without_a_5xx_and_as_documented(
    live_server, seeded_live, customer, county, make_order, capsys
):
    dispatched, parent, headers = seeded_live
    known = {
        "number": dispatched.number,
        "account_no": customer.account_no,
        "customer": customer.account_no,
        "topic": "fault_repair",
        "sub_type": None,
        "unit": county.east.pk,
        "assignee": "repair",
        "parent": parent.number,
    }

    def fresh_order(case) -> None:
        """A positive case of a transition acts on an order of its own, just taken (已受理): one case's
        merge or archive does not leave the next ones nothing but 409s."""
        if case.operation.method.upper() == "POST" and "number" in (case.path_parameters or {}):
            case.path_parameters["number"] = make_order().number

    tally = fuzz(
        live_server.url, headers, max_examples=MAX_EXAMPLES, seed_value=SEED, known=known, prepare=fresh_order
    )

    with capsys.disabled():
        shown = " ".join(f"{status}×{n}" for status, n in sorted(tally.statuses.items()))
        print(
            f"\nschemathesis (live, seed {SEED}): {tally.requests} requests, "
            f"{len(tally.by_operation)} operations: {shown}"
        )
    assert len(tally.by_operation) >= 27, sorted(tally.by_operation)
    assert not tally.server_errors, "\n".join(tally.server_errors)
    assert not tally.failures, "\n".join(tally.failures)
