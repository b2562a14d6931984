"""Property: any sequence of transitions, legal or not, keeps an order inside the state machine.

A small model of the table (plus the rules of the business types) predicts, for every call, whether the
service accepts it and where the order lands; the services must agree with it call by call, and the
timeline must hold exactly one event per accepted call.
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from powerdesk.core.errors import DomainError
from powerdesk.workorders import services as s
from powerdesk.workorders.choices import (
    FIELD_TYPES,
    FIRST_ANSWER_TYPES,
    ON_SITE_TYPES,
    BusinessType,
    Satisfaction,
    Status,
)
from powerdesk.workorders.models import WorkOrderEvent
from powerdesk.workorders.transitions import TRANSITIONS
from tests.factories import CustomerFactory
from tests.workorders.helpers import fresh, intake

SATISFACTIONS = list(Satisfaction.values)


@dataclass
class Model:
    business_type: str
    status: str = Status.ACCEPTED
    unit: int = 0
    satisfaction: str = ""
    before_suspend: str = ""

    def accepts(self, code: str, unit: int | None, satisfaction: str) -> bool:
        t = TRANSITIONS[code]
        if self.status not in t.sources:
            return False
        if code == "arrive":
            return self.business_type in ON_SITE_TYPES
        if code == "resolve":
            return self.business_type not in FIELD_TYPES or self.status == Status.ON_SITE
        if code == "answer":
            return self.business_type in FIRST_ANSWER_TYPES
        if code == "archive":
            return self.satisfaction in (Satisfaction.SATISFIED, Satisfaction.BASIC)
        if code == "transfer":
            return unit != self.unit
        # The customer's own withdrawal: no staff role may fire it (tests/portal).
        return code != "cancel_by_customer"

    def apply(self, code: str, unit: int | None, satisfaction: str, home: int) -> None:
        t = TRANSITIONS[code]
        if code == "resume":
            self.status, self.before_suspend = self.before_suspend, ""
        elif code == "callback" and satisfaction == Satisfaction.UNREACHABLE:
            pass  # stays 已回单
        elif code == "suspend":
            self.before_suspend, self.status = self.status, t.target
        elif t.target is not None:
            self.status = t.target
        if code == "reclassify":
            self.business_type = reclassified(self.business_type)
        if code in ("dispatch", "transfer"):
            self.unit = unit
        elif code in ("return", "reopen"):
            self.unit = home
        if code == "callback":
            self.satisfaction = satisfaction
        elif code == "reopen":
            self.satisfaction = ""


def reclassified(business_type: str) -> str:
    """What a reclassification in these sequences turns an order into: field work into a complaint about
    it, anything else into field work (so arrival and first answers change with it)."""
    return BusinessType.COMPLAINT if business_type == BusinessType.REPAIR else BusinessType.REPAIR


def _call(code: str, *, order, actor, unit, satisfaction, parent):
    text = f"{code} 的说明"
    kwargs = {
        "dispatch": {"unit": unit},
        "transfer": {"unit": unit, "reason": text},
        "resolve": {"result": text},
        "reply": {"reply_text": text},
        "answer": {"answer": text},
        "callback": {"satisfaction": satisfaction},
        "return": {"reason": text},
        "suspend": {"reason": text},
        "escalate": {"reason": text},
        "reopen": {"reason": text},
        "merge": {"parent": parent},
        "note": {"text": text},
        "call_out": {"number": "13812345678", "reached": True},
        "reclassify": {
            "business_type": reclassified(order.business_type),
            "topic": order.topic,
            "reason": text,
        },
    }.get(code, {})
    return s.SERVICES[code](order=order, actor=actor, **kwargs)


ALL_CODES = sorted(TRANSITIONS)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    business_type=st.sampled_from(
        [BusinessType.REPAIR, BusinessType.COMPLAINT, BusinessType.CONSULTATION, BusinessType.SERVICE_REQUEST]
    ),
    length=st.integers(1, 25),
    data=st.data(),
)
def test_random_transition_sequences_follow_the_table_and_log_one_event_per_accepted_call(
    users, county, business_type, length, data
):
    customer = CustomerFactory(area=county.east_area)
    order = intake(users, customer, business_type=business_type)
    parent = intake(users, customer, business_type=business_type, topic_code="outage_info")
    units = [county.east, county.west, county.county]
    model = Model(business_type=business_type, unit=county.county.pk)
    accepted = 0

    for _ in range(length):
        # Mostly a transition the table offers from here (a merge ends the walk, so it comes from the
        # other draws), sometimes any transition at all, to test the refusals too.
        offered = [t.code for t in TRANSITIONS.values() if model.status in t.sources and t.code != "merge"]
        anything = data.draw(st.integers(0, 4)) == 0
        code = data.draw(st.sampled_from(ALL_CODES if anything or not offered else offered))
        unit = data.draw(st.sampled_from(units))
        satisfaction = data.draw(st.sampled_from(SATISFACTIONS))
        expected = model.accepts(code, unit.pk, satisfaction)
        version = fresh(order).version
        try:
            order = _call(
                code, order=order, actor=users["manager"], unit=unit, satisfaction=satisfaction, parent=parent
            )
        except DomainError as exc:
            assert not expected, f"{code} refused from {model.status}: {exc.message}"
            order = fresh(order)
            assert (order.status, order.version) == (model.status, version)
            continue
        assert expected, f"{code} accepted from {model.status}"
        accepted += 1
        model.apply(code, unit.pk, satisfaction, home=county.county.pk)
        order = fresh(order)
        assert order.status == model.status
        assert order.status in Status.values
        assert order.unit_id == model.unit
        assert order.version == version + 1

    assert WorkOrderEvent.objects.filter(order=order).count() == 1 + accepted
    assert fresh(order).version == 1 + accepted
