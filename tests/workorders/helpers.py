"""Putting orders into a given status through the real services, the way people would."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connection

from powerdesk.workorders import services as s
from powerdesk.workorders.choices import FIELD_TYPES, BusinessType, Channel, Satisfaction, Status
from powerdesk.workorders.models import WorkOrder, WorkOrderEvent
from tests.factories import topic

Step = Callable[[WorkOrder, dict, object], WorkOrder]


def intake(
    users,
    customer,
    *,
    business_type: str = BusinessType.REPAIR,
    topic_code: str = "fault_repair",
    actor: str = "agent",
    description: str = "家里停电了",
    **kwargs,
) -> WorkOrder:
    return s.workorder_intake(
        actor=users[actor],
        business_type=business_type,
        topic=topic(topic_code),
        channel=Channel.HOTLINE,
        description=description,
        customer=customer,
        caller_phone="13812345678",
        **kwargs,
    ).order


def _worker(order: WorkOrder, users: dict) -> object:
    """Field orders are worked by the repair crew, others by the back-office handler (both at east)."""
    return users["repair"] if order.business_type in FIELD_TYPES else users["handler"]


def _steps(order: WorkOrder) -> dict[str, tuple[str, Step]]:
    """status → (the status it is reached from, the step that reaches it)."""
    field = order.business_type in FIELD_TYPES
    return {
        Status.DISPATCHED: (
            Status.ACCEPTED,
            lambda o, u, c: s.workorder_dispatch(order=o, actor=u["dispatcher"], unit=c.east),
        ),
        Status.IN_PROGRESS: (
            Status.DISPATCHED,
            lambda o, u, c: s.workorder_take(order=o, actor=_worker(o, u)),
        ),
        Status.ON_SITE: (
            Status.IN_PROGRESS,
            lambda o, u, c: s.workorder_arrive(order=o, actor=_worker(o, u)),
        ),
        Status.RESOLVED: (
            Status.ON_SITE if field else Status.IN_PROGRESS,
            lambda o, u, c: s.workorder_resolve(order=o, actor=_worker(o, u), result="已处理完毕"),
        ),
        Status.REPLIED: (
            Status.RESOLVED,
            lambda o, u, c: s.workorder_reply(
                order=o, actor=_worker(o, u), reply_text="已向客户说明处理结果"
            ),
        ),
        Status.CALLED_BACK: (
            Status.REPLIED,
            lambda o, u, c: s.workorder_callback(
                order=o, actor=u["callback"], satisfaction=Satisfaction.SATISFIED, resolved=True
            ),
        ),
        Status.ARCHIVED: (
            Status.CALLED_BACK,
            lambda o, u, c: s.workorder_archive(order=o, actor=u["callback"]),
        ),
        Status.RETURNED: (
            Status.DISPATCHED,
            lambda o, u, c: s.workorder_return(order=o, actor=_worker(o, u), reason="不属于本所辖区"),
        ),
        Status.SUSPENDED: (
            Status.DISPATCHED,
            lambda o, u, c: s.workorder_suspend(order=o, actor=u["dispatcher"], reason="客户要求改期"),
        ),
    }


def walk(order: WorkOrder, users: dict, county, to: str) -> WorkOrder:
    """Take ``order`` from its current status to ``to`` along the shortest ordinary path."""
    if to == Status.MERGED:
        parent = intake(
            users, order.customer, business_type=order.business_type, topic_code="grid_construction"
        )
        return s.workorder_merge(order=order, actor=users["agent"], parent=parent)
    steps = _steps(order)
    path: list[Step] = []
    status = to
    while status != order.status:
        previous, step = steps[status]
        path.append(step)
        status = previous
    for step in reversed(path):
        order = step(order, users, county)
    assert order.status == to
    return order


def events_of(order: WorkOrder) -> list[WorkOrderEvent]:
    return list(WorkOrderEvent.objects.filter(order=order).order_by("id"))


def fresh(order: WorkOrder) -> WorkOrder:
    return WorkOrder.objects.get(pk=order.pk)


def run_at_once(calls: list[Callable[[], object]]) -> list[object]:
    """Run the calls in threads released together; each result is a value or the exception raised."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def worker(i: int, call: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = call()
        except Exception as exc:  # the test inspects it
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    return results
