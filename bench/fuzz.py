"""Fuzz every operation of the API's own OpenAPI schema over HTTP with schemathesis, and count.

    .venv/bin/powerdesk token manager --name fuzz          # a token (the manager: every transition)
    .venv/bin/python bench/fuzz.py --url http://127.0.0.1:8000 --token <secret> --max-examples 200

Against a running server (``make run`` serves the demo county): for each operation and each generation
mode (positive: valid by the schema; negative: invalid), ``--max-examples`` cases from a fixed ``--seed``.
Positive cases get real order numbers, account numbers, unit ids and codes (read from the API first) in
place of generated ones, so they reach the services instead of stopping at a 404. Every answer is checked:
no 5xx (``not_a_server_error``) and the body matches the documented schema of its status
(``response_schema_conformance``). Prints one line per operation (requests, answers by status, 5xx,
failed checks) and the totals, and exits 1 when any answer was a 5xx or failed a check.

The bounded run inside the test suite (``tests/api/test_fuzz_live.py``) calls :func:`fuzz` with a few
examples per operation against the live test server; longer runs belong here.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import requests
import schemathesis
from hypothesis import HealthCheck, given, seed, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

CHECKS = [not_a_server_error, response_schema_conformance]
MODES = {"positive": GenerationMode.POSITIVE, "negative": GenerationMode.NEGATIVE}
DEFAULT_SEED = 20261206


@dataclass
class Tally:
    """What one run sent and got."""

    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)  # "METHOD path → status" and how to reproduce
    failures: list[str] = field(default_factory=list)  # checks that failed, other than the 5xx
    by_operation: dict[str, Counter[int]] = field(default_factory=dict)

    def add(self, label: str, status: int) -> None:
        self.requests += 1
        self.statuses[status] += 1
        self.by_operation.setdefault(label, Counter())[status] += 1


def references(base_url: str, headers: dict[str, str]) -> dict[str, Any]:
    """Real values to put in positive cases, read through the API: an order number of each status the
    list shows first, an account number, a unit id, a staff username."""
    found: dict[str, Any] = {"topic": "fault_repair", "sub_type": None}
    answer = requests.get(
        f"{base_url}/api/v1/workorders/", headers=headers, params={"page_size": 50}, timeout=30
    )
    orders = answer.json().get("results", []) if answer.ok else []
    numbers = [o["number"] for o in orders if o.get("number")]
    if numbers:
        found["number"] = numbers[0]
        found["parent"] = numbers[-1]
        found["numbers"] = numbers
    for o in orders:
        unit = o.get("unit") or {}
        if isinstance(unit, dict) and unit.get("id"):
            found.setdefault("unit", unit["id"])
        if o.get("customer"):  # the account number
            found.setdefault("account_no", o["customer"])
            found.setdefault("customer", o["customer"])
        assignee = o.get("assignee") or {}
        if isinstance(assignee, dict) and assignee.get("username"):
            found.setdefault("assignee", assignee["username"])
    return found


def _label(operation: Any) -> str:
    return f"{operation.method.upper()} {operation.path}"


def fuzz(
    base_url: str,
    headers: dict[str, str],
    *,
    max_examples: int,
    seed_value: int = DEFAULT_SEED,
    modes: Iterable[GenerationMode] = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE),
    known: dict[str, Any] | None = None,
    prepare: Callable[[Any], None] | None = None,
    report: Callable[[str], None] | None = None,
) -> Tally:
    """Run every operation of ``{base_url}/api/schema/`` (see the module doc); never raises for a bad
    answer, it counts it. ``known`` are the real values positive cases use (:func:`references`);
    ``prepare(case)`` may change a positive case before it is sent (the test suite gives each transition
    a fresh order)."""
    schema = schemathesis.openapi.from_url(f"{base_url}/api/schema/", headers=headers, timeout=60)
    known = known if known is not None else references(base_url, headers)
    tally = Tally()
    session = requests.Session()
    for result in schema.get_all_operations():
        operation = result.ok()
        label = _label(operation)
        started = time.monotonic()
        for mode in modes:
            _fuzz_operation(
                operation, mode, base_url, headers, session, max_examples, seed_value, known, prepare, tally
            )
        if report is not None:
            counts = tally.by_operation.get(label, Counter())
            shown = " ".join(f"{status}×{n}" for status, n in sorted(counts.items()))
            report(
                f"{label:<55} {sum(counts.values()):5d} requests  {shown}  ({time.monotonic() - started:.1f}s)"
            )
    return tally


def _fuzz_operation(
    operation: Any,
    mode: GenerationMode,
    base_url: str,
    headers: dict[str, str],
    session: requests.Session,
    max_examples: int,
    seed_value: int,
    known: dict[str, Any],
    prepare: Callable[[Any], None] | None,
    tally: Tally,
) -> None:
    label = _label(operation)

    @seed(seed_value)
    @settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        if mode is GenerationMode.POSITIVE:
            _use_known(case, known)
            if prepare is not None:
                prepare(case)
        try:
            response = case.call(base_url=base_url, headers=headers, session=session, timeout=60)
        except requests.RequestException as exc:
            tally.failures.append(f"{label}: no answer ({exc.__class__.__name__})")
            return
        tally.add(label, response.status_code)
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except Exception as exc:  # a failed check: counted, the run goes on
            text = f"{label} → {response.status_code}: {str(exc).strip()[:600]}"
            if response.status_code >= 500:
                tally.server_errors.append(text)
            else:
                tally.failures.append(text)

    # Unsatisfiable: no case of this mode exists (e.g. nothing in the operation can be made invalid).
    with contextlib.suppress(Unsatisfiable):
        run()


def _use_known(case: Any, known: dict[str, Any]) -> None:
    """Put real values in place of generated ones, so a positive case gets past the look-ups."""
    for name in list(case.path_parameters or {}):
        if name in known:
            case.path_parameters[name] = known[name]
    if isinstance(case.body, dict):
        case.body.update({k: v for k, v in known.items() if k in case.body and k not in ("numbers",)})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="the running server")
    parser.add_argument("--token", required=True, help="an API token (powerdesk token USER --name fuzz)")
    parser.add_argument("--max-examples", type=int, default=100, help="cases per operation and mode")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--mode", choices=[*MODES, "both"], default="both")
    args = parser.parse_args(argv)
    headers = {"Authorization": f"Token {args.token}"}
    modes = list(MODES.values()) if args.mode == "both" else [MODES[args.mode]]
    started = time.monotonic()
    tally = fuzz(
        args.url.rstrip("/"),
        headers,
        max_examples=args.max_examples,
        seed_value=args.seed,
        modes=modes,
        report=lambda line: print(line, flush=True),
    )
    elapsed = time.monotonic() - started
    shown = " ".join(f"{status}×{n}" for status, n in sorted(tally.statuses.items()))
    print(
        f"\n{tally.requests} requests in {elapsed:.0f} s (seed {args.seed}, {args.max_examples} per operation and mode)"
    )
    print(f"answers: {shown}")
    print(f"5xx: {len(tally.server_errors)}   failed checks: {len(tally.failures)}")
    for line in [*tally.server_errors, *tally.failures][:40]:
        print(f"  {line}")
    return 1 if tally.server_errors or tally.failures else 0


if __name__ == "__main__":
    sys.exit(main())
