"""``/metrics``: who may scrape, and what is added at scrape time to what the processes counted.

The counters and histograms are written by every process (:mod:`powerdesk.core.metrics`); in
prometheus_client's multiprocess mode (``PROMETHEUS_MULTIPROC_DIR``, set by the launcher) a scrape adds
up the files of every process of the host, web workers and job worker alike. Read at scrape time from
the database, never on a request's path: the job queue's depth by queue and status, and the age of the
freshest worker heartbeat.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Iterator

from django.conf import settings
from django.db import Error as DatabaseError
from django.db import connection
from django.http import HttpRequest
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from powerdesk.core.metrics import MULTIPROCESS
from powerdesk.core.net import client_address
from powerdesk.ops.checks import HEARTBEAT_SQL


def may_scrape(request: HttpRequest) -> bool:
    """A request with the bearer token ``POWERDESK_METRICS_TOKEN``, or from an address in
    ``POWERDESK_METRICS_ALLOW``; neither configured: nobody."""
    token = settings.POWERDESK_METRICS_TOKEN
    if token:
        offered = request.META.get("HTTP_AUTHORIZATION", "")
        scheme, _sep, value = offered.partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(value.strip().encode(), token.encode()):
            return True
    allowed = settings.POWERDESK_METRICS_ALLOW
    address = client_address(request)
    if not allowed or address is None:
        return False
    client = ipaddress.ip_address(address)
    return any(client in ipaddress.ip_network(spec, strict=False) for spec in allowed)


class DatabaseCollector(Collector):
    """The job queue (Procrastinate's table) and the workers' heartbeats, as they are at the scrape."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        up = GaugeMetricFamily("powerdesk_database_up", "Whether the scrape could read the database")
        depth = GaugeMetricFamily(
            "powerdesk_queue_jobs",
            "Jobs waiting (todo) or running (doing), by queue",
            labels=["queue", "status"],
        )
        heartbeat = GaugeMetricFamily(
            "powerdesk_worker_heartbeat_age_seconds", "Seconds since the freshest job worker heartbeat"
        )
        workers = GaugeMetricFamily("powerdesk_workers", "Job workers registered with a heartbeat")
        try:
            with connection.cursor() as cur:
                cur.execute(
                    "SELECT queue_name, status::text, count(*) FROM procrastinate_jobs"
                    " WHERE status IN ('todo', 'doing') GROUP BY 1, 2 ORDER BY 1, 2"
                )
                rows = cur.fetchall()
                cur.execute(HEARTBEAT_SQL)
                count, age = cur.fetchone()
        except DatabaseError:
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        for queue, status, jobs in rows:
            depth.add_metric([queue, status], jobs)
        yield depth
        workers.add_metric([], count)
        yield workers
        if age is not None:
            heartbeat.add_metric([], float(age))
            yield heartbeat


def exposition() -> bytes:
    """The text a scrape gets: every process's metrics (multiprocess mode) or this process's, and the
    database's."""
    if MULTIPROCESS:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = CollectorRegistry()
        registry.register(_ThisProcess())
    registry.register(DatabaseCollector())
    return generate_latest(registry)


class _ThisProcess(Collector):
    """The default registry's metrics (this process's), under a registry of the scrape's own."""

    def collect(self) -> Iterator:  # type: ignore[type-arg]
        yield from REGISTRY.collect()
