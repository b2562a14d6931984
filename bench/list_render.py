"""The console's order list in one process: CPU per page, and what rendering its parts costs.

    .venv/bin/python bench/list_render.py [-n 100]

On the bench database under ``var/bench`` (seeded by ``bench/intake.py --seed-only`` first), as the
dispatcher of county B01-01 (``bench/lists.py``'s user), with ``queue=all`` (50 rows on the page):

* the whole page through Django's test client (middleware, view, queries, template): CPU per request;
* the same list from the API (``GET /api/v1/workorders/``, token): CPU per request;
* the 50 rows alone (``workorders/_order_rows.html`` with the page's orders, as the list includes it);
* the filter form alone (every field rendered, as the list shows them).

CPU time (``time.process_time``), not wall time: waits for PostgreSQL are not the application's cost.
Prints medians; the host's speed (the calibration loop of ``bench/intake_profile.py``) varies by minute
on this VM, so compare runs made at similar speeds.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import common
from common import log

DISPATCHER = "bench_dispatcher"
QUERY = {"queue": "all"}


def cpu_ms(work, n: int, warm_up: int = 10) -> float:
    for _ in range(warm_up):
        work()
    times = []
    for _ in range(n):
        started = time.process_time()
        work()
        times.append(time.process_time() - started)
    return statistics.median(times) * 1000


def calibrate() -> float:
    started = time.process_time()
    for _ in range(20000):
        sum(range(1000))
    return (time.process_time() - started) / 20000 * 1e6


def filter_form_for(user):
    """The list's filter form, unbound as on a first visit."""
    try:
        from powerdesk.workorders.filters import OrderFilterSet
    except ImportError:  # before the FilterSet
        from powerdesk.workorders.forms import OrderFilterForm

        return OrderFilterForm(None, user=user)
    return OrderFilterSet({}, user=user, default_queue="mine").form


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-n", type=int, default=100, help="timed repetitions of each measurement")
    parser.add_argument(
        "--profile", type=int, default=0, metavar="TOP", help="profile the page: top functions"
    )
    args = parser.parse_args()
    common.django_setup()

    from django.template.loader import render_to_string
    from django.test import Client, RequestFactory

    from powerdesk.core import clock
    from powerdesk.workorders.models import WorkOrder

    user = common.bench_user(DISPATCHER, "dispatcher", "B01-01")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    response = client.get("/orders/", QUERY)
    assert response.status_code == 200, response.status_code
    # The page's orders, loaded as the list loads them (the test client keeps no context outside tests).
    numbers = list(dict.fromkeys(re.findall(r'class="mono" href="[^"]*/(\d{14})/"', response.text)))
    orders = sorted(
        WorkOrder.objects.filter(number__in=numbers).select_related(
            "topic", "unit", "customer", "assignee", "sub_type"
        ),
        key=lambda o: numbers.index(o.number),
    )
    form = filter_form_for(user)
    log(f"{len(orders)} rows on the page")

    request = RequestFactory().get("/orders/", QUERY)
    request.user = user

    def page() -> None:
        assert client.get("/orders/", QUERY).status_code == 200

    api = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Token {common.token_for(user)}")

    def api_list() -> None:
        assert api.get("/api/v1/workorders/", QUERY).status_code == 200

    def rows() -> None:
        render_to_string(
            "workorders/_order_rows.html", {"orders": orders, "now": clock.now()}, request=request
        )

    def filter_form() -> None:
        for field in form:
            str(field)

    if args.profile:
        import cProfile
        import pstats

        page()
        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
        for _ in range(args.n):
            page()
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.profile)
        return 0
    log(f"host speed: {calibrate():.1f} µs per calibration loop (8.0–9.5 is this host's normal)")
    log(f"whole page (test client): median {cpu_ms(page, args.n):.2f} ms CPU")
    log(f"API list (test client):   median {cpu_ms(api_list, args.n):.2f} ms CPU")
    log(f"50 rows alone:            median {cpu_ms(rows, args.n):.2f} ms CPU")
    log(f"filter form alone:        median {cpu_ms(filter_form, args.n):.2f} ms CPU")
    log(f"host speed: {calibrate():.1f} µs per calibration loop")
    return 0


if __name__ == "__main__":
    sys.exit(main())
