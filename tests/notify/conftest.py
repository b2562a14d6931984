"""Fixtures of the notify tests: an outbox in tmp_path, a fake SMS gateway, an in-process worker."""

from __future__ import annotations

import importlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connection, connections
from procrastinate.contrib.django import app
from procrastinate.contrib.django.models import ProcrastinateJob

from powerdesk.notify.models import Notification
from powerdesk.notify.tasks import SEND_TASKS
from powerdesk.notify.transports import ConsoleTransport

SEED = importlib.import_module("powerdesk.notify.migrations.0002_seed_templates")
CATEGORIES = importlib.import_module("powerdesk.notify.migrations.0006_customer_messages")


def _clear() -> None:
    Notification.objects.all().delete()
    with connection.cursor() as cur:
        cur.execute("TRUNCATE procrastinate_jobs CASCADE")


@pytest.fixture
def committing(django_db_setup, django_db_blocker) -> Iterator[None]:
    """A database where transactions really commit (rollbacks, several connections, the worker).

    Not pytest-django's ``transactional_db``: its flush afterwards empties every table, and the seed
    data (roles, topics, policies) would be gone for the transactional tests of other apps that run
    later. These tests create notifications and jobs only, and remove exactly those. The templates are
    put back in case an earlier flush removed them."""
    with django_db_blocker.unblock():
        CATEGORIES.seed_categories(apps, None)  # the templates' column points at them
        SEED.seed(apps, None)
        _clear()
        try:
            yield
        finally:
            _clear()


@pytest.fixture
def outbox(settings, tmp_path) -> Path:
    settings.POWERDESK_NOTIFY_OUTBOX = tmp_path / "outbox"
    settings.POWERDESK_NOTIFY_TRANSPORT_SMS = "console"
    return tmp_path / "outbox" / ConsoleTransport.filename


def outbox_lines(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@dataclass
class FakeGateway:
    """An SMS gateway on 127.0.0.1 that records every request and de-duplicates on ``out_id``.

    ``answers`` is a queue of status codes for the next requests (then 200)."""

    url: str = ""
    requests: list[dict] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)
    # out_id → message id: the messages that reached a phone
    delivered: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, headers: dict[str, str], body: dict) -> tuple[int, dict]:
        with self.lock:
            self.requests.append({"headers": headers, "body": body})
            status = self.answers.pop(0) if self.answers else 200
            if status != 200:
                return status, {"error": f"status {status}"}
            out_id = body["out_id"]
            if out_id not in self.delivered:
                self.delivered[out_id] = f"gw-{len(self.delivered) + 1}"
            return 200, {"message_id": self.delivered[out_id]}


@pytest.fixture
def gateway(settings) -> Iterator[FakeGateway]:
    fake = FakeGateway()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            status, answer = fake.handle({k.lower(): v for k, v in self.headers.items()}, body)
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_port}/sms/send"
    settings.POWERDESK_NOTIFY_TRANSPORT_SMS = "http"
    settings.POWERDESK_SMS_URL = fake.url
    settings.POWERDESK_SMS_KEY = "test-key"
    settings.POWERDESK_SMS_SIGN = "国网青溪供电"
    yield fake
    server.shutdown()
    server.server_close()


def _close_thread_connections(call_next, context, worker):
    # Sync tasks run in executor threads, each with its own Django connection; close them so the test
    # database can be dropped at the end of the session.
    try:
        return call_next()
    finally:
        connections.close_all()


def run_worker(queues: tuple[str, ...] = ("notify",)) -> None:
    """Run the Procrastinate worker in-process until ``queues`` have nothing due, the way
    ``powerdesk worker`` runs it (the Django connector swapped for a psycopg one)."""
    with app.replace_connector(app.connector.get_worker_connector()):
        app.run_worker(
            queues=list(queues),
            wait=False,
            install_signal_handlers=False,
            listen_notify=False,
            task_middleware=[_close_thread_connections],
        )


def send_jobs() -> list[ProcrastinateJob]:
    jobs = ProcrastinateJob.objects.filter(task_name__in=SEND_TASKS)
    return list(jobs.order_by("id"))


def job_targets(jobs: list[ProcrastinateJob]) -> list[int]:
    """The notification ids the jobs send, in job order."""
    return [pk for job in jobs for pk in job.args["notification_ids"]]
