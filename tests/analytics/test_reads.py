"""Dashboard and report reads go to the replica when ``DATABASE_REPLICA_URL`` configures one, never the
writes' own reads (issuing a report). The querysets are built, not executed: the test database has no
second server (a streaming-replication standby is not started here)."""

from __future__ import annotations

import copy
import datetime as dt

import pytest
from django.conf import settings
from django.test import override_settings

from powerdesk.analytics import dashboard, reads, reports
from powerdesk.analytics.dashboard import Filters
from powerdesk.analytics.measures import Scope
from powerdesk.analytics.models import CustomerCount, DailyRollup, GroupRollup, HourRollup
from powerdesk.analytics.selectors import period_of

pytestmark = pytest.mark.django_db

MARCH = period_of(dt.date(2026, 3, 1), dt.date(2026, 3, 31))


def with_replica():
    databases = copy.deepcopy(settings.DATABASES)
    databases["replica"] = {**databases["default"], "TEST": {"MIRROR": "default"}}
    return override_settings(DATABASES=databases)


def test_without_a_replica_reads_go_to_default(users):
    assert reads.alias() == "default"
    scope = Scope(users["manager"], None)
    assert dashboard._rollup(DailyRollup, MARCH, scope, Filters()).db == "default"
    assert reports.reports_visible(user=users["manager"]).db == "default"


@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
def test_with_a_replica_the_dashboard_and_report_reads_go_there(users):
    scope = Scope(users["manager"], None)
    with with_replica():
        assert reads.alias() == "replica"
        for model in (DailyRollup, HourRollup, GroupRollup, CustomerCount):
            assert dashboard.rollup(model).db == "replica"
        assert dashboard._rollup(DailyRollup, MARCH, scope, Filters(channel="95598")).db == "replica"
        assert reports.reports_visible(user=users["manager"]).db == "replica"
        # What a write reads stays on the primary.
        with reads.on_primary():
            assert reads.alias() == "default"
            assert dashboard.rollup(DailyRollup).db == "default"
            assert reports.reports_visible(user=users["manager"]).db == "default"
        assert reads.alias() == "replica"


def test_a_replica_url_adds_the_alias_with_the_default_options(monkeypatch):
    import importlib

    import powerdesk.settings as project_settings

    monkeypatch.setenv("DATABASE_REPLICA_URL", "postgres://reader:pw@standby.example.internal:5433/powerdesk")
    fresh = importlib.reload(project_settings)
    try:
        if fresh.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
            pytest.skip("the settings of this process have no PostgreSQL default")
        replica = fresh.DATABASES["replica"]
        assert (replica["HOST"], replica["PORT"], replica["USER"]) == (
            "standby.example.internal",
            5433,
            "reader",
        )
        assert replica["OPTIONS"] == fresh.DATABASES["default"]["OPTIONS"]
        assert replica["TEST"] == {"MIRROR": "default"}
    finally:
        monkeypatch.delenv("DATABASE_REPLICA_URL")
        importlib.reload(project_settings)
