"""End-to-end fixtures: gunicorn serving the test database, and Debian's Chromium driven by Playwright.

The server is a separate process, so test data must be committed: these tests use
``transactional_db``. Passwords are hashed with the real hasher, since the server runs the real settings.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from powerdesk import launcher
from tests.factories import AreaFactory, CustomerFactory, UnitFactory, UserFactory

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "e2e"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PASSWORD = "e2e-pass-2026"

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make between browser
# steps are ordinary blocking calls, which Django would otherwise refuse inside a running loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _fast_password_hashing():
    """Override the suite-wide MD5 hasher: the gunicorn process verifies with the real settings."""
    yield


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_serving(base: str, proc: subprocess.Popen, *, seconds: float) -> None:
    """Wait until ``base`` answers its login page; RuntimeError when ``proc`` ends or time runs out."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(f"{base}/login/", timeout=2)
            return
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"nothing served at {base}") from None
            time.sleep(0.3)


@pytest.fixture
def server(transactional_db) -> Iterator[str]:
    from django.db import connection

    port = free_port()
    env = {
        **launcher.environ(launcher.Role.APP),  # as `powerdesk run` starts it
        "POWERDESK_DB_NAME": connection.settings_dict["NAME"],
        "DJANGO_SETTINGS_MODULE": "powerdesk.settings",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "powerdesk.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--timeout",
            "60",
        ],
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(base, proc, seconds=60)
    except RuntimeError:
        proc.kill()
        raise
    try:
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        _wait_for_sessions_to_end(connection.settings_dict["NAME"])


def _wait_for_sessions_to_end(database: str) -> None:
    """The server's backends end a moment after its processes: wait, so the test database can be dropped.

    ORM calls made while Playwright's greenlet runs get a connection of their own (Django keys connections
    by context); nothing closes it, so what is left after the wait is ended here.
    """
    from django.db import connection

    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        with connection.cursor() as cur:
            cur.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()"
                " AND backend_type = 'client backend'",
                [database],
            )
            if cur.fetchone()[0] == 0:
                return
        time.sleep(0.2)
    with connection.cursor() as cur:
        cur.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s "
            "AND pid <> pg_backend_pid() AND backend_type = 'client backend'",
            [database],
        )


@pytest.fixture
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian's chromium is missing: `make test` installs it (scripts/ensure-browser.sh)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        try:
            yield b
        finally:
            b.close()


def _drop_dead_connection() -> None:
    """Once Playwright runs, ORM calls get the connection of its context (see above), which an earlier
    browser test's teardown may have ended: a fixture making data after ``page`` would then fail on it.
    Closed here, Django opens a fresh one at the next query."""
    from django.db import connection

    if connection.connection is not None and not connection.in_atomic_block and not connection.is_usable():
        connection.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    _drop_dead_connection()
    yield page
    context.close()


def shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def people(transactional_db):
    """A county with one station and 台区, a customer there, and the four roles an order passes through
    (with real password hashes: the server logs them in)."""
    from django.db import connection

    # An earlier browser test's server, going away, ended the connections left open (see
    # _wait_for_sessions_to_end), maybe the one Django keeps for this context: start on a fresh one.
    # Ask for this fixture after ``page``: the test's ORM calls then run in the context it refreshed.
    connection.close()
    county = UnitFactory(code="E2E", name="青溪县供电公司", kind="county")
    east = UnitFactory(code="E2E-E", name="东桥供电所", parent=county)
    area = AreaFactory(
        code="E2E-E-01", name="和平路1号台区", parent=east, manager_name="赵台区", manager_phone="13911112222"
    )
    customer = CustomerFactory(
        area=area, phone="13812345678", name="周秀英", address="青溪县东桥镇和平路18号"
    )
    users = {}
    for username, role, unit in [
        ("agent", "agent", county),
        ("dispatcher", "dispatcher", county),
        ("repair", "repair", east),
        ("callback", "callback", county),
    ]:
        user = UserFactory.with_role(role, unit, username=username, full_name=f"{username}员工")
        user.set_password(PASSWORD)
        user.save()
        users[username] = user
    return customer, users
