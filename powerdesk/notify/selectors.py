"""Shared reads of the notify app."""

from __future__ import annotations

from collections.abc import Iterable

from powerdesk.notify.models import NotificationKey


def notification_ids_by_dedupe_key(keys: Iterable[str]) -> dict[str, int]:
    """The notification holding each of ``keys`` (those that have one), from the key table: the
    notifications are partitioned by month and their keys are indexed only there."""
    rows = NotificationKey.objects.filter(dedupe_key__in=list(keys), notification_id__isnull=False)
    return {key: pk for key, pk in rows.values_list("dedupe_key", "notification_id") if pk is not None}
