"""Load (and reset) the demo data set: the county, its staff and customers, and 90 days of orders.

Everything is drawn from ``random.Random`` generators seeded from ``seed``, one per part, so the same
seed and the same "now" give the same data (and changing the number of orders leaves the customers
alone). The whole load is one transaction: it either completes or leaves the database as it was.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from powerdesk.analytics.aggregates import rebuild as analytics_rebuild
from powerdesk.analytics.models import ROLLUPS, CustomerCount, OrderFact, Watermark
from powerdesk.audit.models import AuditEntry
from powerdesk.core import clock
from powerdesk.core.appendonly import owner_truncate
from powerdesk.customers.models import Customer, CustomerPhone, CustomerSupply
from powerdesk.demo.applications import build_applications
from powerdesk.demo.complaints import enrich_complaints
from powerdesk.demo.county import build_county
from powerdesk.demo.customers import build_customers
from powerdesk.demo.feedback import build_feedback
from powerdesk.demo.grid import build_topology
from powerdesk.demo.history import HISTORY_MONTHS, build_history
from powerdesk.demo.learning import build_learning, restore_case_library
from powerdesk.demo.names import PhoneBook
from powerdesk.demo.notices import build_opt_outs, mark_history_sent
from powerdesk.demo.outages import build_outages
from powerdesk.demo.parallel import run_parallel
from powerdesk.demo.planner import Planner
from powerdesk.demo.reports import issue_last_month
from powerdesk.demo.risk_cases import angry_repeat_calls
from powerdesk.demo.runner import Runner, replay_queue
from powerdesk.demo.staff import build_staff, demo_usernames
from powerdesk.demo.verdicts import judge_archived_complaints
from powerdesk.grid.models import Device, DeviceParentHistory
from powerdesk.notify.models import NotificationKey
from powerdesk.org.models import ApiToken, Role, ServiceHall, Unit, UnitHead, User
from powerdesk.portal.demo import portal_demo_build
from powerdesk.risk.services import open_orders_rescore
from powerdesk.sla.models import Clock, SlaPolicy
from powerdesk.triage.models import ModelVersion, TrainingRun
from powerdesk.triage.services import training_request
from powerdesk.workorders.models import Attachment, Contact, ContactKey, Topic, WorkOrder, WorkOrderEvent

DEFAULT_SEED = 95598
DEFAULT_CUSTOMERS = 20_000
DEFAULT_ORDERS = 2_000

# Tables holding demo data. TRUNCATE … CASCADE also empties whatever references them (notifications …);
# reference data seeded by migrations (roles, topics, sub-types, rules, time limits, calendar, notification
# templates) references none of them and stays.
DEMO_MODELS: list[type[Model]] = [
    Unit,
    ServiceHall,
    User,
    User.groups.through,
    User.user_permissions.through,
    Customer,
    CustomerPhone,
    CustomerSupply,
    Device,
    DeviceParentHistory,
    WorkOrder,
    WorkOrderEvent,
    Contact,
    # The partitioned tables' unique keys (no foreign key from them to cascade through).
    ContactKey,
    NotificationKey,
    Attachment,
    Clock,
    UnitHead,
    ApiToken,
    AuditEntry,
    # Derived from the orders (no foreign keys to cascade through): emptied with them.
    OrderFact,
    *ROLLUPS,
    CustomerCount,
    Watermark,
]
OPTIONAL_MODELS = [("admin", "LogEntry"), ("sessions", "Session")]


class DemoDataExists(Exception):
    pass


@dataclass
class DemoSummary:
    seed: int
    now: dt.datetime
    units: int = 0
    areas: int = 0
    staff: int = 0
    customers: int = 0
    orders: int = 0
    history: int = 0  # of the orders, those of the compact history before the replayed days
    events: int = 0
    contacts: int = 0
    repeat_calls: int = 0
    flagged: int = 0
    complaints: int = 0  # complaint records filled in (related repair, staff, severity)
    judged: int = 0  # archived complaints given their judgment (demo/verdicts.py)
    reports: int = 0  # last month's monthly reports issued (demo/reports.py)
    reports_seconds: float = 0.0
    by_type: dict[str, int] = field(default_factory=dict)
    by_status: dict[str, int] = field(default_factory=dict)
    by_channel: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    surveys: int = 0
    learning: int = 0  # learning assignments made
    applications: int = 0  # applications started in the hall and moved step by step
    portal_applications: int = 0  # the portal demo customer's applications (portal/demo.py)
    triage_training: bool = False  # a first triage model queued for the worker
    seconds: float = 0.0


def existing_data() -> dict[str, int]:
    """What is already in the database that a load would collide with (empty dict: nothing)."""
    counts = {
        "units": Unit.objects.count(),
        "customers": Customer.objects.count(),
        "orders": WorkOrder.objects.count(),
        "demo users": User.objects.filter(username__in=demo_usernames()).count(),
    }
    return {k: v for k, v in counts.items() if v}


def demo_reset() -> None:
    """Empty every demo table in one TRUNCATE and restart the order-number sequence, so a reload numbers
    its orders the same way. The timeline and the audit trail refuse TRUNCATE: as the schema's owner, the
    reset lifts that guard for its own transaction (``core.appendonly``)."""
    models: list[type[Model]] = list(DEMO_MODELS)
    for app_label, model_name in OPTIONAL_MODELS:
        if apps.is_installed(f"django.contrib.{app_label}"):
            models.append(apps.get_model(app_label, model_name))
    tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in models)
    with transaction.atomic(), connection.cursor() as cur:
        # With deferred foreign-key checks pending, PostgreSQL refuses TRUNCATE: run the checks now.
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for statement in owner_truncate([f"TRUNCATE {tables} RESTART IDENTITY CASCADE"]):
            cur.execute(statement)
        cur.execute("ALTER SEQUENCE workorder_number_seq RESTART WITH 1")
        cur.execute("SET CONSTRAINTS ALL DEFERRED")
        if not (Role.objects.exists() and Topic.objects.exists() and SlaPolicy.objects.exists()):
            raise RuntimeError(
                "reference data (roles, topics, time limits) is missing: run `powerdesk migrate`"
            )


def demo_load(
    *,
    seed: int = DEFAULT_SEED,
    customers: int = DEFAULT_CUSTOMERS,
    orders: int = DEFAULT_ORDERS,
    now: dt.datetime | None = None,
    reset: bool = False,
    workers: int = 1,
    history_months: int = HISTORY_MONTHS,
    progress: Callable[[str], None] = lambda _msg: None,
) -> DemoSummary:
    """Load the demo data set. Refuses (:class:`DemoDataExists`) when data is present, unless ``reset``.

    With one worker everything happens in one transaction. With more, the county, staff and customers are
    committed first (the worker processes must see them) and the orders are replayed in parallel; if that
    fails, the partial data is deleted again.
    """
    started = time.monotonic()
    now = (now or timezone.now()).replace(second=0, microsecond=0)
    summary = DemoSummary(seed=seed, now=now)
    if workers > 1 and connection.in_atomic_block:
        raise RuntimeError("a parallel demo load commits as it goes: call it outside a transaction")
    with transaction.atomic():
        found = existing_data()
        if found and not reset:
            described = ", ".join(f"{v} {k}" for k, v in found.items())
            raise DemoDataExists(
                f"the database already holds data ({described}); "
                "use --reset to replace it with the demo data set"
            )
        if found:
            progress("deleting the existing data…")
            demo_reset()
            restore_case_library()
        with connection.cursor() as cur:
            # No order exists now, so numbering can start again: the same seed gives the same numbers.
            cur.execute("ALTER SEQUENCE workorder_number_seq RESTART WITH 1")

        def rng(part: str) -> random.Random:
            return random.Random(f"{seed}:{part}")

        phones = PhoneBook(rng("phones"))
        county = build_county(rng("county"), phones)
        staff = build_staff(rng("staff"), phones, county)
        progress(
            f"organisation: {len(county.stations)} stations, {len(county.areas)} 台区, {staff.count} staff"
        )
        with clock.at(now):  # the day a sensitive customer was flagged is before the data set's now
            people = build_customers(rng("customers"), phones, county, customers, progress)
        progress(f"customers who asked for no messages: {build_opt_outs(rng('opt_outs'), people)}")
        grid = build_topology(rng("grid"), county, people)
        progress(
            f"grid: {grid.devices} devices, {grid.transformers} transformers ({grid.dedicated} 专变), "
            f"{grid.dual_supply} dual-supply customers"
        )
        plans = Planner(
            rng=rng("orders"), phones=phones, county=county, staff=staff, customers=people, now=now
        ).build(orders)
        queue = replay_queue(plans, now)
        progress(
            f"planned {len(plans)} orders; replaying {len(queue)} steps through the work-order services"
            + (f" in {workers} processes…" if workers > 1 else "…")
        )
        if workers <= 1:
            summary.problems = Runner(plans, progress).run(queue).problems
            summary.complaints = enrich_complaints(now)
    if workers > 1:
        try:
            summary.problems = run_parallel(plans, queue, workers, progress).problems
            summary.complaints = enrich_complaints(now)
        except BaseException:
            demo_reset()
            raise
    mark_history_sent(now)
    with transaction.atomic():
        summary.surveys = build_feedback(rng("feedback"), now, progress)
    # A few open repairs whose customers call again, upset (the case book's first case), then every open
    # order scored as of the data set's now (clocks ran on after each order's last step).
    with transaction.atomic():
        summary.problems += angry_repeat_calls(now=now)
        open_orders_rescore(at=now)
    # The outages on the demo network: a fault with calls linked, a planned outage with its notices.
    with transaction.atomic():
        build_outages(now)
        mark_history_sent(now)  # the outage calls of the last half hour told their callers then
    # Applications taken in the hall over the last weeks, moved step by step (demo/applications.py).
    with transaction.atomic():
        summary.applications = build_applications(now)
        mark_history_sent(now)  # their step messages went out on their days
    # The portal's demo customer: bound, two applications in different steps, a 销户 waiting for the hall.
    with transaction.atomic():
        portal = portal_demo_build(now)
        summary.portal_applications = len(portal.applications) if portal is not None else 0
        mark_history_sent(now)
    # 以案普法: cases assigned for learning, some confirmed, some overdue.
    summary.learning = build_learning(rng("learning"), now)
    # A year of compact history before the replayed days, then the dashboards' aggregates built once
    # (the worker keeps them current from here).
    with transaction.atomic():
        summary.judged = judge_archived_complaints(rng("verdicts"))
        summary.history = build_history(rng("history"), now, history_months, progress)
        analytics_rebuild()
    # Last month's monthly reports of the county and its stations, issued (frozen) at the data set's now.
    with transaction.atomic():
        reports_started = time.monotonic()
        summary.reports = issue_last_month(county, now)
        summary.reports_seconds = time.monotonic() - reports_started
    # The intake form's triage suggestion needs an active model: the worker trains the first one from the
    # shipped corpus and the archived demo orders (7–40 s with the load of the machine) rather than the
    # load waiting on it.
    with transaction.atomic():
        waiting = TrainingRun.objects.filter(state__in=[TrainingRun.State.QUEUED, TrainingRun.State.RUNNING])
        if not ModelVersion.objects.filter(is_active=True).exists() and not waiting.exists():
            training_request(actor=None, activate_if_none=True)
            summary.triage_training = True
    _count(summary)
    summary.seconds = time.monotonic() - started
    return summary


def _count(summary: DemoSummary) -> None:
    summary.units = Unit.objects.count()
    summary.areas = Unit.objects.filter(kind="area").count()
    summary.staff = User.objects.count()
    summary.customers = Customer.objects.count()
    summary.orders = WorkOrder.objects.count()
    summary.events = WorkOrderEvent.objects.count()
    summary.contacts = Contact.objects.count()
    summary.repeat_calls = Contact.objects.filter(is_repeat=True).count()
    summary.flagged = WorkOrder.objects.filter(is_flagged=True).count()
    rows = WorkOrder.objects.values_list("business_type", "status", "channel")
    summary.by_type = dict(Counter(r[0] for r in rows).most_common())
    summary.by_status = dict(Counter(r[1] for r in rows).most_common())
    summary.by_channel = dict(Counter(r[2] for r in rows).most_common())
