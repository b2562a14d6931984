"""The demo's outages, written through the outages services as of the data set's "now": a fault on a
branch fuse with a crew's ETR and a few calls already linked to it, a planned outage ten days ahead with
its notices sent, a temporary one registered at short notice (flagged, with its reason), and a storm
registered (报备) on one feeder with the script the agents read."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count

from powerdesk.core import clock
from powerdesk.customers.supply import customers_out
from powerdesk.grid.models import Device, DeviceKind
from powerdesk.org.models import User
from powerdesk.outages.known_events import known_event_create
from powerdesk.outages.models import KnownEvent
from powerdesk.outages.services import outage_create
from powerdesk.workorders.models import Topic
from powerdesk.workorders.services.intake import workorder_intake

CALLS = 4


@dataclass
class OutageSummary:
    outages: int = 0
    linked_calls: int = 0


def _user(role: str) -> User:
    return User.objects.filter(role__code=role, is_active=True).order_by("username").first()  # type: ignore[return-value]


def _with_customers(kind: str, skip: set[int]) -> list[Device]:
    rows = Device.objects.filter(kind=kind).exclude(pk__in=skip).annotate(n=Count("children")).filter(n__gt=0)
    return list(rows.order_by("code")[:12])


def build_outages(now: dt.datetime) -> OutageSummary:
    summary = OutageSummary()
    dispatcher, agent = _user("dispatcher"), _user("agent")
    if dispatcher is None or agent is None:
        return summary
    used: set[int] = set()
    # The network was written moments ago in this transaction: without statistics the planner joins the
    # supply paths row by row (minutes on the demo county); with them, milliseconds.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE grid_device, customers_customersupply, customers_customer")
    with clock.at(now):
        feeder = Device.objects.filter(kind=DeviceKind.FEEDER).order_by("code").last()
        storm: KnownEvent | None = None
        if feeder is not None:
            storm = known_event_create(
                actor=dispatcher,
                kind=KnownEvent.Kind.STORM,
                title="强对流天气（" + feeder.name + "）",
                script="受雷雨大风影响，该线路部分区域停电，抢修队伍已赶赴现场，请客户不要靠近断落电线，"
                "恢复供电后将短信告知，无需重复报修。",
                devices=[feeder],
                starts_at=now - dt.timedelta(hours=2),
                ends_at=now + dt.timedelta(hours=10),
                etr_override=now + dt.timedelta(hours=6),
            )
        fuses = _with_customers(DeviceKind.FUSE, used)[:1]
        if fuses:
            fuse = fuses[0]
            used.add(fuse.pk)
            fault = outage_create(
                actor=dispatcher,
                kind="fault",
                title=fuse.name + "熔断器跳闸",
                reason="支线熔断器熔断，抢修班正在巡线",
                cause="equipment",
                devices=[fuse],
                actual_start=now - dt.timedelta(minutes=40),
                crew_etr=now + dt.timedelta(hours=2),
                known_event=storm
                if storm is not None and feeder is not None and fuse.path.startswith(feeder.path)
                else None,
            )
            summary.outages += 1
            topic = Topic.objects.get(code="fault_repair")
            for i, customer in enumerate(customers_out(fuse).order_by("pk")[:CALLS]):
                with clock.at(now - dt.timedelta(minutes=30 - 5 * i)):
                    workorder_intake(
                        actor=agent,
                        business_type="repair",
                        topic=topic,
                        channel="95598",
                        description="家里突然没电，邻居家也没有电",
                        customer=customer,
                        caller_phone=customer.primary_phone,
                        idempotency_key=f"demo-outage-call-{fault.pk}-{i}",
                    )
                summary.linked_calls += 1
        transformers = _with_customers(DeviceKind.TRANSFORMER, used)
        if transformers:
            start = (now + dt.timedelta(days=10)).replace(hour=8, minute=0)
            outage_create(
                actor=dispatcher,
                kind="planned",
                title=transformers[0].name + "配变增容改造",
                reason="配变增容改造",
                cause="maintenance",
                devices=[transformers[0]],
                planned_start=start,
                planned_end=start + dt.timedelta(hours=8),
            )
            summary.outages += 1
        if len(transformers) > 1:
            start = (now + dt.timedelta(days=1)).replace(hour=9, minute=0)
            outage_create(
                actor=dispatcher,
                kind="temporary",
                title=transformers[1].name + "低压线路消缺",
                reason="低压线路缺陷需尽快处理",
                cause="maintenance",
                devices=[transformers[1]],
                planned_start=start,
                planned_end=start + dt.timedelta(hours=3),
                short_notice_reason="巡视发现导线断股，存在安全隐患，需次日处理",
            )
            summary.outages += 1
    return summary
