"""The early warning weighs an outage on the caller's supply in the last days (risk's ``recent_outage``
factor, from the outages app's per-customer interruption records)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from powerdesk.core.clock import BUSINESS_TZ
from powerdesk.outages import services
from powerdesk.risk.models import OrderRisk, RiskPolicy
from tests.workorders.helpers import intake

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=BUSINESS_TZ)


def reasons(order) -> dict[str, int]:
    risk = OrderRisk.objects.filter(order=order).first()
    return {r["code"]: r["count"] for r in risk.reasons} if risk else {}


def test_a_call_days_after_an_outage_on_the_callers_supply_carries_it_as_a_reason(net, users):
    with time_machine.travel(NOW - dt.timedelta(days=2), tick=False):
        outage = services.outage_create(
            actor=users["dispatcher"], kind="fault", title="熔断器跳闸", devices=[net["FU"]]
        )
        services.outage_restore(outage=outage, actor=users["dispatcher"])
    with time_machine.travel(NOW, tick=False):
        home = intake(users, net.customers["home"], topic_code="power_quality", description="电压又不稳了")
        shop = intake(users, net.customers["shop"], topic_code="power_quality", description="电压不稳")
    assert reasons(home) == {"recent_outage": 1}  # under the fuse that tripped
    assert reasons(shop) == {}  # on the other transformer: never out


def test_an_outage_older_than_the_policys_days_does_not_count(net, users):
    with time_machine.travel(NOW - dt.timedelta(days=10), tick=False):
        outage = services.outage_create(
            actor=users["dispatcher"], kind="fault", title="熔断器跳闸", devices=[net["FU"]]
        )
        services.outage_restore(outage=outage, actor=users["dispatcher"])
    with time_machine.travel(NOW, tick=False):
        assert reasons(intake(users, net.customers["home"], topic_code="power_quality")) == {}
    policy = RiskPolicy.objects.get(is_active=True)
    policy.outage_days = 14
    policy.save()
    with time_machine.travel(NOW + dt.timedelta(minutes=5), tick=False):
        later = intake(users, net.customers["home"], topic_code="metering", description="电表走得快")
    assert reasons(later) == {"recent_outage": 1}
