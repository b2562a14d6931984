"""The audit trail's period (data: 保存期限, kind 审计记录): the nightly job deletes the entries older than it
through the owner's function, in batches each audited; younger entries stay, and the trail still refuses
UPDATE and DELETE to everyone else, the expiry's own setting included."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import DatabaseError, connection, transaction

from powerdesk import audit
from powerdesk.audit.models import AuditEntry
from powerdesk.privacy.models import RetentionKind, RetentionPeriod
from powerdesk.privacy.services import retention_anonymise
from tests.retention.conftest import DAY

pytestmark = pytest.mark.django_db


def _entry(at: dt.datetime, target: str) -> AuditEntry:
    with time_machine.travel(at, tick=False):
        audit.record("login", None, target=target)
    return AuditEntry.objects.filter(target=target).get()


def test_entries_past_the_period_are_deleted_in_audited_batches_and_younger_ones_kept():
    RetentionPeriod.objects.filter(kind=RetentionKind.AUDIT_ENTRY).update(months=12, is_active=True)
    old = [_entry(DAY + dt.timedelta(minutes=i), f"old-{i}") for i in range(3)]
    young = _entry(DAY + dt.timedelta(days=400), "young")
    with time_machine.travel(DAY + dt.timedelta(days=420), tick=False):
        report = retention_anonymise(batch_size=2)
    assert report.audit_entries == 3
    assert not AuditEntry.objects.filter(pk__in=[e.pk for e in old]).exists()
    assert AuditEntry.objects.filter(pk=young.pk).exists()
    said = AuditEntry.objects.filter(target=f"privacy.{RetentionKind.AUDIT_ENTRY}")
    assert sorted(e.data["audit_entries"] for e in said) == [1, 2]  # one entry per batch


def test_a_dry_run_counts_and_deletes_nothing():
    RetentionPeriod.objects.filter(kind=RetentionKind.AUDIT_ENTRY).update(months=12, is_active=True)
    old = _entry(DAY, "old")
    with time_machine.travel(DAY + dt.timedelta(days=420), tick=False):
        report = retention_anonymise(dry_run=True)
    assert report.audit_entries == 1 and AuditEntry.objects.filter(pk=old.pk).exists()


def test_a_period_switched_off_deletes_nothing():
    RetentionPeriod.objects.filter(kind=RetentionKind.AUDIT_ENTRY).update(months=12, is_active=False)
    old = _entry(DAY, "old")
    with time_machine.travel(DAY + dt.timedelta(days=420), tick=False):
        assert retention_anonymise().audit_entries == 0
    assert AuditEntry.objects.filter(pk=old.pk).exists()


def test_the_trail_still_refuses_a_delete_outside_the_function_even_with_its_setting():
    old = _entry(DAY, "old")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
        # the setting alone opens nothing for rows at or after it, nor an UPDATE for any row
        cur.execute("SELECT set_config('powerdesk.audit_expire_before', %s, true)", [DAY.isoformat()])
        cur.execute("DELETE FROM audit_auditentry WHERE id = %s", [old.pk])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE audit_auditentry SET target = 'x' WHERE id = %s", [old.pk])
    assert AuditEntry.objects.filter(pk=old.pk).exists()
