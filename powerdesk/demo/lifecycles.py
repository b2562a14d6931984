"""How each kind of order lives: the steps of a plan, with actor and moment, from intake to archive.

One function per business type writes the work part (dispatch … reply); :meth:`Lifecycles._close` adds the
callback and archive, or a dissatisfied callback and a re-open that sends the order round again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from powerdesk.customers.models import CustomerType as T
from powerdesk.demo import texts
from powerdesk.demo.county import Station
from powerdesk.demo.plans import (
    APPLICATION_DAYS,
    SURVEYED,
    Plan,
    PlannerBase,
    Step,
)
from powerdesk.demo.texts import handling
from powerdesk.org.models import RegionClass, Unit, User
from powerdesk.workorders.choices import BusinessType as B
from powerdesk.workorders.choices import Channel as C
from powerdesk.workorders.choices import Satisfaction


class Lifecycles(PlannerBase):
    # ---- scheduling one plan ---------------------------------------------------------------------

    def _schedule(self, plan: Plan) -> None:
        if plan.steps:
            return
        plan.steps.append(Step(plan.created, "intake", self.agent()))
        btype = plan.case.business_type
        if "merged" in plan.features:
            plan.steps.append(
                Step(
                    self.minutes(plan.created, 3, 12),
                    "merge",
                    self.dispatcher(),
                    {"note": self.rng.choice(handling.MERGE_NOTES)},
                )
            )
            return
        if btype in (B.CONSULTATION, B.PRAISE) and "dispatched" not in plan.features:
            answer = texts.fill(self.rng.choice(plan.case.answers), self.rng, **self.text_slots(plan.dc))
            plan.steps.append(
                Step(self.minutes(plan.created, 1, 8), "answer", plan.steps[0].actor, {"answer": answer})
            )
            return
        works: dict[str, Callable[[Plan, dt.datetime, bool], dt.datetime]] = {
            B.REPAIR: self._repair_work,
            B.SERVICE_REQUEST: self._request_work,
            B.APPLICATION: self._application_work,
        }
        work = works.get(btype, self._desk_work)
        end = work(plan, plan.created, True)
        end, reopened = self._close(plan, end, allow_reopen=True)
        if reopened:
            t = self.minutes(end, 10, 60) if btype == B.REPAIR else self.office(self.minutes(end, 20, 120))
            end = work(plan, t, False)
            end, _ = self._close(plan, end, allow_reopen=False)
        if "relapse" in plan.features:
            self._relapse(plan, end)

    def _dispatch(self, plan: Plan, t: dt.datetime, unit: Unit, *, assignee: User | None = None) -> None:
        plan.steps.append(
            Step(
                t,
                "dispatch",
                self.dispatcher(),
                {"unit": unit, "assignee": assignee, "note": self.rng.choice(handling.DISPATCH_NOTES)},
            )
        )

    def _wrong_station(self, plan: Plan) -> Station:
        others = [s for s in self.county.stations if s.unit.pk != plan.station.unit.pk]
        return self.rng.choice(others)

    def _repeats(
        self, plan: Plan, first: dt.datetime, gap: tuple[float, float], last: dt.datetime
    ) -> dt.datetime:
        """Repeat calls between ``first`` and ``last``; returns the time of the last one (or ``first``)."""
        count = 0
        if "repeat3" in plan.features:
            count = self.rng.choice((2, 2, 3))
        elif "repeat" in plan.features:
            count = 1
        if not count:
            return first
        options = handling.REPEAT_TEXTS.get(plan.case.business_type, handling.REPEAT_TEXTS["default"])
        t = first
        for k in range(count):
            if t >= last:
                break
            channel = (
                plan.channel if self.rng.random() < 0.7 else self.pick({C.HOTLINE: 3, C.APP: 1, C.WECHAT: 1})
            )
            plan.steps.append(
                Step(
                    t,
                    "repeat",
                    self.agent(),
                    {"description": self.rng.choice(options[k + 2]), "channel": channel},
                )
            )
            t = self.minutes(t, *gap)
        return t

    def _repair_work(self, plan: Plan, t0: dt.datetime, first: bool) -> dt.datetime:
        station, features = plan.station, plan.features
        important = plan.dc.customer.customer_type == T.IMPORTANT
        t = self.minutes(t0, 1, 4) if important else self.minutes(t0, 1.5, 9)
        assignee = self.crew(station) if self.rng.random() < 0.15 else None
        if first and "transfer" in features:
            wrong = self._wrong_station(plan)
            self._dispatch(plan, t, wrong.unit)
            t = self.minutes(t, 5, 15)
            reason = handling.TRANSFER_REASONS[0].format(station=station.unit.name)
            plan.steps.append(
                Step(t, "transfer", self.dispatcher(), {"unit": station.unit, "reason": reason})
            )
            assignee = None
        else:
            self._dispatch(plan, t, station.unit, assignee=assignee)
        if first and "escalate" in features:
            t = self.minutes(t, 2, 10)
            kind = (
                "important" if important else "life_support" if plan.dc.customer.is_life_support else "wide"
            )
            plan.steps.append(
                Step(
                    t,
                    "escalate",
                    self.manager(),
                    {"reason": self.rng.choice(handling.ESCALATE_REASONS[kind])},
                )
            )
        crew = assignee or self.crew(station)
        t = self.minutes(t, 1, 10)
        plan.steps.append(Step(t, "take", crew))
        if first and "return" in features:
            t = self.minutes(t, 5, 20)
            plan.steps.append(Step(t, "return", crew, {"reason": self.rng.choice(handling.RETURN_REASONS)}))
            t = self.minutes(t, 8, 30)
            self._dispatch(plan, t, station.unit)
            crew = self.crew(station)
            t = self.minutes(t, 2, 10)
            plan.steps.append(Step(t, "take", crew))
        region = plan.dc.area.unit.region_class
        travels: dict[str, tuple[float, float]] = {RegionClass.URBAN: (15, 42), RegionClass.RURAL: (30, 85)}
        travel = travels.get(region, (45, 115))
        if important:
            travel = (12, 28)
        if "storm" in features:
            travel = (travel[0] + 20, travel[1] + 40)
        arrive = self.minutes(t, *travel)
        if self.rng.random() < 0.08:
            arrive = self.minutes(arrive, 15, 60)  # held up: some arrivals miss the limit
        last_call = (
            self._repeats(plan, self.minutes(t0, 30, 60), (15, 35), self.minutes(t0, 24 * 60, 24 * 60))
            if first
            else t0
        )
        if last_call > arrive:
            arrive = self.minutes(arrive, 10, 40)
        plan.steps.append(Step(arrive, "arrive", crew, {"note": self.rng.choice(handling.ARRIVE_NOTES)}))
        t = arrive
        if first and "suspend" in features:
            t = self.minutes(t, 3, 10)
            plan.steps.append(
                Step(
                    t,
                    "suspend",
                    crew,
                    {
                        "reason": handling.SUSPEND_REASONS["customer_absent"][0],
                        "reason_code": "customer_absent",
                    },
                )
            )
            t = self.hours(t, 1, 5)
            plan.steps.append(Step(t, "resume", crew, {"note": self.rng.choice(handling.RESUME_NOTES)}))
        fix = {"repair_hv": (60, 240), "repair_customer_side": (10, 45), "repair_safety": (30, 120)}.get(
            plan.case.sub_type, (20, 150)
        )
        if "storm" in features and plan.parent is None:
            fix = (120, 260)
        resolve = max(self.minutes(t, *fix), self.minutes(last_call, 10, 30))
        plan.steps.append(Step(resolve, "resolve", crew, {"result": self.fill(plan.case.results, plan.dc)}))
        reply = self.minutes(resolve, 3, 25)
        plan.steps.append(Step(reply, "reply", crew, {"reply_text": self.fill(plan.case.replies, plan.dc)}))
        return reply

    def _desk_work(self, plan: Plan, t0: dt.datetime, first: bool) -> dt.datetime:
        """Complaints, opinions, reports and dispatched consultations: handled in the office, over days."""
        unit, handlers = self.handler_for(plan)
        btype, features = plan.case.business_type, plan.features
        t = self.minutes(t0, 10, 90)  # the dispatch desk works round the clock
        self._dispatch(plan, t, unit)
        if first and "escalate" in features:
            kind = "regulator" if plan.channel == C.REGULATOR else "sensitive"
            plan.steps.append(
                Step(
                    self.minutes(t, 10, 60),
                    "escalate",
                    self.manager(),
                    {"reason": self.rng.choice(handling.ESCALATE_REASONS[kind])},
                )
            )
            t = self.minutes(t, 60, 61)
        handler = self.rng.choice(handlers)
        # A complaint's first contact with the customer is due within 24 hours, weekends included.
        t = self.awake(self.hours(t, 0.3, 6)) if btype == B.COMPLAINT else self.office(self.hours(t, 0.3, 6))
        plan.steps.append(Step(t, "take", handler))
        taken = t
        spans: dict[str, tuple[float, float]] = {
            B.COMPLAINT: (0.5, 3.2),
            B.OPINION: (1, 6),
            B.REPORT: (2, 7),
            B.CONSULTATION: (0.05, 0.4),
        }
        span = spans[btype]
        if first and "suspend" in features:
            t = self.office(self.hours(t, 2, 20))
            code = self.rng.choice(("awaiting_customer", "customer_postpone"))
            plan.steps.append(
                Step(
                    t,
                    "suspend",
                    handler,
                    {"reason": self.rng.choice(handling.SUSPEND_REASONS[code]), "reason_code": code},
                )
            )
            t = self.office(self.days(t, 1, 5))
            plan.steps.append(Step(t, "resume", handler, {"note": self.rng.choice(handling.RESUME_NOTES)}))
        resolve = self.office(self.days(t, *span))
        if first:
            self._floating(plan, t0, taken, resolve)
        plan.steps.append(
            Step(resolve, "resolve", handler, {"result": self.fill(plan.case.results, plan.dc)})
        )
        reply = self.minutes(resolve, 10, 90)
        plan.steps.append(
            Step(reply, "reply", handler, {"reply_text": self.fill(plan.case.replies, plan.dc)})
        )
        return reply

    def _floating(self, plan: Plan, t0: dt.datetime, taken: dt.datetime, resolve: dt.datetime) -> None:
        """Repeat calls and chases while the order is open (they need no particular state)."""
        span = (resolve - t0).total_seconds() / 60
        if span > 60:
            self._repeats(plan, self.minutes(t0, span * 0.3, span * 0.5), (span * 0.1, span * 0.2), resolve)
        if "chase" in plan.features and resolve > taken:
            gap = (resolve - taken).total_seconds() / 60
            plan.steps.append(
                Step(
                    self.minutes(taken, gap * 0.3, gap * 0.8),
                    "chase",
                    self.agent(),
                    {"note": self.rng.choice(handling.CHASE_NOTES)},
                )
            )

    def _request_work(self, plan: Plan, t0: dt.datetime, first: bool) -> dt.datetime:
        sub, station, features = plan.case.sub_type, plan.station, plan.features
        on_site = sub == "sr_appliance" or (sub == "sr_meter" and self.rng.random() < 0.6)
        field_crew = on_site or sub == "sr_reconnect"  # the handler role does not go on site: a crew does
        t = self.minutes(t0, 5, 30) if sub == "sr_reconnect" else self.minutes(t0, 15, 120)
        if first and "transfer" in features:
            self._dispatch(plan, t, self._wrong_station(plan).unit)
            t = self.office(self.minutes(t, 20, 90))
            reason = handling.TRANSFER_REASONS[0].format(station=station.unit.name)
            plan.steps.append(
                Step(t, "transfer", self.dispatcher(), {"unit": station.unit, "reason": reason})
            )
        else:
            self._dispatch(plan, t, station.unit)
        worker = self.crew(station) if field_crew else self.crew(station, "handler")
        t = self.minutes(t, 2, 25) if sub == "sr_reconnect" else self.office(self.hours(t, 0.3, 5))
        plan.steps.append(Step(t, "take", worker))
        taken = t
        if sub == "sr_reconnect":
            if self.rng.random() < 0.5:
                t = self.minutes(t, 20, 120)
                plan.steps.append(Step(t, "arrive", worker, {"note": ""}))
            resolve = self.minutes(t, 5, 40)
        else:
            if on_site:
                t = self.office(self.hours(t, 1, 20))
                plan.steps.append(Step(t, "arrive", worker, {"note": self.rng.choice(handling.ARRIVE_NOTES)}))
            if first and "suspend" in features:
                t = self.office(self.hours(t, 1, 8))
                plan.steps.append(
                    Step(
                        t,
                        "suspend",
                        worker,
                        {
                            "reason": self.rng.choice(handling.SUSPEND_REASONS["customer_postpone"]),
                            "reason_code": "customer_postpone",
                        },
                    )
                )
                t = self.office(self.days(t, 1, 6))
                plan.steps.append(Step(t, "resume", worker, {"note": self.rng.choice(handling.RESUME_NOTES)}))
            resolve = self.office(self.days(t, 0.1, 3))
        if first:
            self._floating(plan, t0, taken, resolve)
        plan.steps.append(Step(resolve, "resolve", worker, {"result": self.fill(plan.case.results, plan.dc)}))
        reply = self.minutes(resolve, 5, 60)
        plan.steps.append(Step(reply, "reply", worker, {"reply_text": self.fill(plan.case.replies, plan.dc)}))
        return reply

    def _application_work(self, plan: Plan, t0: dt.datetime, first: bool) -> dt.datetime:
        sub, station, features = plan.case.sub_type, plan.station, plan.features
        t = self.hours(t0, 0.3, 3)
        if first and "transfer" in features:
            self._dispatch(plan, t, self._wrong_station(plan).unit)
            t = self.office(self.hours(t, 1, 6))
            reason = handling.TRANSFER_REASONS[0].format(station=station.unit.name)
            plan.steps.append(
                Step(t, "transfer", self.dispatcher(), {"unit": station.unit, "reason": reason})
            )
        else:
            self._dispatch(plan, t, station.unit)
        # Surveys and meter installation are field work for the station's crew; paperwork is the handler's.
        handler = self.crew(station) if sub in SURVEYED else self.crew(station, "handler")
        t = self.office(self.hours(t, 0.3, 5))
        plan.steps.append(Step(t, "take", handler))
        if first and "return" in features:
            t = self.office(self.hours(t, 1, 8))
            plan.steps.append(
                Step(t, "return", handler, {"reason": self.rng.choice(handling.RETURN_REASONS)})
            )
            t = self.office(self.hours(t, 1, 6))
            self._dispatch(plan, t, station.unit)
            t = self.office(self.hours(t, 0.3, 4))
            plan.steps.append(Step(t, "take", handler))
        taken = t
        if sub in SURVEYED:
            t = self.office(self.days(t, 0.2, 2))
            plan.steps.append(Step(t, "arrive", handler, {"note": "现场勘查。"}))
        if first and "suspend" in features:
            t = self.office(self.hours(t, 2, 24))
            code = "awaiting_customer" if self.rng.random() < 0.7 else "awaiting_materials"
            plan.steps.append(
                Step(
                    t,
                    "suspend",
                    handler,
                    {"reason": self.rng.choice(handling.SUSPEND_REASONS[code]), "reason_code": code},
                )
            )
            if "long_suspend" in features:
                t = self.days(max(t, self.now), 5, 40)  # still waiting today: the order stays suspended
            else:
                t = self.office(self.days(t, 1, 8))
            plan.steps.append(Step(t, "resume", handler, {"note": self.rng.choice(handling.RESUME_NOTES)}))
        resolve = self.office(self.days(t, *APPLICATION_DAYS[sub]))
        if first:
            self._floating(plan, t0, taken, resolve)
        plan.steps.append(
            Step(resolve, "resolve", handler, {"result": self.fill(plan.case.results, plan.dc)})
        )
        reply = self.minutes(resolve, 10, 120)
        plan.steps.append(
            Step(reply, "reply", handler, {"reply_text": self.fill(plan.case.replies, plan.dc)})
        )
        return reply

    def _close(self, plan: Plan, replied: dt.datetime, *, allow_reopen: bool) -> tuple[dt.datetime, bool]:
        """Callback and archive; a planned dissatisfied callback re-opens the order instead."""
        agent = self.callback_agent()
        t = self.awake(self.hours(replied, 0.3, 18))
        if "unreachable" in plan.features and allow_reopen:
            plan.steps.append(
                Step(
                    t,
                    "callback",
                    agent,
                    {
                        "satisfaction": Satisfaction.UNREACHABLE,
                        "resolved": None,
                        "note": self.rng.choice(handling.CALLBACK_NOTES["unreachable"]),
                    },
                )
            )
            t = self.awake(self.hours(t, 1.5, 5))
        if "reopen" in plan.features and allow_reopen:
            plan.steps.append(
                Step(
                    t,
                    "callback",
                    agent,
                    {
                        "satisfaction": Satisfaction.DISSATISFIED,
                        "resolved": False,
                        "note": self.rng.choice(handling.CALLBACK_NOTES["dissatisfied"]),
                    },
                )
            )
            t = self.minutes(t, 2, 15)
            plan.steps.append(Step(t, "reopen", agent, {"reason": self.rng.choice(handling.REOPEN_REASONS)}))
            return t, True
        satisfaction = self.pick({Satisfaction.SATISFIED: 80, Satisfaction.BASIC: 20})
        plan.steps.append(
            Step(
                t,
                "callback",
                agent,
                {
                    "satisfaction": satisfaction,
                    "resolved": True,
                    "note": self.rng.choice(handling.CALLBACK_NOTES[satisfaction]),
                },
            )
        )
        t = self.minutes(t, 1, 12)
        plan.steps.append(Step(t, "archive", agent, {"note": ""}))
        return t, False

    def _relapse(self, plan: Plan, archived: dt.datetime) -> None:
        """The fault comes back a few days later: within the repeat window, the repeat-call rule opens a
        new order linked to the archived one as 复发 (a fault after restoration is a new event), and it is
        dispatched and worked like any new fault."""
        earliest = max(self.hours(archived, 2, 6), self.days(plan.created, 1.5, 2.5))
        if earliest >= plan.created + dt.timedelta(days=6.5):
            return
        plan.steps.append(
            Step(
                earliest,
                "recur",
                self.agent(),
                {"description": self.rng.choice(handling.RELAPSE_TEXTS), "channel": plan.channel},
            )
        )
        end = self._repair_work(plan, self.minutes(earliest, 1, 5), False)
        self._close(plan, end, allow_reopen=False)
