"""The analytics app's one write on an order: the malicious-demand flag (恶意诉求) a handler sets with a
reason, or clears. One transaction, the order locked, one timeline event each; the upkeep then takes the
order out of (or back into) the base of 优质服务评价指数 through that event."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from powerdesk.analytics.models import MaliciousFlag
from powerdesk.core import clock
from powerdesk.core.errors import NotPermitted, ValidationFailed
from powerdesk.org.models import User
from powerdesk.org.selectors import user_may
from powerdesk.workorders.events import event_write
from powerdesk.workorders.models import WorkOrder

FLAGGED = "malicious_flagged"
CLEARED = "malicious_cleared"
# Who handles orders may judge a demand malicious: the roles that may reply to or resolve an order.
HANDLER_TRANSITIONS = ("reply", "resolve")


def may_flag(user: User) -> bool:
    return any(user_may(user, code) for code in HANDLER_TRANSITIONS)


def malicious_flag_set(*, order: WorkOrder, reason: str, actor: User) -> MaliciousFlag:
    if not may_flag(actor):
        raise NotPermitted(_("只有工单处理人员可以标记恶意诉求。"))
    reason = reason.strip()
    if not reason:
        raise ValidationFailed(_("请填写原因。"), fields={"reason": [_("请填写原因。")]})
    with transaction.atomic():
        WorkOrder.objects.select_for_update().filter(pk=order.pk).values_list("pk", flat=True).get()
        if MaliciousFlag.objects.filter(order=order).exists():
            raise ValidationFailed(_("该工单已标记为恶意诉求。"))
        flag = MaliciousFlag.objects.create(order=order, reason=reason, set_by=actor, set_at=clock.now())
        event_write(order=order, kind=FLAGGED, actor=actor, data={"reason": reason}, at=flag.set_at)
    return flag


def malicious_flag_clear(*, order: WorkOrder, actor: User) -> None:
    if not may_flag(actor):
        raise NotPermitted(_("只有工单处理人员可以标记恶意诉求。"))
    with transaction.atomic():
        WorkOrder.objects.select_for_update().filter(pk=order.pk).values_list("pk", flat=True).get()
        deleted, _rows = MaliciousFlag.objects.filter(order=order).delete()
        if not deleted:
            raise ValidationFailed(_("该工单没有恶意诉求标记。"))
        event_write(order=order, kind=CLEARED, actor=actor)
