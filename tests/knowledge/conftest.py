"""Fixtures of the case library tests: an author (a handler), a reviewer (a manager), a case."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from powerdesk.knowledge import services
from powerdesk.knowledge.models import CaseVersion
from powerdesk.workorders import services as s
from powerdesk.workorders.models import SubType, WorkOrder
from tests.factories import UserFactory, topic


@pytest.fixture
def author(users):
    return users["handler"]


@pytest.fixture
def reviewer(users):
    return users["manager"]


@pytest.fixture
def second_reviewer(county):
    return UserFactory.with_role("manager", county.county, username="reviewer2")


@pytest.fixture
def make_case(author) -> Callable[..., CaseVersion]:
    def make(title: str = "抢修人员未说明产权分界点", **content) -> CaseVersion:
        defaults = {
            "area": topic("fault_repair"),
            "business_type": "complaint",
            "sub_type": SubType.objects.get(code="complaint_attitude"),
            "situation": "客户夜间报修，抢修人员未解释产权分界点就离开。",
            "findings": "录音显示用语生硬。",
            "lessons": "一次性告知。",
            "tags": ["产权分界点"],
        }
        defaults.update(content)
        return services.case_create(actor=author, title=title, **defaults)

    return make


@pytest.fixture
def published(make_case, author, reviewer) -> Callable[..., CaseVersion]:
    def make(title: str = "抢修人员未说明产权分界点", **content) -> CaseVersion:
        version = make_case(title, **content)
        services.case_step(version=version, actor=author, step="submit")
        return services.case_step(version=version, actor=reviewer, step="publish")

    return make


@pytest.fixture
def order_on_site(users, county, customer) -> Callable[[str], WorkOrder]:
    """A fault-repair order taken by the repair crew, on site (ready for 处理完成)."""

    def make(description: str = "表箱冒烟") -> WorkOrder:
        order = s.workorder_intake(
            actor=users["agent"],
            business_type="repair",
            topic=topic(),
            channel="95598",
            description=description,
            customer=customer,
            caller_phone="13812345678",
        ).order
        order = s.workorder_dispatch(order=order, actor=users["dispatcher"], unit=county.east)
        order = s.workorder_take(order=order, actor=users["repair"])
        return s.workorder_arrive(order=order, actor=users["repair"])

    return make
