"""Shared fixtures: a small county with two stations, one user per role, customers in each station."""

from __future__ import annotations

import gc
from dataclasses import dataclass

import pytest
from django.conf import settings
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from powerdesk.org.models import Unit, UnitKind, User
from tests.factories import AreaFactory, CustomerFactory, UnitFactory, UserFactory

# Property tests judge results, not speed: on a loaded 2-core machine one example can take longer than
# hypothesis's default 200 ms deadline, and a deadline failure would refuse a good landing.
hypothesis_settings.register_profile(
    "powerdesk", deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.differing_executors]
)
hypothesis_settings.load_profile("powerdesk")


TRUNCATE_JOB_QUEUE = (
    "TRUNCATE procrastinate_workers, procrastinate_jobs, procrastinate_periodic_defers,"
    " procrastinate_events CASCADE"
)


@pytest.fixture(autouse=True, scope="session")
def _flush_past_the_append_only_guards():
    """pytest-django empties the database after a transactional test with Django's flush, one TRUNCATE of
    every table: the timeline and the audit trail refuse it. The test session is the schema's owner, and
    lifts the guard for that transaction as the demo reset does (powerdesk.core.appendonly).

    Procrastinate's tables are not Django's (unmanaged models) and the flush leaves them: a job a test
    committed (the worker's periodic deferrer adds the next tick's sweep) would stay queued, and a later
    test deferring the same task meets its queueing lock. They are emptied with the rest."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    from powerdesk.core.appendonly import owner_truncate

    original = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        statements = original(
            self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )
        return owner_truncate([*statements, TRUNCATE_JOB_QUEUE]) if statements else statements

    DatabaseOperations.sql_flush = sql_flush
    yield
    DatabaseOperations.sql_flush = original


@pytest.fixture(autouse=True, scope="session")
def _reference_rows_back_after_a_flush():
    """The reference rows go back (committed) as soon as a transactional test's flush has emptied the
    tables (tests/seed.py), not in the next test: a test after it in a transaction of its own would put
    them back only to roll them back, again in each test."""
    from django.core.management.commands import flush

    from tests.seed import ensure_seeded

    original = flush.Command.handle

    def handle(self, *args, **options):
        result = original(self, *args, **options)
        ensure_seeded()
        return result

    flush.Command.handle = handle
    yield
    flush.Command.handle = original


# The modules whose tests mostly wait: a `powerdesk run` of their own, a live fuzz against a server, a
# parallel demo load, a browser. With them together (pytest-django runs the transactional tests after the
# others), the three xdist workers waited at the same time and the cores idled 40 % of the last minutes.
# They are spread, each module whole, evenly through the session instead, so that one worker's wait
# overlaps the others' work. A transactional test may run before the others: its flush puts the reference
# rows straight back (``_reference_rows_back_after_a_flush``), as the hot standby's has from the start.
WAITING_MODULES = (  # the longest first: the sum of their tests' durations in a run, 180, 60, 35, 35 s
    "tests/e2e/test_powerdesk_run_recovers.py",
    "tests/api/test_fuzz_live.py",
    "tests/e2e/test_powerdesk_run.py",
    "tests/demo/test_parallel.py",
)
WAITING_FOLDERS = ("tests/e2e/",)  # the browser tests
# The hot standby starts only while no module-wide transaction is open on another worker
# (tests/standby_guard.py): first of all, before any such module has begun, it waits for none (it waited
# up to 100 s for the demo or the permission matrix, one core idle).
STANDBY_MODULE = "tests/analytics/test_streaming_replica.py"


def _module(item: pytest.Item) -> str:
    return item.nodeid.split("::")[0]


def _waits(module: str) -> bool:
    return module in WAITING_MODULES or module.startswith(WAITING_FOLDERS)


def _weight(module: str) -> int:
    """Where a waiting module goes among the waiting ones: WAITING_MODULES' order, then the rest."""
    return WAITING_MODULES.index(module) if module in WAITING_MODULES else len(WAITING_MODULES)


def pytest_collection_finish(session: pytest.Session) -> None:
    """What importing Django, the apps and every test module made lives as long as the session: set aside
    from the cyclic collector (``gc.freeze``), so that its full collections scan only what the tests make.
    They scanned the ~400,000 imported objects each time: about a tenth of a worker's time, up to 250 ms a
    collection in the middle of a request."""
    gc.collect()
    gc.freeze()


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The hot standby's module first of all, the waiting modules spread evenly through the rest (see
    above), each module's tests kept together (a module-wide fixture is made once per worker that runs
    it); the order of everything else is left as pytest-django made it."""
    standby = [i for i in items if _module(i) == STANDBY_MODULE]
    groups: dict[str, list[pytest.Item]] = {}
    for item in items:
        if _module(item) != STANDBY_MODULE:
            groups.setdefault(_module(item), []).append(item)
    # The longest first (as WAITING_MODULES lists them, then the browser tests): a long drill placed late
    # was the one test left running while the other workers had finished.
    waiting = sorted((g for m, g in groups.items() if _waits(m)), key=lambda g: _weight(_module(g[0])))
    rest = [g for m, g in groups.items() if not _waits(m)]
    total = sum(len(g) for g in rest)
    # The k-th waiting module goes in at the first module boundary past (k + ½)/n of the other tests.
    marks = [total * (k + 0.5) / len(waiting) for k in range(len(waiting))]
    ordered: list[pytest.Item] = [*standby]
    seen = 0
    for group in rest:
        while marks and seen >= marks[0]:
            ordered += waiting.pop(0)
            marks.pop(0)
        ordered += group
        seen += len(group)
    for group in waiting:
        ordered += group
    items[:] = ordered


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Seed data back in place for any test that uses the database (see tests/seed.py)."""
    marker = request.node.get_closest_marker("django_db")
    transactional = "transactional_db" in request.fixturenames or bool(
        marker and marker.kwargs.get("transaction")
    )
    if not (marker or transactional or "db" in request.fixturenames):
        return
    request.getfixturevalue("transactional_db" if transactional else "db")
    from tests.seed import ensure_seeded

    ensure_seeded()


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the default language: a request with the English cookie leaves English active
    in the thread (LocaleMiddleware never deactivates), which would leak into the next test."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2 costs ~0.3 s a user; tests that log in through a separate server set real hashes themselves."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class County:
    county: Unit
    east: Unit  # a station
    west: Unit  # another station
    east_area: Unit
    west_area: Unit


@pytest.fixture
def county(db) -> County:
    county = UnitFactory(code="C1", name="青溪县供电公司", kind=UnitKind.COUNTY)
    east = UnitFactory(code="C1-E", name="东桥供电所", parent=county)
    west = UnitFactory(code="C1-W", name="西岭供电所", parent=county, region_class="rural")
    east_area = AreaFactory(code="C1-E-01", name="和平路1号台区", parent=east)
    west_area = AreaFactory(code="C1-W-01", name="西岭村2号台区", parent=west, region_class="rural")
    return County(county, east, west, east_area, west_area)


@pytest.fixture
def users(county) -> dict[str, User]:
    """One user per role. Agents, dispatchers and callback staff sit at the county; field roles at east."""
    return {
        "agent": UserFactory.with_role("agent", county.county, username="agent"),
        "dispatcher": UserFactory.with_role("dispatcher", county.county, username="dispatcher"),
        "repair": UserFactory.with_role("repair", county.east, username="repair"),
        "handler": UserFactory.with_role("handler", county.east, username="handler"),
        "callback": UserFactory.with_role("callback", county.county, username="callback"),
        "manager": UserFactory.with_role("manager", county.county, username="manager"),
        "west_repair": UserFactory.with_role("repair", county.west, username="west_repair"),
        "norole": UserFactory(unit=county.county, username="norole"),
    }


@pytest.fixture
def customer(county):
    return CustomerFactory(area=county.east_area, phone="13812345678", name="张三")


@pytest.fixture
def west_customer(county):
    return CustomerFactory(area=county.west_area, phone="13987654321", name="李四")
