"""A repair order walks the whole happy path, one service per step."""

from __future__ import annotations

from powerdesk.workorders import services as s
from powerdesk.workorders.choices import BusinessType, Channel, Status
from tests.factories import topic


def test_a_repair_order_goes_from_intake_to_archive(users, county, customer):
    res = s.workorder_intake(
        actor=users["agent"],
        business_type=BusinessType.REPAIR,
        topic=topic(),
        channel=Channel.HOTLINE,
        description="家里整栋楼停电",
        customer=customer,
        caller_phone="13812345678",
    )
    order = res.order
    assert res.created and order.status == Status.ACCEPTED and order.unit == county.county
    order = s.workorder_dispatch(order=order, actor=users["dispatcher"], unit=county.east, expected_version=1)
    order = s.workorder_take(order=order, actor=users["repair"])
    order = s.workorder_arrive(order=order, actor=users["repair"])
    order = s.workorder_resolve(order=order, actor=users["repair"], result="更换熔断器，已复电")
    order = s.workorder_reply(order=order, actor=users["repair"], reply_text="已复电，告知客户")
    order = s.workorder_callback(
        order=order, actor=users["callback"], satisfaction="satisfied", resolved=True
    )
    order = s.workorder_archive(order=order, actor=users["callback"])
    assert order.status == Status.ARCHIVED
    kinds = list(order.events.order_by("id").values_list("kind", flat=True))
    assert kinds == ["created", "dispatch", "take", "arrive", "resolve", "reply", "callback", "archive"]
    assert order.version == 8
