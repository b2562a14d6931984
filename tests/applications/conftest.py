"""Fixtures of the application tests: applications taken in the hall by the agent, at a pinned time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
import time_machine

from powerdesk.applications.models import (
    Application,
    ApplicationKind,
    ApplicationStep,
    DocumentReceipt,
    StepState,
)
from powerdesk.applications.services import (
    application_start,
    application_step_complete,
    step_missing_documents,
)
from powerdesk.core.clock import BUSINESS_TZ
from powerdesk.customers.models import CustomerType
from powerdesk.workorders.services import workorder_dispatch
from tests.factories import CustomerFactory

MONDAY = dt.datetime(2026, 11, 16, 10, 0, tzinfo=BUSINESS_TZ)  # daytime: customer messages are not held


def at(y: int, m: int, d: int, h: int = 10, mi: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, h, mi, tzinfo=BUSINESS_TZ)


@pytest.fixture
def business_customer(county):
    return CustomerFactory(
        area=county.east_area, phone="13812340000", name="东桥五金店", customer_type=CustomerType.COMMERCIAL
    )


@pytest.fixture
def start(users, customer, county) -> Callable[..., Application]:
    """``start("lv_resident", when=...)``: an application taken in the hall by the agent, and (unless
    ``dispatch=False``) dispatched by the dispatcher to the east station, where the handler and the crew
    sit."""

    def make(
        code: str, *, when: dt.datetime = MONDAY, cust=None, dispatch: bool = True, **kwargs
    ) -> Application:
        with time_machine.travel(when, tick=False):
            application = application_start(
                actor=kwargs.pop("actor", users["agent"]),
                kind=ApplicationKind.objects.get(code=code),
                customer=cust or customer,
                channel=kwargs.pop("channel", "hall"),
                notice_channel=kwargs.pop("notice_channel", "printed"),
                **kwargs,
            )
            if dispatch and application.order.status == "accepted":
                workorder_dispatch(order=application.order, actor=users["dispatcher"], unit=county.east)
            return Application.objects.select_related("order", "kind", "process_clock").get(pk=application.pk)

    return make


def active(application: Application) -> list[ApplicationStep]:
    return list(
        application.steps.filter(state=StepState.ACTIVE).select_related("template", "clock").order_by("id")
    )


def active_codes(application: Application) -> list[str]:
    return [s.template.code for s in active(application)]


def receive_all(step: ApplicationStep, actor) -> None:
    """The documents ``step`` requires, received (bare receipts, no file and no event: the tests that
    move steps are about clocks and steps; the receipt path itself is tested in test_step_documents)."""
    for document in step_missing_documents(step):
        DocumentReceipt.objects.create(
            application_id=step.application_id,
            step=step,
            document=document,
            received_by=actor,
            received_at=step.started_at,
        )


def complete(step: ApplicationStep, actor, when: dt.datetime, result: str = "已办理") -> ApplicationStep:
    receive_all(step, actor)
    with time_machine.travel(when, tick=False):
        return application_step_complete(step=step, actor=actor, result=result)


def step(application: Application, code: str) -> ApplicationStep:
    return application.steps.select_related("template", "clock").get(
        template__code=code, state=StepState.ACTIVE
    )
