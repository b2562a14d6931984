"""The demo's 以案普法: three learning assignments made as a service manager would make them, through
the case library's services — one weeks ago for every repair crew (past its due date, about half
confirmed: the overdue ones show), one for the station whose complaint was judged 成立 (answering that
rectification, which asked for learning), and a fresh one for the county's handlers, barely started."""

from __future__ import annotations

import datetime as dt
import importlib
import random

from django.apps import apps
from django.db import transaction

from powerdesk.complaints.models import Rectification
from powerdesk.core import clock
from powerdesk.knowledge.learning import assignment_confirm, assignment_create
from powerdesk.knowledge.models import CaseState, CaseVersion, LearningAssignment
from powerdesk.org.models import Role, User
from powerdesk.org.system import system_user

# The migrations that seed the library by the system account (each seed is idempotent).
LIBRARY_SEEDS = (
    "powerdesk.knowledge.migrations.0002_seed_rights_and_cases",
    "powerdesk.knowledge.migrations.0004_seed_scripts",
)


def restore_case_library() -> None:
    """The reset empties the staff table with CASCADE, and the seeded cases and scripts go with it
    (their author is the system account): make the account again and seed them again, as the
    migrations did."""
    system_user()
    for module in LIBRARY_SEEDS:
        importlib.import_module(module).seed(apps, None)


def _confirm_some(rng: random.Random, assignment: LearningAssignment, share: float, at: dt.datetime) -> int:
    people = list(assignment.recipients.order_by("user_id").values_list("user_id", flat=True))
    chosen = [pk for pk in people if rng.random() < share]
    with clock.at(at):
        for user in User.objects.filter(pk__in=chosen).order_by("pk"):
            assignment_confirm(actor=user, assignment_id=assignment.pk)
    return len(chosen)


@transaction.atomic
def build_learning(rng: random.Random, now: dt.datetime) -> int:
    """The demo's assignments; how many were made."""
    manager = (
        User.objects.filter(role__code="manager", is_active=True, unit__isnull=False).order_by("pk").first()
    )
    cases = list(CaseVersion.objects.filter(state=CaseState.PUBLISHED).order_by("case_id")[:12])
    if manager is None or len(cases) < 3:
        return 0
    by_tag = {t: v for v in cases for t in v.tags}
    made = 0
    repair, handler = Role.objects.filter(code="repair").first(), Role.objects.filter(code="handler").first()
    weeks_ago = now - dt.timedelta(days=20)
    if repair is not None:
        with clock.at(weeks_ago):
            crews = assignment_create(
                actor=manager,
                version=by_tag.get("产权分界点", cases[0]),
                role=repair,
                due_date=clock.local_date(weeks_ago) + dt.timedelta(days=10),
                reason="夜间抢修沟通不到位的投诉连续出现，全体抢修人员学习",
            )
        _confirm_some(rng, crews, 0.5, weeks_ago + dt.timedelta(days=3))
        made += 1
    rectification = (
        Rectification.objects.filter(state="open", requires_learning=True).select_related("order").first()
    )
    if rectification is not None:
        at = max(rectification.created_at, now - dt.timedelta(days=2))
        with clock.at(at):
            answer = assignment_create(
                actor=manager,
                version=cases[1],
                unit=rectification.unit,
                include_subunits=True,
                due_date=clock.local_date(at) + dt.timedelta(days=7),
                reason="投诉成立后的整改要求：责任单位全员学习同类案例",
                rectification=rectification,
            )
        _confirm_some(rng, answer, 0.3, min(now, at + dt.timedelta(hours=20)))
        made += 1
    if handler is not None:
        with clock.at(now - dt.timedelta(hours=6)):
            fresh = assignment_create(
                actor=manager,
                version=cases[2],
                role=handler,
                due_date=clock.local_date(now) + dt.timedelta(days=14),
                reason="月度以案普法",
            )
        _confirm_some(rng, fresh, 0.2, now - dt.timedelta(hours=1))
        made += 1
    return made
