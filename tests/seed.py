"""Reference data for tests: the data migrations' seed functions, run again after a flush.

pytest-django flushes every table after a transactional test — the rows the data migrations seeded
(roles, topics, rules, SLA policies, templates, the calendar) included — so tests that run later would
find them missing. The seed functions are idempotent; running them again restores the reference data.
"""

from __future__ import annotations

from django.apps import apps as django_apps
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations import RunPython

_FUNCTIONS: list = []


def seed_functions() -> list:
    """The forward functions of every PowerDesk data migration, in migration order."""
    if not _FUNCTIONS:
        loader = MigrationLoader(connection, ignore_no_migrations=True)
        plan: list[tuple[str, str]] = []
        for leaf in sorted(loader.graph.leaf_nodes()):
            for node in loader.graph.forwards_plan(leaf):
                if node not in plan and loader.graph.nodes[node].__module__.startswith("powerdesk."):
                    plan.append(node)
        _FUNCTIONS.extend(
            op.code
            for node in plan
            for op in loader.graph.nodes[node].operations
            if isinstance(op, RunPython)
        )
    return _FUNCTIONS


def ensure_seeded() -> None:
    from powerdesk.core import refcache
    from powerdesk.org.models import Role

    refcache.clear()  # per-process caches must not outlive a test's data
    if Role.objects.exists():
        return
    # One transaction: a row seeded before the row it points at (a template before its category, whose
    # migration came later) is checked at the commit, as in the migrations, not at its INSERT.
    with transaction.atomic():
        for seed in seed_functions():
            seed(django_apps, None)
    refcache.clear()
