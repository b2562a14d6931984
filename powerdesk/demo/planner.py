"""The planner: how many orders of each kind, for which customers, with which side paths."""

from __future__ import annotations

import datetime as dt

from powerdesk.core.clock import BUSINESS_TZ
from powerdesk.customers.models import CustomerType as T
from powerdesk.demo import texts
from powerdesk.demo.customers import DemoCustomer
from powerdesk.demo.lifecycles import Lifecycles
from powerdesk.demo.plans import (
    CHANNELS,
    LIVE_FIRST,
    LIVE_SHARE,
    OFFICE_HOURS,
    REPAIR_HOURS,
    TYPE_SHARES,
    Plan,
    quotas,
)
from powerdesk.demo.texts import CASES, Case, handling
from powerdesk.org.models import RegionClass
from powerdesk.workorders.choices import BusinessType as B
from powerdesk.workorders.choices import Channel as C
from powerdesk.workorders.choices import Priority


class Planner(Lifecycles):
    # ---- building the plans --------------------------------------------------------------------

    def build(self, n_orders: int) -> list[Plan]:
        counts = quotas(n_orders, TYPE_SHARES)
        storms = self._storms(counts[B.REPAIR])
        counts[B.REPAIR] -= len(storms)
        for btype, count in counts.items():
            cases = [c for c in CASES if c.business_type == btype]
            share = LIVE_SHARE.get(btype, 0.08)
            for k in range(count):
                case = self.rng.choices(cases, [c.weight for c in cases])[0]
                # The first order of each kind that stays open for a while is always recent, so even a tiny
                # demo has a queue to work on.
                live = (k == 0 and btype in LIVE_FIRST) or self.rng.random() < share
                self._new_plan(case, self.customer_of(case.customers), live=live)
        self._assign_features()
        self._link_attitude_complaints()
        for plan in self.plans:
            if not plan.steps:
                self._schedule(plan)
        self._add_override()
        for plan in self.plans:
            plan.steps.sort(key=lambda s: s.at)
        return self.plans

    def _new_plan(
        self,
        case: Case,
        dc: DemoCustomer,
        *,
        live: bool,
        created: dt.datetime | None = None,
        description: str | None = None,
    ) -> Plan:
        hours = REPAIR_HOURS if case.business_type == B.REPAIR else OFFICE_HOURS
        phone, name = self.caller(dc)
        plan = Plan(
            index=len(self.plans),
            case=case,
            dc=dc,
            created=created or self.created_time(hours, live),
            channel=self.pick(CHANNELS[case.business_type]),
            description=description or self.fill(case.texts, dc),
            caller_phone=phone,
            caller_name=name,
            facts={k: self.rng.choice(v) for k, v in case.facts.items()},
            live=live,
        )
        if case.sub_type in ("repair_safety", "repair_hv"):
            plan.priority = Priority.HIGH
        self.plans.append(plan)
        return plan

    def _storms(self, repair_quota: int) -> list[Plan]:
        """Two storms: one about five weeks ago and one last evening. In a few areas several households
        call within the hour; the first call becomes the main order and the others are merged into it."""
        if repair_quota < 12:
            return []
        case = next(c for c in CASES if c.sub_type == "repair_lv")
        rural = [
            a for a in self.county.areas if a.unit.region_class != RegionClass.URBAN and not a.spec.industrial
        ]
        urban = [
            a for a in self.county.areas if a.unit.region_class == RegionClass.URBAN and not a.spec.industrial
        ]
        budget = max(3, repair_quota // 40)
        plans: list[Plan] = []
        for days_ago, hour in ((38, 17.5), (1, 19.2)):
            day = (self.now - dt.timedelta(days=days_ago)).astimezone(BUSINESS_TZ).date()
            start = dt.datetime.combine(day, dt.time(0), tzinfo=BUSINESS_TZ) + dt.timedelta(hours=hour)
            if start >= self.now - dt.timedelta(hours=3):
                start = self.now - dt.timedelta(hours=self.rng.uniform(20, 26))
            weather = self.rng.choice(texts.SLOTS["weather"])
            areas = self.rng.sample(rural, min(2, len(rural))) + self.rng.sample(urban, min(1, len(urban)))
            for area in areas:
                if budget <= 0:
                    break
                size = min(budget, self.rng.randint(2, 4))
                t = self.minutes(start, 0, 50)
                parent: Plan | None = None
                for _ in range(size):
                    dc = self.customer_in(area)
                    if dc is None:
                        break
                    text = texts.fill(
                        self.rng.choice(handling.STORM_TEXTS),
                        self.rng,
                        weather=weather,
                        **self.text_slots(dc),
                    )
                    plan = self._new_plan(case, dc, live=days_ago <= 2, created=t, description=text)
                    plan.facts = {
                        "scope": "片区",
                        "weather": weather.replace("刚才的", "").replace("那阵", ""),
                    }
                    plan.features.add("storm")
                    if parent is None:
                        parent = plan
                    else:
                        plan.parent = parent
                        plan.features.add("merged")
                    plans.append(plan)
                    budget -= 1
                    t = self.minutes(t, 4, 15)
        return plans

    def _assign_features(self) -> None:
        """Side paths, each on a share of the eligible plans (at least one when any is eligible).

        The features that tests and the console rely on (a third call, a reopen …) go to plans older
        than the live window, so their whole story has happened by now."""

        def eligible(types: set[str], exclude: frozenset[str] | set[str] = frozenset()) -> list[Plan]:
            return [
                p
                for p in self.plans
                if p.case.business_type in types and not p.features & ({"storm"} | exclude)
            ]

        def choose(feature: str, pool: list[Plan], share: float, *, settled: bool = False) -> None:
            if settled:
                old = [p for p in pool if not p.live]
                pool = old or pool
            if not pool:
                return
            k = max(1, round(share * len(pool)))
            for plan in self.rng.sample(pool, min(k, len(pool))):
                plan.features.add(feature)

        repair = eligible({B.REPAIR})
        choose("repeat3", repair, 0.04, settled=True)
        choose("repeat", eligible({B.REPAIR}, {"repeat3"}), 0.08)
        choose("transfer", eligible({B.REPAIR}, {"repeat3"}), 0.03, settled=True)
        choose("return", eligible({B.REPAIR}, {"transfer"}), 0.02, settled=True)
        choose("reopen", eligible({B.REPAIR}), 0.03, settled=True)
        choose("unreachable", eligible({B.REPAIR}, {"reopen"}), 0.06)
        choose("relapse", eligible({B.REPAIR}, {"reopen", "repeat", "repeat3"}), 0.015, settled=True)
        absent = [p for p in eligible({B.REPAIR}, {"return"}) if p.case.sub_type == "repair_customer_side"]
        choose("suspend", absent, 0.1)
        choose("escalate", eligible({B.REPAIR}, {"transfer", "return"}), 0.02, settled=True)
        for plan in repair:
            if plan.dc.customer.customer_type == T.IMPORTANT or plan.dc.customer.is_life_support:
                plan.features.add("escalate")

        complaint = eligible({B.COMPLAINT})
        choose("repeat", complaint, 0.15, settled=True)
        choose("chase", complaint, 0.15)
        choose("suspend", complaint, 0.1)
        choose("reopen", complaint, 0.1, settled=True)
        choose("unreachable", eligible({B.COMPLAINT}, {"reopen"}), 0.05)
        for plan in complaint:
            if plan.channel == C.REGULATOR or plan.dc.customer.is_sensitive:
                plan.features.add("escalate")

        apps = eligible({B.APPLICATION})
        choose("suspend", apps, 0.3, settled=True)
        choose("long_suspend", [p for p in apps if "suspend" in p.features], 0.15, settled=True)
        choose("chase", apps, 0.12)
        choose("repeat", apps, 0.1)
        choose("return", eligible({B.APPLICATION}, {"suspend"}), 0.05, settled=True)
        choose("transfer", eligible({B.APPLICATION}, {"return"}), 0.03)

        requests = eligible({B.SERVICE_REQUEST})
        choose("suspend", requests, 0.08)
        choose("repeat", requests, 0.05)
        choose("unreachable", requests, 0.05)
        choose("reopen", eligible({B.SERVICE_REQUEST}, {"unreachable"}), 0.03, settled=True)
        choose("transfer", eligible({B.SERVICE_REQUEST}, {"suspend"}), 0.03)

        choose("chase", eligible({B.OPINION, B.REPORT}), 0.05)
        consults = [p for p in eligible({B.CONSULTATION}) if p.case.results]
        choose("dispatched", consults, 0.3)

    def _link_attitude_complaints(self) -> None:
        """A customer unhappy with the crew who came: the complaint follows the repair order by an hour or so
        (the pattern of the typical-case book's first case). One in about forty repair plans."""
        repairs = [
            p
            for p in self.plans
            if p.case.business_type == B.REPAIR
            and not p.live
            and not p.features & {"storm", "reopen", "relapse", "suspend"}
            and p.dc.customer.customer_type in (T.URBAN_RESIDENT, T.RURAL_RESIDENT)
        ]
        complaints = [
            p
            for p in self.plans
            if p.case.sub_type == "complaint_attitude"
            and p.case.topic == "communication"
            and not p.live
            and not p.features & {"repeat", "reopen"}
        ]
        k = min(len(complaints), max(1, len(repairs) // 40)) if repairs else 0
        for repair, complaint in zip(
            self.rng.sample(repairs, min(k, len(repairs))), complaints[:k], strict=False
        ):
            self._schedule(repair)
            arrive = next(s.at for s in repair.steps if s.action == "arrive")
            complaint.dc = repair.dc
            complaint.created = self.minutes(arrive, 60, 150)
            complaint.description = self.rng.choice(handling.ATTITUDE_AFTER_REPAIR)
            complaint.caller_phone, complaint.caller_name = repair.caller_phone, repair.caller_name
            complaint.related = repair

    def _add_override(self) -> None:
        """One customer calls again with the same topic about a different fault: the agent opens a new order
        and records why it is not a repeat call."""
        candidates = [
            p
            for p in self.plans
            if p.case.sub_type == "repair_lv"
            and not p.live
            and not p.features & {"storm", "repeat", "repeat3", "relapse", "reopen"}
            and p.related is None
            and not any(q.related is p for q in self.plans)
        ]
        if not candidates or len(self.plans) < 30:
            return
        first = self.rng.choice(candidates)
        created = self.days(first.created, 1, 4)
        if created >= self.now:
            return
        plan = self._new_plan(
            first.case,
            first.dc,
            live=False,
            created=created,
            description=self.rng.choice(handling.OVERRIDE_TEXTS),
        )
        plan.force_new_reason = self.rng.choice(handling.OVERRIDE_REASONS)
        plan.caller_phone, plan.caller_name = first.caller_phone, first.caller_name
        self._schedule(plan)
