"""Messages the gateway would not take: given up after the retry policy's last attempt, listed in the
console (``notify:failed``) and sent again by hand.

- :func:`send_retry_in`: the wait before a send job's next attempt, from ``SendRetryPolicy`` (the task
  calls it in its own thread, where the ORM may run; Procrastinate's retry decision runs in the worker's
  event loop and only reads the answer off the exception: ``tasks.PolicyRetry``);
- :func:`notifications_give_up`: after the last attempt, the rows still failing transiently are failed for
  good (``permanent_error``), so no job retries them and the console lists them;
- :func:`notification_resend`: a failed message put back to ``pending`` with a new send job, in one
  transaction with its audit entry;
- :func:`failed_notifications`: the failed messages of the orders a user sees, newest first.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from powerdesk.audit.services import record
from powerdesk.core.errors import NotFound, NotPermitted, ValidationFailed
from powerdesk.core.jobs import defer_in_transaction
from powerdesk.notify import rules
from powerdesk.notify.models import Notification, NotificationState, SendRetryPolicy
from powerdesk.org.models import User
from powerdesk.org.selectors import user_may
from powerdesk.workorders.selectors import order_visible

logger = logging.getLogger(__name__)

# Who may send a failed message again: whoever may write on the order (a note, an attachment).
RESEND_PERMISSION = "note"


def send_retry_in(*, attempts: int) -> int | None:
    """Seconds before the next attempt of a send job that has failed ``attempts`` times, or None to stop."""
    policy = SendRetryPolicy.current()
    return rules.send_retry_wait(
        attempts=attempts,
        max_attempts=policy.max_attempts,
        first_wait_seconds=policy.first_wait_seconds,
        factor=policy.factor,
        max_wait_seconds=policy.max_wait_seconds,
    )


def notifications_give_up(
    *, notification_ids: Iterable[int], attempts: int, created_at: dt.datetime | None = None
) -> int:
    """Mark the job's rows that still fail transiently as failed for good; how many. ``created_at``, the
    rows' creation time the job carries, reads their month only."""
    rows = Notification.objects.filter(
        pk__in=list(notification_ids), state=NotificationState.FAILED, permanent_error=False
    )
    if created_at is not None:
        rows = rows.filter(created_at=created_at)
    given_up = rows.update(permanent_error=True)
    if given_up:
        logger.warning("gave up %s notification(s) after %s attempts", given_up, attempts)
    return given_up


def failed_notifications(user: User) -> QuerySet[Notification]:
    """Failed messages about the orders ``user`` sees (staff messages without an order are the admin's)."""
    return (
        Notification.objects.filter(
            state=NotificationState.FAILED, permanent_error=True, order__in=order_visible(user)
        )
        .select_related("order", "template")
        .order_by("-created_at", "-id")
    )


def may_resend(user: User) -> bool:
    return user_may(user, RESEND_PERMISSION)


def notification_resend(*, notification_id: int, actor: User) -> Notification:
    """Send a failed message again: back to ``pending``, its send job deferred in this transaction, and an
    audit entry; refused for a message that is not failed (sent meanwhile, resent already)."""
    from powerdesk.notify.tasks import send_notification  # the task module imports the services

    if not may_resend(actor):
        raise NotPermitted(_("您的角色不能重发通知。"))
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update()
            .filter(pk=notification_id, order__in=order_visible(actor))
            .first()
        )
        if notification is None:
            raise NotFound(_("找不到该通知。"))
        if notification.state != NotificationState.FAILED:
            raise ValidationFailed(_("只有发送失败的通知可以重发。"), code="not_failed")
        before: dict[str, Any] = {"attempts": notification.attempts, "error": notification.last_error[:200]}
        Notification.objects.filter(pk=notification.pk, created_at=notification.created_at).update(
            state=NotificationState.PENDING, permanent_error=False, claimed_at=None, claimed_by_job=None
        )
        defer_in_transaction(
            send_notification,
            {"notification_id": notification.pk, "created_at": notification.created_at.isoformat()},
        )
        record(
            "notification_resent",
            actor,
            target=notification,
            subject=notification.order.number if notification.order else "",
            data=before,
        )
    return Notification.objects.get(pk=notification.pk, created_at=notification.created_at)
