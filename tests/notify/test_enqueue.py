"""A notification is enqueued in the caller's transaction, with its send job, once per cause."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from procrastinate.contrib.django import app

from powerdesk.core import refcache
from powerdesk.core.errors import ValidationFailed
from powerdesk.notify.models import Notification, NotificationState, NotificationTemplate
from powerdesk.notify.services import (
    notification_cancel,
    notification_enqueue_many,
    notification_send,
)
from powerdesk.notify.transports import TransientError
from tests.notify.conftest import job_targets, outbox_lines, send_jobs
from tests.notify.helpers import SWEEP_CONTEXT, enqueue


class Rollback(Exception):
    pass


@pytest.mark.usefixtures("committing")
def test_a_notification_enqueued_in_a_transaction_that_rolls_back_leaves_no_row_and_no_job():
    with pytest.raises(Rollback), transaction.atomic():
        assert enqueue(dedupe_key="clock:1:step:1") is not None
        assert Notification.objects.count() == 1 and len(send_jobs()) == 1  # visible inside
        raise Rollback
    assert Notification.objects.count() == 0
    assert send_jobs() == []


@pytest.mark.usefixtures("committing")
def test_it_defers_through_the_callers_transaction_even_when_the_worker_swapped_the_connector():
    """The SLA sweep runs inside the worker, where the app's connector is a psycopg pool of its own."""
    with app.replace_connector(app.connector.get_worker_connector()):
        with pytest.raises(Rollback), transaction.atomic():
            enqueue()
            raise Rollback
        assert send_jobs() == []
        with transaction.atomic():
            enqueue()
    assert len(send_jobs()) == 1


@pytest.mark.usefixtures("committing")
def test_a_committed_enqueue_stores_the_context_and_one_send_job():
    notification = enqueue(dedupe_key="clock:1:step:1")
    notification.refresh_from_db()
    assert notification.state == NotificationState.PENDING and notification.attempts == 0
    assert notification.context == SWEEP_CONTEXT and notification.text == ""
    [job] = send_jobs()
    assert job.queue_name == "notify" and job.status == "todo"
    # The rows' creation time rides along: the sender reads them in their month of the partitioned table.
    assert job.args == {
        "notification_ids": [notification.pk],
        "created_at": notification.created_at.isoformat(),
    }


@pytest.mark.django_db
def test_the_text_is_rendered_at_the_first_send_and_kept(outbox):
    notification = enqueue()
    sent = notification_send(notification_id=notification.pk)
    assert "GD202611160001" in sent.text and "2026-11-16 10:45" in sent.text
    assert sent.subject == "工单GD202611160001“到达现场”即将超期"
    assert outbox_lines(outbox)[0]["text"] == sent.text


@pytest.mark.django_db
def test_a_template_edited_after_the_first_attempt_does_not_change_the_text_of_the_retry(gateway):
    gateway.answers = [503]
    notification = enqueue()
    with pytest.raises(TransientError):
        notification_send(notification_id=notification.pk)
    first_text = Notification.objects.get(pk=notification.pk).text
    NotificationTemplate.objects.filter(code="sla_warning").update(body="改过的正文{{ order_number }}")
    sent = notification_send(notification_id=notification.pk)
    assert sent.state == NotificationState.SENT and sent.text == first_text
    assert [r["body"]["text"] for r in gateway.requests] == [first_text, first_text]


@pytest.mark.django_db
def test_a_text_that_renders_empty_fails_permanently_at_the_send(outbox):
    NotificationTemplate.objects.filter(code="sla_warning").update(body="{% if nothing %}x{% endif %}")
    notification = notification_send(notification_id=enqueue().pk)
    assert notification.state == NotificationState.FAILED and notification.permanent_error
    assert notification.last_error == "通知内容为空" and not outbox.exists()


@pytest.mark.usefixtures("committing")
def test_the_same_dedupe_key_never_notifies_twice():
    first = enqueue(dedupe_key="clock:7:step:2")
    with transaction.atomic():
        second = enqueue(dedupe_key="clock:7:step:2", recipient_address="13800000002")
        # The caller's transaction is still usable after the refused duplicate.
        assert Notification.objects.count() == 1
    assert first is not None and second is None
    assert len(send_jobs()) == 1


@pytest.mark.django_db
def test_notifications_without_a_key_are_not_deduplicated():
    assert enqueue() is not None and enqueue() is not None
    assert Notification.objects.count() == 2


@pytest.mark.django_db
def test_texts_are_plain_text_not_html_escaped(outbox):
    context = {**SWEEP_CONTEXT, "unit": "东桥 & 西岭<联合>"}
    notification = enqueue(context=context, template_code="sla_breached")
    assert "东桥 & 西岭<联合>" in notification_send(notification_id=notification.pk).text


@pytest.mark.django_db
def test_a_switched_off_template_queues_nothing():
    NotificationTemplate.objects.filter(code="sla_warning").update(is_active=False)
    refcache.clear()  # an update() sends no save signal; an administrator's save in the admin does
    assert enqueue() is None
    assert Notification.objects.count() == 0 and send_jobs() == []


@pytest.mark.django_db
def test_it_refuses_an_unknown_template_a_missing_address_and_an_unknown_channel():
    with pytest.raises(ValidationFailed) as exc:
        enqueue(template_code="no_such_template")
    assert exc.value.code == "unknown_template"
    with pytest.raises(ValidationFailed) as exc:
        enqueue(recipient_address="  ")
    assert exc.value.code == "no_recipient_address"
    with pytest.raises(ValidationFailed) as exc:
        enqueue(channel="fax")
    assert exc.value.code == "unknown_channel"
    assert Notification.objects.count() == 0


@pytest.mark.django_db
def test_it_links_the_recipient_and_the_order(users, customer):
    from tests.sla.helpers import intake

    order = intake(users, customer, business_type="repair")
    notification = enqueue(
        recipient_user=users["handler"], order=order, context={**SWEEP_CONTEXT, "order_number": order.number}
    )
    assert notification.recipient_user == users["handler"] and notification.order == order
    # besides the customer's acceptance message (powerdesk.notify.customer_messages)
    assert list(order.notifications.filter(recipient_user__isnull=False)) == [notification]


@pytest.mark.django_db
def test_a_cancelled_notification_is_never_sent(outbox):
    notification = enqueue()
    assert notification_cancel(notification_id=notification.pk) is True
    assert notification_send(notification_id=notification.pk).state == NotificationState.CANCELLED
    assert not outbox.exists()


@pytest.mark.django_db
def test_a_sent_notification_cannot_be_cancelled(outbox):
    notification = enqueue()
    notification_send(notification_id=notification.pk)
    assert notification_cancel(notification_id=notification.pk) is False
    notification.refresh_from_db()
    assert notification.state == NotificationState.SENT


def _request(key: str | None, phone: str = "13800000001") -> dict:
    return {
        "channel": "sms",
        "template_code": "sla_breached",
        "context": SWEEP_CONTEXT,
        "recipient_address": phone,
        "dedupe_key": key,
    }


@pytest.mark.usefixtures("committing")
def test_a_batch_is_written_in_bulk_skipping_known_and_repeated_keys():
    enqueue(dedupe_key="clock:1:step:2")
    requests = [_request(f"clock:{i}:step:2") for i in range(1, 201)]
    requests += [_request("clock:5:step:2", phone="13900000000"), _request(None), _request(None)]
    with transaction.atomic(), CaptureQueriesContext(connection) as small:
        notification_enqueue_many([_request(f"small:{i}") for i in range(3)])
    with transaction.atomic(), CaptureQueriesContext(connection) as large:
        created = notification_enqueue_many(requests)
    # the templates, the stored keys, the rows (in a savepoint), the jobs: not one statement per row
    assert len(large) == len(small) <= 8
    assert len(created) == 199 + 2  # key 1 existed, key 5 repeated in the batch, two without a key
    assert Notification.objects.get(dedupe_key="clock:5:step:2").recipient_address == "13800000001"
    assert Notification.objects.filter(pk__in=created, state="pending").count() == 201
    jobs = send_jobs()
    assert job_targets(jobs) == sorted(Notification.objects.values_list("pk", flat=True))
    # one job for the first notification, one for the small batch, one per NOTIFICATIONS_PER_JOB of the
    # large one
    assert [len(job.args["notification_ids"]) for job in jobs] == [1, 3, 100, 100, 1]


@pytest.mark.usefixtures("committing")
def test_a_batch_rolls_back_with_its_caller():
    with pytest.raises(Rollback), transaction.atomic():
        notification_enqueue_many([_request(f"clock:{i}:step:1") for i in range(10)])
        raise Rollback
    assert Notification.objects.count() == 0 and send_jobs() == []


@pytest.mark.django_db
def test_an_invalid_request_in_a_batch_writes_nothing():
    with pytest.raises(ValidationFailed):
        notification_enqueue_many([_request("a"), {**_request("b"), "template_code": "no_such_template"}])
    assert Notification.objects.count() == 0
