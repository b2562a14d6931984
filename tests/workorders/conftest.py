"""Fixtures for the work-order tests that commit for real."""

from __future__ import annotations

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations import RunPython


def _seed_functions() -> list:
    """The forward functions of every data migration of PowerDesk, in migration order."""
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    plan: list[tuple[str, str]] = []
    for leaf in loader.graph.leaf_nodes():
        for node in loader.graph.forwards_plan(leaf):
            if node not in plan and loader.graph.nodes[node].__module__.startswith("powerdesk."):
                plan.append(node)
    return [
        op.code for node in plan for op in loader.graph.nodes[node].operations if isinstance(op, RunPython)
    ]


@pytest.fixture
def committing(transactional_db) -> None:
    """A database where transactions really commit, so threads on their own connections see each other.

    pytest-django flushes every table after a transactional test, seed data included, so the data
    migrations (roles, topics, rules, SLA policies, calendar; all idempotent) run again first. This is
    much faster than ``serialized_rollback``, which reloads the calendar row by row."""
    from powerdesk.core.models import CalendarDay
    from powerdesk.org.models import Role
    from powerdesk.sla.models import SlaPolicy
    from powerdesk.workorders.models import AttachmentRule, RepeatCallRule, Topic

    if all(m.objects.exists() for m in (Role, Topic, RepeatCallRule, AttachmentRule, SlaPolicy, CalendarDay)):
        return  # no flush since the migrations ran
    for seed in _seed_functions():
        seed(django_apps, None)
