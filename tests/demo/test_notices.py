"""The demo's customers told about their orders: a few opted out, the history recorded as sent."""

from __future__ import annotations

from powerdesk.notify.models import CustomerOptOut, Notification, NotificationState


def test_a_few_customers_opted_out_and_their_messages_were_held_back(small_demo, db):
    opted_out = set(CustomerOptOut.objects.values_list("customer_id", flat=True))
    assert 3 <= len(opted_out) <= max(3, small_demo.customers // 100)
    customer_messages = Notification.objects.filter(recipient_user__isnull=True)
    assert customer_messages.filter(state=NotificationState.SENT).exists()
    held = customer_messages.filter(state=NotificationState.SUPPRESSED, suppressed_reason="opted_out")
    assert set(held.values_list("customer_id", flat=True)) <= opted_out


def test_the_replayed_history_is_not_sent_again_when_the_worker_starts(small_demo, db):
    pending = Notification.objects.filter(recipient_user__isnull=True, state=NotificationState.PENDING)
    assert not pending.filter(created_at__lt=small_demo.now, send_after__isnull=True).exists()
