"""Two workers on one notification at once: one claims it, the transport is called once."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connections, transaction

from powerdesk.notify import services
from powerdesk.notify.models import NotificationState
from powerdesk.notify.services import SendInProgress, notification_send
from powerdesk.notify.transports import SendResult, Transport
from tests.notify.conftest import send_jobs
from tests.notify.helpers import enqueue

pytestmark = pytest.mark.usefixtures("committing")


class SlowCountingTransport(Transport):
    def __init__(self):
        self.sent: list[int] = []
        self.lock = threading.Lock()

    def send(self, notification):
        time.sleep(0.2)  # long enough for the other worker to try its claim meanwhile
        with self.lock:
            self.sent.append(notification.pk)
        return SendResult(provider_id=f"slow-{notification.pk}")


def test_two_concurrent_sends_of_one_notification_call_the_transport_once(monkeypatch):
    transport = SlowCountingTransport()
    monkeypatch.setattr(services, "transport_for", lambda channel: transport)
    notification = enqueue()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def worker():
        try:
            barrier.wait()
            result = notification_send(notification_id=notification.pk)
            outcomes.append(result.state)
        except SendInProgress:
            outcomes.append("in_progress")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert transport.sent == [notification.pk]
    assert sorted(outcomes) == ["in_progress", NotificationState.SENT]
    notification.refresh_from_db()
    assert notification.state == NotificationState.SENT and notification.attempts == 1


def test_two_transactions_enqueueing_one_cause_at_once_create_one_notification():
    barrier = threading.Barrier(2)
    results: list[object] = []

    def sweep_like():
        try:
            with transaction.atomic():
                barrier.wait()
                results.append(enqueue(dedupe_key="clock:9:step:1"))
                time.sleep(0.2)  # hold the transaction open while the other one inserts
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sweep_like) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert len(results) == 2 and results.count(None) == 1
    assert len(send_jobs()) == 1
