"""The API keeps its own OpenAPI contract: schemathesis generates requests from /api/schema/, runs them
through the WSGI app against seeded data with a valid token, and checks that no answer is a server
error and every answer matches the documented status codes, content types and response schemas."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
MAX_EXAMPLES = 30
BOTH = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]


@pytest.fixture
def wsgi_app() -> Iterator[object]:
    """The real WSGI app, run inside the test's transaction. Django closes the connection when a request
    finishes, which would end that transaction; Django's own test client unhooks it the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def schema(wsgi_app, db):
    return schemathesis.openapi.from_wsgi("/api/schema/", wsgi_app)


@pytest.fixture
def auth(users) -> dict[str, str]:
    """The service manager: every transition, every unit, personal data masked: the widest code paths."""
    from powerdesk.org.tokens import api_token_create

    _token, secret = api_token_create(user=users["manager"], name="schemathesis")
    return {"Authorization": f"Token {secret}"}


@pytest.fixture
def seeded(make_order, users, county, west_customer):
    """A few orders in different states besides the fixture customers."""
    from powerdesk.workorders import services as s

    order = s.workorder_dispatch(order=make_order(), actor=users["dispatcher"], unit=county.east)
    make_order(customer=west_customer, business_type="complaint", topic_code="communication")
    return order


def fuzz(
    operation,
    mode: GenerationMode,
    auth: dict[str, str],
    before: Callable[[schemathesis.Case], None] | None = None,
    **fixed,
) -> None:
    @settings(
        max_examples=MAX_EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    @given(case=operation.as_strategy(generation_mode=mode, **fixed))
    def run(case: schemathesis.Case) -> None:
        if before is not None:
            before(case)
        case.call_and_validate(headers=auth, checks=CHECKS)

    run()


def known_references(
    mode: GenerationMode, references: dict[str, object]
) -> Callable[[schemathesis.Case], None]:
    """In positive mode, swap generated codes and ids for ones that exist, so the generated bodies get
    past the look-ups into the services; negative mode keeps whatever was generated."""

    def before(case: schemathesis.Case) -> None:
        if mode is GenerationMode.POSITIVE and isinstance(case.body, dict):
            case.body.update({k: v for k, v in references.items() if k in case.body})

    return before


@pytest.mark.parametrize("mode", BOTH)
def test_intake_keeps_the_contract(mode, schema, auth, seeded, customer):
    references = {"topic": "fault_repair", "sub_type": None, "customer": customer.account_no}
    fuzz(schema["/api/v1/workorders/"]["POST"], mode, auth, before=known_references(mode, references))


@pytest.mark.parametrize("mode", BOTH)
def test_the_order_list_keeps_the_contract(mode, schema, auth, seeded):
    fuzz(schema["/api/v1/workorders/"]["GET"], mode, auth)


def test_the_order_detail_keeps_the_contract(schema, auth, seeded):
    operation = schema["/api/v1/workorders/{number}/"]["GET"]
    fuzz(operation, GenerationMode.POSITIVE, auth)  # mostly unknown numbers: 404
    fuzz(operation, GenerationMode.POSITIVE, auth, path_parameters={"number": seeded.number})


@pytest.mark.parametrize("mode", BOTH)
def test_the_customer_search_keeps_the_contract(mode, schema, auth, seeded):
    fuzz(schema["/api/v1/customers/"]["GET"], mode, auth)


def test_the_customer_page_keeps_the_contract(schema, auth, seeded, customer):
    operation = schema["/api/v1/customers/{account_no}/"]["GET"]
    fuzz(operation, GenerationMode.POSITIVE, auth)
    fuzz(operation, GenerationMode.POSITIVE, auth, path_parameters={"account_no": customer.account_no})


@pytest.mark.parametrize("code", ["dispatch", "merge", "escalate", "note", "callback"])
@pytest.mark.parametrize("mode", BOTH)
def test_transitions_keep_the_contract(code, mode, schema, auth, seeded, make_order, county):
    """Positive examples each act on a fresh 已受理 order, so generated bodies reach the services (callback,
    not allowed from 已受理, covers the refusal); negative ones, refused on their input, share one order."""
    operation = schema[f"/api/v1/workorders/{{number}}/{code}/"]["POST"]
    if mode is GenerationMode.NEGATIVE:
        fuzz(operation, mode, auth, path_parameters={"number": make_order().number})
        return
    substitute = known_references(
        mode, {"unit": county.east.pk, "assignee": "repair", "parent": seeded.number}
    )

    def fresh_order(case: schemathesis.Case) -> None:
        case.path_parameters = {"number": make_order().number}
        substitute(case)

    fuzz(operation, mode, auth, before=fresh_order)


def test_attachments_keep_the_contract(schema, auth, seeded, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    operation = schema["/api/v1/workorders/{number}/attachments/"]["POST"]
    fuzz(operation, GenerationMode.POSITIVE, auth, path_parameters={"number": seeded.number})
