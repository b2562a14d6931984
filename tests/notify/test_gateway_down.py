"""The SMS gateway down for an hour: the send job retries with growing waits (SendRetryPolicy, data) for
longer than that, then the message is failed for good and listed in the console, where a user who may
write on the order sends it again (audited); it then goes out once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.urls import reverse
from procrastinate.contrib.django.models import ProcrastinateJob

from powerdesk.audit.models import AuditEntry
from powerdesk.core import clock
from powerdesk.core.jobs import defer_in_transaction
from powerdesk.notify import rules
from powerdesk.notify.failures import send_retry_in
from powerdesk.notify.models import Notification, NotificationState, NotificationTemplate, SendRetryPolicy
from powerdesk.notify.tasks import SEND_RETRY, send_notification
from powerdesk.notify.transports import TransientError
from tests.notify.conftest import run_worker, send_jobs
from tests.notify.helpers import enqueue
from tests.workorders.helpers import intake


def _waits(policy: SendRetryPolicy) -> list[int]:
    waits = []
    for attempts in range(1, 100):
        wait = rules.send_retry_wait(
            attempts=attempts,
            max_attempts=policy.max_attempts,
            first_wait_seconds=policy.first_wait_seconds,
            factor=policy.factor,
            max_wait_seconds=policy.max_wait_seconds,
        )
        if wait is None:
            return waits
        waits.append(wait)
    raise AssertionError("the policy never gives up")


@pytest.mark.django_db
def test_the_seeded_policy_retries_for_longer_than_an_hour_with_growing_waits():
    policy = SendRetryPolicy.current()
    assert policy.pk is not None  # a seeded row, not the model's defaults
    waits = _waits(policy)
    assert waits == [30, 60, 120, 240, 480, 900, 900, 900, 900]
    assert sum(waits) > 3600


def test_the_wait_grows_by_the_factor_up_to_the_cap_and_stops_at_the_last_attempt():
    wait = dict(max_attempts=4, first_wait_seconds=10, factor=3, max_wait_seconds=50)
    assert [rules.send_retry_wait(attempts=n, **wait) for n in (1, 2, 3, 4, 5)] == [10, 30, 50, None, None]


@pytest.mark.django_db
def test_an_edited_policy_is_what_the_jobs_follow():
    SendRetryPolicy.objects.update(max_attempts=3, first_wait_seconds=5, factor=10, max_wait_seconds=1000)
    assert [send_retry_in(attempts=n) for n in (1, 2, 3)] == [5, 50, None]


def test_the_strategy_retries_only_a_transient_error_that_carries_a_wait():
    waiting = TransientError("gateway down")
    waiting.retry_in_seconds = 60  # type: ignore[attr-defined]
    last = TransientError("gateway down")
    last.retry_in_seconds = None  # type: ignore[attr-defined]
    job = object()
    assert SEND_RETRY.get_retry_decision(exception=waiting, job=job) is not None  # type: ignore[arg-type]
    assert SEND_RETRY.get_retry_decision(exception=last, job=job) is None  # type: ignore[arg-type]
    assert SEND_RETRY.get_retry_decision(exception=ValueError(), job=job) is None  # type: ignore[arg-type]


@pytest.mark.usefixtures("committing")
def test_a_gateway_down_for_an_hour_is_retried_then_the_message_is_failed_and_resent_once(gateway):
    policy = SendRetryPolicy.current()
    waits = _waits(policy)
    gateway.answers = [503] * policy.max_attempts
    notification = enqueue()

    for attempt, wait in enumerate([*waits, None], start=1):
        before = dt.datetime.now(dt.UTC)
        run_worker()
        [job] = send_jobs()
        notification.refresh_from_db()
        assert notification.attempts == attempt and notification.state == NotificationState.FAILED
        if wait is None:
            assert job.status == "failed" and notification.permanent_error
            break
        assert job.status == "todo" and not notification.permanent_error
        waited = (job.scheduled_at - before).total_seconds()
        assert wait - 1 <= waited <= wait + 30
        with connection.cursor() as cur:  # the hour passes
            cur.execute("UPDATE procrastinate_jobs SET scheduled_at = now() WHERE status = 'todo'")
    assert len(gateway.requests) == policy.max_attempts and not gateway.delivered

    # Nothing retries it any more …
    run_worker()
    assert len(gateway.requests) == policy.max_attempts

    # … until it is sent again (the service the console's button calls; its page is tested below).
    Notification.objects.filter(pk=notification.pk).update(
        state=NotificationState.PENDING, permanent_error=False
    )

    defer_in_transaction(send_notification, {"notification_id": notification.pk})
    run_worker()
    notification.refresh_from_db()
    assert notification.state == NotificationState.SENT
    assert len(gateway.delivered) == 1


@pytest.fixture
def failed(users, customer):
    order = intake(users, customer)
    return Notification.objects.create(
        recipient_address="13812345678",
        channel="sms",
        template=NotificationTemplate.objects.get(code="sla_warning"),
        text="您的工单已受理",
        order=order,
        state=NotificationState.FAILED,
        permanent_error=True,
        attempts=10,
        last_error="HTTP 503",
        created_at=clock.now(),
    )


@pytest.mark.django_db
def test_the_console_lists_failed_messages_and_resends_one_with_an_audit_entry(client, users, failed):
    client.force_login(users["agent"])
    page = client.get(reverse("notify:failed"))
    body = page.content.decode()
    assert page.status_code == 200 and failed.order.number in body and "HTTP 503" in body

    response = client.post(reverse("notify:resend", args=[failed.pk]))

    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.state == NotificationState.PENDING and not failed.permanent_error
    [job] = ProcrastinateJob.objects.filter(task_name="powerdesk.notify.tasks.send_notification")
    assert job.args == {"notification_id": failed.pk, "created_at": failed.created_at.isoformat()}
    assert job.status == "todo"
    [entry] = AuditEntry.objects.filter(kind="notification_resent")
    assert entry.actor == users["agent"] and entry.target == f"notify.notification:{failed.pk}"
    assert entry.data == {"attempts": 10, "error": "HTTP 503"}
    assert failed.order.number not in client.get(reverse("notify:failed")).content.decode()


@pytest.mark.django_db
def test_a_message_that_is_not_failed_is_not_resent(client, users, failed):
    Notification.objects.filter(pk=failed.pk).update(state=NotificationState.SENT)
    client.force_login(users["agent"])
    response = client.post(reverse("notify:resend", args=[failed.pk]), follow=True)
    assert "只有发送失败的通知可以重发。" in response.content.decode()
    assert not AuditEntry.objects.filter(kind="notification_resent").exists()


@pytest.mark.django_db
def test_a_role_that_may_not_write_on_orders_may_not_resend(client, users, failed):
    from tests.factories import UserFactory

    auditor = UserFactory.with_role("auditor", failed.order.unit, username="auditor1")
    client.force_login(auditor)
    assert client.get(reverse("notify:failed")).status_code == 403
    assert client.post(reverse("notify:resend", args=[failed.pk])).status_code == 403
    failed.refresh_from_db()
    assert failed.state == NotificationState.FAILED
