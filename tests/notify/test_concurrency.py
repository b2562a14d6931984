"""Two workers on one notification at once: one claims it, the transport is called once."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections, transaction

from powerdesk.notify import services
from powerdesk.notify.models import NotificationState
from powerdesk.notify.services import SendInProgress, notification_send
from powerdesk.notify.transports import SendResult, Transport
from tests.notify.conftest import send_jobs
from tests.notify.helpers import enqueue

pytestmark = pytest.mark.usefixtures("committing")


class HeldCountingTransport(Transport):
    """Counts its sends; each send waits until ``release`` is set (bounded), so the other worker tries
    its claim while this one is sending."""

    def __init__(self):
        self.sent: list[int] = []
        self.lock = threading.Lock()
        self.release = threading.Event()

    def send(self, notification):
        assert self.release.wait(timeout=10), "the other worker never tried its claim"
        with self.lock:
            self.sent.append(notification.pk)
        return SendResult(provider_id=f"held-{notification.pk}")


def test_two_concurrent_sends_of_one_notification_call_the_transport_once(monkeypatch):
    transport = HeldCountingTransport()
    monkeypatch.setattr(services, "transport_for", lambda channel: transport)
    notification = enqueue()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def worker():
        try:
            barrier.wait(timeout=10)
            result = notification_send(notification_id=notification.pk)
            outcomes.append(result.state)
        except SendInProgress:
            outcomes.append("in_progress")
            transport.release.set()  # this worker's claim failed while the other held the row
        finally:
            transport.release.set()  # never leave the other worker waiting (a failure shows in outcomes)
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not any(t.is_alive() for t in threads)

    assert transport.sent == [notification.pk]
    assert sorted(outcomes) == ["in_progress", NotificationState.SENT]
    notification.refresh_from_db()
    assert notification.state == NotificationState.SENT and notification.attempts == 1


def _waits_for_a_lock(pid: int) -> bool:
    with connection.cursor() as cur:
        cur.execute("SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cur.fetchone()
    return bool(row and row[0])


def test_two_transactions_enqueueing_one_cause_at_once_create_one_notification():
    barrier = threading.Barrier(2)
    results: list[object] = []
    pids: list[int] = []
    errors: list[BaseException] = []

    def sweep_like():
        try:
            with transaction.atomic():
                with connection.cursor() as cur:
                    cur.execute("SELECT pg_backend_pid()")
                    pids.append(cur.fetchone()[0])
                barrier.wait(timeout=10)
                result = enqueue(dedupe_key="clock:9:step:1")
                results.append(result)
                if result is not None:
                    # The first insert holds the key: stay open until the other transaction waits on it
                    # (its insert cannot finish before this one commits or rolls back).
                    [other] = [p for p in pids if p != connection.connection.info.backend_pid]
                    deadline = time.monotonic() + 10
                    while not _waits_for_a_lock(other):
                        if time.monotonic() > deadline:
                            raise TimeoutError("the other insert never waited for this one")
                        time.sleep(0.01)
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sweep_like) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not any(t.is_alive() for t in threads)

    assert not errors
    assert len(results) == 2 and results.count(None) == 1
    assert len(send_jobs()) == 1
