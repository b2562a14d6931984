"""Plans for the demo orders: who calls, about what, and every later step with its actor and moment.

A :class:`Plan` is one order's life written in advance — intake, dispatch, field work, reply, callback,
archive, plus the side paths (repeat calls, transfer, return, suspend, chase, escalation, merge, reopen).
Times are drawn from the seeded generator; the runner (:mod:`powerdesk.demo.runner`) replays every step
of every plan in time order through the work-order services, and drops the steps that would lie after
"now", which is how recent orders end up open at every stage.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from powerdesk.core import workdays
from powerdesk.core.clock import BUSINESS_TZ
from powerdesk.customers.models import CustomerType as T
from powerdesk.demo import texts
from powerdesk.demo.county import Area, County, Station
from powerdesk.demo.customers import DemoCustomer
from powerdesk.demo.names import PhoneBook, person_name
from powerdesk.demo.staff import Staff
from powerdesk.demo.texts import Case
from powerdesk.org.models import Unit, User
from powerdesk.workorders.choices import BusinessType as B
from powerdesk.workorders.choices import Channel as C
from powerdesk.workorders.models import SubType, Topic, WorkOrder

TYPE_SHARES = (
    (B.REPAIR, 45),
    (B.CONSULTATION, 20),
    (B.SERVICE_REQUEST, 12),
    (B.COMPLAINT, 6),
    (B.APPLICATION, 6),
    (B.OPINION, 5),
    (B.REPORT, 3),
    (B.PRAISE, 3),
)
CHANNELS: dict[str, dict[str, float]] = {
    B.REPAIR: {C.HOTLINE: 75, C.APP: 12, C.WECHAT: 8, C.WEB: 2, C.SMS: 1, C.HALL: 2},
    B.CONSULTATION: {C.HOTLINE: 65, C.APP: 12, C.WECHAT: 10, C.WEB: 5, C.HALL: 8},
    B.COMPLAINT: {C.HOTLINE: 68, C.GOVERNMENT: 12, C.REGULATOR: 6, C.APP: 7, C.WECHAT: 5, C.WEB: 2},
    B.SERVICE_REQUEST: {C.HOTLINE: 60, C.APP: 20, C.WECHAT: 8, C.HALL: 10, C.WEB: 2},
    B.APPLICATION: {C.HALL: 40, C.APP: 35, C.HOTLINE: 15, C.WEB: 5, C.WECHAT: 5},
    B.OPINION: {C.HOTLINE: 40, C.OPINION_BOX: 25, C.APP: 15, C.WECHAT: 10, C.WEB: 10},
    B.REPORT: {C.HOTLINE: 60, C.GOVERNMENT: 15, C.WEB: 10, C.WECHAT: 10, C.APP: 5},
    B.PRAISE: {C.HOTLINE: 70, C.WECHAT: 10, C.APP: 10, C.OPINION_BOX: 5, C.HALL: 5},
}
# Relative call volume per hour of the day (index = hour, local time).
REPAIR_HOURS = (1, 0.8, 0.5, 0.4, 0.4, 0.6, 1, 2, 3, 3, 3, 3, 3, 3, 3, 3, 4, 5, 7, 8, 8, 6, 4, 2)
OFFICE_HOURS = (0.1, 0.05, 0, 0, 0, 0.05, 0.2, 1, 4, 6, 6, 5, 3, 5, 6, 6, 5, 4, 3, 2, 1.5, 1, 0.5, 0.2)
# Days an application takes from the handler's acceptance to completion, by sub-type.
APPLICATION_DAYS = {
    "app_new_lv": (1, 4),
    "app_new_hv": (8, 18),
    "app_new_hv_dual": (14, 26),
    "app_ev_charger": (2, 6),
    "app_pv": (4, 12),
    "app_transfer": (0.3, 2),
    "app_rename": (0.3, 2),
    "app_meter_test": (2, 5),
}
SURVEYED = {"app_new_lv", "app_new_hv", "app_new_hv_dual", "app_ev_charger", "app_pv", "app_meter_test"}
HISTORY_DAYS = 90
# "Live" orders were taken recently enough to be still open: within LIVE_HOURS of now (repairs, which close
# within hours, within LIVE_REPAIR_HOURS). Shares per type; the others are spread over the 90 days.
LIVE_HOURS = 96
LIVE_REPAIR_HOURS = 30
LIVE_SHARE: dict[str, float] = {B.REPAIR: 0.03}
LIVE_FIRST = {B.REPAIR, B.COMPLAINT, B.APPLICATION, B.SERVICE_REQUEST}


@dataclass
class Step:
    at: dt.datetime
    action: str  # "intake", "repeat", "recur" (a new order linked as 复发) or a transition code
    actor: User
    kwargs: dict[str, Any] = field(default_factory=dict)


@dataclass
class Plan:
    index: int
    case: Case
    dc: DemoCustomer
    created: dt.datetime
    channel: str
    description: str
    caller_phone: str
    caller_name: str
    facts: dict[str, Any] = field(default_factory=dict)
    priority: int | None = None
    features: set[str] = field(default_factory=set)
    steps: list[Step] = field(default_factory=list)
    parent: Plan | None = None  # merge target (storm calls)
    related: Plan | None = None  # the repair order a complaint refers to
    force_new_reason: str = ""
    live: bool = False
    order: WorkOrder | None = None

    @property
    def station(self) -> Station:
        return self.dc.area.station


def quotas(n: int, shares: tuple[tuple[str, float], ...]) -> dict[str, int]:
    """Split ``n`` by ``shares`` (largest remainders), giving every key at least one when n allows."""
    total = sum(s for _k, s in shares)
    raw = {k: n * s / total for k, s in shares}
    out = {k: int(v) for k, v in raw.items()}
    for k in sorted(raw, key=lambda k: raw[k] - int(raw[k]), reverse=True)[: n - sum(out.values())]:
        out[k] += 1
    for k in out:
        if out[k] == 0 and n >= len(shares):
            donor = max(out, key=lambda key: out[key])
            out[donor] -= 1
            out[k] += 1
    return out


class PlannerBase:
    """What every part of the planner shares: the generator, the county, the staff, and time helpers."""

    def __init__(
        self,
        *,
        rng: random.Random,
        phones: PhoneBook,
        county: County,
        staff: Staff,
        customers: list[DemoCustomer],
        now: dt.datetime,
    ) -> None:
        self.rng, self.phones, self.county, self.staff, self.now = rng, phones, county, staff, now
        self.topics = {t.code: t for t in Topic.objects.all()}
        self.sub_types = {s.code: s for s in SubType.objects.all()}
        self.plans: list[Plan] = []
        self.pools: dict[str, list[DemoCustomer]] = {}
        self.by_area: dict[int, list[DemoCustomer]] = {}
        for dc in customers:
            self.pools.setdefault(dc.customer.customer_type, []).append(dc)
            self.by_area.setdefault(dc.area.unit.pk, []).append(dc)
        self.all_customers = customers
        self.used: set[int] = set()

    # ---- helpers ---------------------------------------------------------------------------------

    def minutes(self, t: dt.datetime, lo: float, hi: float) -> dt.datetime:
        return t + dt.timedelta(minutes=self.rng.uniform(lo, hi))

    def hours(self, t: dt.datetime, lo: float, hi: float) -> dt.datetime:
        return t + dt.timedelta(hours=self.rng.uniform(lo, hi))

    def days(self, t: dt.datetime, lo: float, hi: float) -> dt.datetime:
        return t + dt.timedelta(days=self.rng.uniform(lo, hi))

    def office(self, t: dt.datetime) -> dt.datetime:
        """The same moment if it is in office hours on a working day, else early on the next working day."""
        local = t.astimezone(BUSINESS_TZ)
        start, end = dt.time(8, 30), dt.time(17, 30)
        if workdays.is_workday(local.date()) and start <= local.time() < end:
            return t
        day = local.date() if local.time() < start else local.date() + dt.timedelta(days=1)
        while not workdays.is_workday(day):
            day += dt.timedelta(days=1)
        return dt.datetime.combine(day, start, tzinfo=BUSINESS_TZ) + dt.timedelta(
            minutes=self.rng.uniform(0, 90)
        )

    def awake(self, t: dt.datetime) -> dt.datetime:
        """Callbacks are made between 8:30 and 20:30, any day."""
        local = t.astimezone(BUSINESS_TZ)
        if dt.time(8, 30) <= local.time() < dt.time(20, 30):
            return t
        day = local.date() if local.time() < dt.time(8, 30) else local.date() + dt.timedelta(days=1)
        return dt.datetime.combine(day, dt.time(8, 30), tzinfo=BUSINESS_TZ) + dt.timedelta(
            minutes=self.rng.uniform(0, 150)
        )

    def created_time(self, hours_profile: tuple[float, ...], live: bool) -> dt.datetime:
        recent = LIVE_REPAIR_HOURS if hours_profile is REPAIR_HOURS else LIVE_HOURS
        lo, hi = (10 / 60, recent) if live else (recent, HISTORY_DAYS * 24)
        top = max(hours_profile)
        while True:
            t = self.now - dt.timedelta(hours=self.rng.uniform(lo, hi))
            if self.rng.random() * top < hours_profile[t.astimezone(BUSINESS_TZ).hour]:
                return t.replace(second=self.rng.randrange(60), microsecond=0)

    def pick(self, weights: dict[str, float]) -> str:
        return self.rng.choices(list(weights), list(weights.values()))[0]

    def customer_of(self, weights: dict[str, float]) -> DemoCustomer:
        ctype = self.pick(weights)
        for pool_type in [ctype, *[t for t in T.values if t != ctype]]:
            pool = self.pools.get(pool_type, [])
            while pool:
                dc = pool.pop(self.rng.randrange(len(pool)))
                if dc.customer.pk not in self.used:
                    self.used.add(dc.customer.pk)
                    return dc
        return self.rng.choice(self.all_customers)  # every account already has an order: reuse one

    def customer_in(self, area: Area) -> DemoCustomer | None:
        pool = [
            dc
            for dc in self.by_area.get(area.unit.pk, [])
            if dc.customer.pk not in self.used
            and dc.customer.customer_type in (T.URBAN_RESIDENT, T.RURAL_RESIDENT, T.COMMERCIAL)
        ]
        if not pool:
            return None
        dc = self.rng.choice(pool)
        self.used.add(dc.customer.pk)
        return dc

    def caller(self, dc: DemoCustomer) -> tuple[str, str]:
        roll = self.rng.random()
        phone = dc.phones[1] if roll > 0.85 and len(dc.phones) > 1 else dc.phones[0]
        if roll > 0.95:
            phone = self.phones.mobile()
        resident = dc.customer.customer_type in (T.URBAN_RESIDENT, T.RURAL_RESIDENT)
        name = dc.customer.name if resident and self.rng.random() < 0.8 else person_name(self.rng)
        return phone, name

    def text_slots(self, dc: DemoCustomer) -> dict[str, str]:
        crews = self.staff.at(dc.area.station.unit.pk, "repair")
        return {
            "place": dc.place,
            "station": dc.area.station.unit.name,
            "staff": self.rng.choice(crews).full_name if crews else "抢修",
        }

    def fill(self, options: tuple[str, ...], dc: DemoCustomer) -> str:
        return texts.fill(self.rng.choice(options), self.rng, **self.text_slots(dc))

    def agent(self) -> User:
        return self.rng.choice(self.staff.role("agent"))

    def dispatcher(self) -> User:
        return self.rng.choice(self.staff.role("dispatcher"))

    def callback_agent(self) -> User:
        return self.rng.choice(self.staff.role("callback"))

    def manager(self) -> User:
        return self.rng.choice(self.staff.role("manager"))

    def crew(self, station: Station, role: str = "repair") -> User:
        users = self.staff.at(station.unit.pk, role) or self.staff.at(station.unit.pk, "handler")
        return self.rng.choice(users)

    def handler_for(self, plan: Plan) -> tuple[Unit, list[User]]:
        """Where non-field work goes: the county's own handler for staff misconduct and the town hall's
        service, the customer's station otherwise."""
        county_work = plan.case.sub_type == "report_misconduct" or (
            plan.case.business_type == B.COMPLAINT and plan.case.topic == "hall_service"
        )
        if county_work and self.staff.role("handler"):
            county_handlers = [u for u in self.staff.role("handler") if u.unit_id == self.county.county.pk]
            if county_handlers:
                return self.county.county, county_handlers
        return plan.station.unit, self.staff.at(plan.station.unit.pk, "handler")
