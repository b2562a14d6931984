"""The demo's side of telling customers: a few customers who asked for no SMS (so the order pages show a
message held back, and why), and the history's messages recorded as sent."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence

from django.db.models import F, Q

from powerdesk.demo.customers import DemoCustomer
from powerdesk.notify.models import CustomerOptOut, Notification, NotificationState
from powerdesk.notify.opt_outs import customer_opt_outs_set

# Who asks for no messages, and what the agent noted (in our own words).
WISHES = [
    (["sms"], "客户来电说明不需要短信提醒"),
    (["sms", "wechat"], "客户表示只接受电话联系"),
    (["email"], "客户没有常用邮箱"),
]


def build_opt_outs(rng: random.Random, people: Sequence[DemoCustomer], *, share: float = 0.003) -> int:
    """Opt-outs for a few customers (about ``share`` of them, at least three). Returns how many."""
    chosen = rng.sample(list(people), min(len(people), max(3, round(len(people) * share))))
    for i, dc in enumerate(chosen):
        channels, note = WISHES[i % len(WISHES)]
        customer_opt_outs_set(customer=dc.customer, channels=channels, note=note)
    return CustomerOptOut.objects.count()


def mark_history_sent(now: dt.datetime) -> int:
    """The replayed 90 days told their customers at the time: recorded as sent then, so that starting
    the worker does not send the history's thousands of SMS at once (their jobs find nothing to send)."""
    due = Q(send_after__isnull=True) | Q(send_after__lt=now)
    return Notification.objects.filter(
        due, state=NotificationState.PENDING, recipient_user__isnull=True, created_at__lt=now
    ).update(state=NotificationState.SENT, sent_at=F("created_at"), provider_message_id="demo-history")
