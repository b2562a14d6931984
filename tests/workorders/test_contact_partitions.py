"""The contacts are partitioned by business month (workorders 0027), as the timeline is: a query with a
time bound reads its months only, an order's contacts and a retried intake's lookup stay in their months,
the Idempotency-Key is unique across months, the references to a contact stay checked through the key
table whatever its month, and the partitions are made ahead and archived like the timeline's."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction

from powerdesk.core import clock, partitions
from powerdesk.workorders.models import Contact, ContactKey
from powerdesk.workorders.selectors import contact_by_idempotency_key, order_contacts
from tests.partitioning import MonthlyTable, at, explain_without_seqscan, this_month
from tests.workorders.helpers import intake

TABLE = "workorders_contact"

pytestmark = pytest.mark.django_db

MONTHS = MonthlyTable(TABLE)
name_of = MONTHS.name_of
read_partitions = MONTHS.read_partitions


def test_the_migration_leaves_last_month_to_three_ahead_and_a_default():
    month = this_month()
    wanted = {name_of(partitions.add_months(month, k)) for k in range(-1, 4)}
    assert wanted <= {name for name, _s, _e in partitions.months(TABLE)}
    assert TABLE in partitions.partitioned_tables()
    with connection.cursor() as cur:
        cur.execute("SELECT to_regclass(%s)", [f"{TABLE}_default"])
        assert cur.fetchone()[0] is not None


def test_every_contact_has_its_key_row_with_its_month(users, customer):
    order = intake(users, customer, idempotency_key="ivr-0001")
    contact = Contact.objects.get(order=order)
    key = ContactKey.objects.get(contact_id=contact.pk)
    assert (key.at, key.idempotency_key) == (contact.at, "ivr-0001")


def test_the_repeat_window_reads_only_its_months(users, customer):
    with time_machine.travel(at(this_month(), 20), tick=False):  # the 7-day window inside this month
        order = intake(users, customer)
        since = clock.now() - dt.timedelta(days=7)
        plan = explain_without_seqscan(
            Contact.objects.filter(company_id=order.company_id, order_id__in=[order.pk], at__gte=since)
        )
    assert name_of(partitions.add_months(this_month(), -1)) not in read_partitions(plan), plan
    assert name_of(this_month()) in plan and "Seq Scan" not in plan, plan


def test_an_orders_contacts_are_read_from_its_acceptance_month_on_by_index(users, customer):
    with time_machine.travel(at(this_month(), 15), tick=False):  # mid-month: the margin stays inside it
        order = intake(users, customer)
    plan = explain_without_seqscan(order_contacts(order))
    assert name_of(partitions.add_months(this_month(), -1)) not in read_partitions(plan), plan
    assert name_of(this_month()) in plan and "Seq Scan" not in plan, plan
    assert [c.order_id for c in order_contacts(order)] == [order.pk]


def test_a_retried_intake_reads_its_contact_in_its_one_month(users, customer):
    order = intake(users, customer, idempotency_key="ivr-0002")
    contact = contact_by_idempotency_key("ivr-0002")
    assert contact is not None and contact.order == order
    key = ContactKey.objects.get(idempotency_key="ivr-0002")
    plan = Contact.objects.filter(pk=key.contact_id, at=key.at).explain()
    assert read_partitions(plan) == {name_of(this_month())}, plan
    assert contact_by_idempotency_key("never-used") is None


def test_the_idempotency_key_is_unique_across_months(users, customer):
    order = intake(users, customer, idempotency_key="ivr-0003")
    first = Contact.objects.get(order=order)
    with pytest.raises(IntegrityError), transaction.atomic():
        Contact.objects.create(
            order=order,
            customer=customer,
            channel=first.channel,
            at=at(partitions.add_months(this_month(), 1)),
            idempotency_key="ivr-0003",
        )
    assert Contact.objects.filter(idempotency_key="ivr-0003").count() == 1


def test_a_reference_to_a_contact_is_checked_through_its_key_row(users, customer):
    order = intake(users, customer)
    contact = Contact.objects.get(order=order)
    with connection.cursor() as cur:
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        with pytest.raises(IntegrityError), transaction.atomic():
            cur.execute(
                "INSERT INTO triage_triagerecord (at, user_id, text_hash, suggestion, chosen, contact_id)"
                " VALUES (now(), %s, '', '{}', '{}', %s)",
                [users["agent"].pk, contact.pk + 1_000_000],
            )
        cur.execute(
            "INSERT INTO triage_triagerecord (at, user_id, text_hash, suggestion, chosen, contact_id)"
            " VALUES (now(), %s, '', '{}', '{}', %s)",
            [users["agent"].pk, contact.pk],
        )
        # A contact still referred to cannot go, whatever its month.
        with pytest.raises(IntegrityError), transaction.atomic():
            cur.execute("DELETE FROM workorders_contact WHERE id = %s", [contact.pk])


def test_a_contact_moved_to_another_month_keeps_its_key_row_in_step(users, customer):
    order = intake(users, customer, idempotency_key="ivr-0004")
    contact = Contact.objects.get(order=order)
    earlier = at(partitions.add_months(this_month(), -1))
    Contact.objects.filter(pk=contact.pk).update(at=earlier)
    key = ContactKey.objects.get(contact_id=contact.pk)
    assert (key.at, key.idempotency_key) == (earlier, "ivr-0004")
    plan = Contact.objects.filter(pk=contact.pk, at=earlier).explain()
    assert read_partitions(plan) == {name_of(partitions.add_months(this_month(), -1))}, plan


def test_ensure_and_archive_cover_the_contacts(users, customer):
    far = partitions.add_months(this_month(), 12)
    assert name_of(far) in partitions.ensure(ahead=0, today=far).created

    order = intake(users, customer)
    previous = partitions.add_months(this_month(), -1)
    old = Contact.objects.create(order=order, customer=customer, channel="95598", at=at(previous))
    moved = partitions.archive(before=this_month())
    assert f"{partitions.ARCHIVE_SCHEMA}.{name_of(previous)}" in moved
    assert not Contact.objects.filter(pk=old.pk).exists()
    assert Contact.objects.filter(order=order).exists()  # this month's contact stays
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT count(*) FROM {partitions.ARCHIVE_SCHEMA}.{name_of(previous)} WHERE id = %s", [old.pk]
        )
        assert cur.fetchone()[0] == 1
