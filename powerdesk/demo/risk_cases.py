"""A few orders of the demo at risk of a complaint, the way the case book's first case went: the
customer of an open fault repair calls again, upset, before anyone files a complaint. Recorded through the
intake service (a repeat call counted on the order), so the early warning scores them as it would live.
"""

from __future__ import annotations

import datetime as dt

from powerdesk.core import clock
from powerdesk.core.errors import DomainError
from powerdesk.org.models import User
from powerdesk.workorders import services
from powerdesk.workorders.choices import OPEN_STATUSES, BusinessType, Channel
from powerdesk.workorders.models import WorkOrder

# What the upset customers say, in the demo's own words.
ANGRY_CALLS = (
    "又打来了：今晚必须来电，家里有老人孩子等着。刚才来的抢修人员态度恶劣，说话难听。",
    "一直没人来，凭什么让我们摸黑等一晚上？再不来我就打12398。",
    "已经第三次打了，你们推诿敷衍，找你们领导来处理，否则就找媒体曝光。",
)
# Old enough that the first call was a while ago: a repeat call within minutes is the same conversation.
MIN_AGE = dt.timedelta(minutes=30)


def angry_repeat_calls(*, now: dt.datetime, agent_username: str = "agent02") -> list[str]:
    """One angry repeat call now on each of the newest open fault repairs with a customer (as many as
    there are calls); returns the problems met, as the replay does."""
    agent = User.objects.filter(username=agent_username, is_active=True).first()
    if agent is None:
        return [f"no agent {agent_username} for the demo's at-risk calls"]
    orders = list(
        WorkOrder.objects.filter(
            status__in=OPEN_STATUSES,
            business_type=BusinessType.REPAIR,
            customer__isnull=False,
            created_at__lte=now - MIN_AGE,
        )
        .select_related("customer", "topic")
        .order_by("-created_at", "-id")[: len(ANGRY_CALLS)]
    )
    problems = []
    for order, words in zip(orders, ANGRY_CALLS, strict=False):
        try:
            with clock.at(now):
                services.workorder_intake(
                    actor=agent,
                    business_type=order.business_type,
                    topic=order.topic,
                    channel=Channel.HOTLINE,
                    description=words,
                    customer=order.customer,
                    caller_phone=order.caller_phone,
                    caller_name=order.caller_name,
                )
        except DomainError as exc:
            problems.append(f"at-risk call on {order.number}: {exc}")
    return problems
