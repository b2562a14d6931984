"""The monitoring's cost on the intake, A/B in one process: ``POST /api/v1/workorders/`` through the
middleware chain with and without the request id and the request metrics (powerdesk.core.logs,
powerdesk.core.metrics), alternating request by request so that both see the same machine load.

    PROMETHEUS_MULTIPROC_DIR=/tmp/prom .venv/bin/python bench/intake_ab_monitoring.py [-n 300] [--customers N]

On ``bench/intake.py``'s database (var/bench; seed a small one with ``bench/intake.py --customers 50000
--orders 50000 --seed-only --keep-server``). The intake counter itself is in both arms (one increment,
about 2 µs). Prints the median application CPU time per request of each arm.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import common
from common import log

MONITORING = ("powerdesk.core.logs.RequestIdMiddleware", "powerdesk.core.metrics.RequestMetricsMiddleware")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-n", type=int, default=300, help="measured requests per arm (after 100 warm-up)")
    parser.add_argument("--customers", type=int, default=1_000_000)
    args = parser.parse_args()
    common.django_setup()

    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler
    from django.test.utils import override_settings
    from intake_profile import bodies, environ_for

    from powerdesk.core import metrics

    with_monitoring = WSGIHandler()
    with override_settings(MIDDLEWARE=[m for m in settings.MIDDLEWARE if m not in MONITORING]):
        without = WSGIHandler()
    user = common.bench_user(common.AGENT_USERNAME, "agent", "B01")
    token = common.token_for(user)
    run = uuid.uuid4().hex[:8]
    rng = random.Random()
    cpu: dict[str, list[float]] = {"with": [], "without": []}

    def call(app, body: bytes, key: str) -> float:
        started = time.process_time()
        out = app(environ_for(body, token, key), lambda s, h, e=None: None)
        b"".join(out)
        out.close()
        return time.process_time() - started

    for i, body in enumerate(bodies(2 * (args.n + 100), args.customers, rng)):
        arm = "with" if i % 2 == 0 else "without"
        seconds = call(with_monitoring if arm == "with" else without, body, f"ab-{run}-{i}")
        if i >= 200:
            cpu[arm].append(seconds)
    log(f"multiprocess metrics: {metrics.MULTIPROCESS}")
    for arm, values in cpu.items():
        log(
            f"{arm:>7} monitoring: median {statistics.median(values) * 1000:.2f} ms, "
            f"mean {statistics.mean(values) * 1000:.2f} ms application CPU per intake ({len(values)} requests)"
        )
    diff = statistics.median(cpu["with"]) - statistics.median(cpu["without"])
    log(f"difference of the medians: {diff * 1e6:.0f} µs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
