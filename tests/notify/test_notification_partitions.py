"""The notifications are partitioned by business month of ``created_at`` (notify 0010), as the timeline is:
the de-duplication key holds across months through the key table, the sender reads a row in its one
month, the order's messages skip the months before the order, the resend list stays on its partial index,
and the partitions are made ahead and archived like the timeline's."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction

from powerdesk.core import clock, partitions
from powerdesk.notify.extension import order_customer_messages
from powerdesk.notify.failures import failed_notifications
from powerdesk.notify.models import Notification, NotificationKey, NotificationState, NotificationTemplate
from powerdesk.notify.selectors import notification_ids_by_dedupe_key
from powerdesk.notify.services import _by_id, notification_enqueue, notification_enqueue_many
from tests.partitioning import MonthlyTable, at, explain_without_seqscan, this_month
from tests.workorders.helpers import intake

TABLE = "notify_notification"

pytestmark = pytest.mark.django_db

MONTHS = MonthlyTable(TABLE)
name_of = MONTHS.name_of
read_partitions = MONTHS.read_partitions


def enqueue(key: str | None, **kwargs) -> Notification | None:
    return notification_enqueue(
        channel="sms",
        template_code="sla_warning",
        context={"number": "2612060001", "clock": "到达现场", "due": "12-06 18:00"},
        recipient_address="13800000001",
        dedupe_key=key,
        **kwargs,
    )


def failed_row(order, created_at: dt.datetime) -> Notification:
    return Notification.objects.create(
        recipient_address="13812345678",
        channel="sms",
        template=NotificationTemplate.objects.get(code="sla_warning"),
        text="您的工单已受理",
        order=order,
        state=NotificationState.FAILED,
        permanent_error=True,
        attempts=10,
        created_at=created_at,
    )


def test_the_migration_leaves_last_month_to_three_ahead_and_a_default():
    month = this_month()
    wanted = {name_of(partitions.add_months(month, k)) for k in range(-1, 4)}
    assert wanted <= {name for name, _s, _e in partitions.months(TABLE)}
    assert TABLE in partitions.partitioned_tables()


def test_a_key_told_last_month_is_not_told_again_this_month():
    with time_machine.travel(at(partitions.add_months(this_month(), -1)), tick=False):
        first = enqueue("clock:41:step:1")
    assert first is not None
    assert NotificationKey.objects.get(dedupe_key="clock:41:step:1").notification_id == first.pk
    assert enqueue("clock:41:step:1") is None
    assert Notification.objects.filter(dedupe_key="clock:41:step:1").count() == 1
    assert notification_ids_by_dedupe_key(["clock:41:step:1", "clock:0:step:0"]) == {
        "clock:41:step:1": first.pk
    }


def test_a_batch_repeating_a_key_writes_it_once():
    from powerdesk.notify.services import notification_enqueue_many

    request = {
        "channel": "sms",
        "template_code": "sla_warning",
        "context": {},
        "recipient_address": "13800000001",
        "dedupe_key": "clock:42:step:1",
    }
    written = notification_enqueue_many([request, {**request, "recipient_address": "13800000002"}])
    assert len(written) == 1
    assert Notification.objects.get(pk=written[0]).recipient_address == "13800000001"


def test_any_other_writer_repeating_a_key_is_refused_whatever_the_month():
    first = enqueue("clock:43:step:1")
    assert first is not None
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(
            recipient_address="13800000003",
            channel="sms",
            template=first.template,
            text="再次",
            dedupe_key="clock:43:step:1",
            created_at=at(partitions.add_months(this_month(), 1)),
        )


def test_a_deleted_notification_frees_its_key():
    first = enqueue("clock:44:step:1")
    assert first is not None
    Notification.objects.filter(pk=first.pk).delete()
    assert not NotificationKey.objects.filter(dedupe_key="clock:44:step:1").exists()
    assert enqueue("clock:44:step:1") is not None


def test_the_sender_reads_a_row_in_its_one_month():
    notification = enqueue("clock:45:step:1")
    assert notification is not None
    plan = _by_id(notification.pk, notification.created_at).explain()
    assert read_partitions(plan) == {name_of(this_month())}, plan


def test_the_order_page_reads_its_messages_from_its_acceptance_month_on_by_index(users, customer):
    with time_machine.travel(at(this_month(), 15), tick=False):
        order = intake(users, customer)
    plan = explain_without_seqscan(
        Notification.objects.filter(
            order=order, recipient_user__isnull=True, created_at__gte=order.created_at
        )
    )
    assert name_of(partitions.add_months(this_month(), -1)) not in read_partitions(plan), plan
    assert "notify_order_created" in plan or "order_id" in plan, plan
    assert "Seq Scan" not in plan, plan
    assert all(m.order_id == order.pk for m in order_customer_messages(order))


def test_the_resend_list_reads_the_newest_months_first_from_the_partial_index(users, customer):
    order = intake(users, customer)
    older = failed_row(order, at(partitions.add_months(this_month(), -1)))
    newer = failed_row(order, clock.now())
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL enable_seqscan = off")
        cur.execute("SET LOCAL enable_sort = off")
        plan = failed_notifications(users["agent"])[:50].explain()
    # Each month's copy of the partial index notify_unfinished_idx (named after its partition), walked
    # backwards and merged newest first: the limit stops the walk, no month is read whole or sorted.
    assert "Seq Scan" not in plan and "Merge Append" in plan, plan
    backwards = re.findall(rf"Index Scan Backward using ({TABLE}_\w+)_created_at_idx", plan)
    assert name_of(this_month()) in backwards and "order_id" not in "".join(backwards), plan
    assert list(failed_notifications(users["agent"])) == [newer, older]


def test_ensure_and_archive_cover_the_notifications():
    far = partitions.add_months(this_month(), 12)
    assert name_of(far) in partitions.ensure(ahead=0, today=far).created

    with time_machine.travel(at(partitions.add_months(this_month(), -1)), tick=False):
        old = enqueue("clock:46:step:1")
    assert old is not None
    moved = partitions.archive(before=this_month())
    assert f"{partitions.ARCHIVE_SCHEMA}.{name_of(partitions.add_months(this_month(), -1))}" in moved
    assert not Notification.objects.filter(pk=old.pk).exists()
    # The key stays: a cause told before the archived month is still not told again.
    assert enqueue("clock:46:step:1") is None


def test_a_statement_of_many_rows_binds_every_key_and_a_repeat_within_it_is_refused():
    template = NotificationTemplate.objects.get(code="sla_warning")

    def row(key: str | None, address: str = "13800000001") -> Notification:
        return Notification(
            recipient_address=address,
            channel="sms",
            template=template,
            text="x",
            dedupe_key=key,
            created_at=clock.now(),
        )

    # No reservation first: the statement trigger inserts the keys itself, each bound to its row.
    made = Notification.objects.bulk_create([row("clock:47:step:1"), row("clock:47:step:2"), row(None)])
    bound = dict(NotificationKey.objects.filter(dedupe_key__startswith="clock:47:").values_list())
    assert bound == {"clock:47:step:1": made[0].pk, "clock:47:step:2": made[1].pk}
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.bulk_create([row("clock:48:step:1"), row("clock:48:step:1", "13800000002")])
    assert not NotificationKey.objects.filter(dedupe_key="clock:48:step:1").exists()


def test_a_statement_deleting_many_rows_frees_only_their_keys():
    kept = enqueue("clock:49:step:1")
    gone = [enqueue(f"clock:49:step:{k}") for k in (2, 3)]
    assert kept is not None and all(gone)
    Notification.objects.filter(pk__in=[n.pk for n in gone if n]).delete()
    assert list(NotificationKey.objects.filter(dedupe_key__startswith="clock:49:").values_list()) == [
        ("clock:49:step:1", kept.pk)
    ]


def test_a_save_and_a_move_to_another_month_keep_the_key_and_a_new_key_replaces_the_old():
    notification = enqueue("clock:50:step:1")
    assert notification is not None
    notification.text = "改写"
    notification.save()  # writes every column back, the key among them
    Notification.objects.filter(pk=notification.pk).update(
        created_at=at(partitions.add_months(this_month(), 1))
    )  # the row moves to next month's partition (a DELETE and an INSERT inside the UPDATE)
    assert NotificationKey.objects.get(dedupe_key="clock:50:step:1").notification_id == notification.pk
    assert enqueue("clock:50:step:1") is None
    Notification.objects.filter(pk=notification.pk).update(dedupe_key="clock:50:step:2")
    assert list(NotificationKey.objects.filter(dedupe_key__startswith="clock:50:").values_list()) == [
        ("clock:50:step:2", notification.pk)
    ]


def _key_rows_updated() -> int:
    with connection.cursor() as cur:
        cur.execute("SELECT pg_stat_get_xact_tuples_updated('notify_notificationkey'::regclass)")
        return cur.fetchone()[0]


def test_the_enqueue_writes_each_key_bound_to_its_row_and_never_updates_it():
    # Reserved with the id its notification gets, a key row is written once: a sweep's thousand keys are
    # not each rewritten by the insert's binding.
    before = _key_rows_updated()
    made = [enqueue(f"clock:51:step:{k}") for k in (1, 2)]
    assert all(made)
    assert _key_rows_updated() == before
    bound = dict(NotificationKey.objects.filter(dedupe_key__startswith="clock:51:").values_list())
    assert bound == {f"clock:51:step:{k}": n.pk for k, n in zip((1, 2), made, strict=True) if n}


def test_a_key_reserved_without_an_id_is_bound_by_the_insert():
    NotificationKey.objects.create(dedupe_key="clock:52:step:1", notification_id=None)
    template = NotificationTemplate.objects.get(code="sla_warning")
    made = Notification.objects.create(
        recipient_address="13800000001",
        channel="sms",
        template=template,
        text="x",
        dedupe_key="clock:52:step:1",
        created_at=clock.now(),
    )
    assert NotificationKey.objects.get(dedupe_key="clock:52:step:1").notification_id == made.pk


def test_a_batch_with_and_without_keys_and_a_key_twice_writes_each_cause_once():
    def request(key: str | None, address: str) -> dict:
        return {
            "channel": "sms",
            "template_code": "sla_warning",
            "context": {"number": "2612060001", "clock": "到达现场", "due": "12-06 18:00"},
            "recipient_address": address,
            "dedupe_key": key,
        }

    made = notification_enqueue_many(
        [
            request("clock:53:step:1", "13800000001"),
            request(None, "13800000002"),
            request("clock:53:step:1", "13800000003"),  # the same cause again in the batch
            request("clock:53:step:2", "13800000004"),
        ]
    )
    rows = dict(Notification.objects.filter(pk__in=made).values_list("recipient_address", "dedupe_key"))
    assert rows == {"13800000001": "clock:53:step:1", "13800000002": None, "13800000004": "clock:53:step:2"}
    bound = dict(NotificationKey.objects.filter(dedupe_key__startswith="clock:53:").values_list())
    by_key = dict(Notification.objects.filter(pk__in=made).values_list("dedupe_key", "pk"))
    assert bound == {key: by_key[key] for key in ("clock:53:step:1", "clock:53:step:2")}
    assert notification_enqueue_many([request("clock:53:step:2", "13800000005")]) == []
