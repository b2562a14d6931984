"""End-to-end fixtures: gunicorn serving the test database, and Debian's Chromium driven by Playwright.

The server is a separate process, so test data must be committed: these tests use
``transactional_db``. Whoever signs in gets a password hashed as the real settings hash it
(``give_password``).
"""

from __future__ import annotations

import functools
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
from playwright.sync_api import expect

from powerdesk import launcher
from tests.factories import AreaFactory, CustomerFactory, UnitFactory, UserFactory

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "e2e"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PASSWORD = "e2e-pass-2026"
SERVER_APP_NAME = "powerdesk-e2e-server"

# Playwright's waiting assertions (``expect``) wait as long as a page's actions do (``page`` below): a
# page still loading after a click on a busy machine is not a failure.
expect.set_options(timeout=15_000)

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make between browser
# steps are ordinary blocking calls, which Django would otherwise refuse inside a running loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@functools.cache
def _password_hash(password: str) -> str:
    """``password`` as the server's settings hash it (PBKDF2, the first of Django's default hashers),
    computed once a session: a real hash costs about half a second, and the server verifies it at each
    sign-in. The suite's fast hasher stays on in this process for the users nobody signs in as."""
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    hasher = PBKDF2PasswordHasher()
    return hasher.encode(password, hasher.salt())


def give_password(user, password: str = PASSWORD) -> None:
    """Let ``user`` sign in to the server with ``password``."""
    user.password = _password_hash(password)
    user.save(update_fields=["password"])


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
        # libpq names the server's sessions: the teardown waits for those to end, not for the test's own.
        "PGAPPNAME": SERVER_APP_NAME,
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
            # One process with threads (gthread, as `powerdesk run` serves): a second process would cost
            # another start of the application for every browser test.
            "--workers",
            "1",
            "--threads",
            "4",
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
        _wait_for_sessions_to_end(connection.settings_dict["NAME"], SERVER_APP_NAME)


def _wait_for_sessions_to_end(database: str, app_name: str | None = None) -> None:
    """A server's backends end a moment after its processes: wait for them (those named ``app_name``, or
    all but this one), so the test database can be flushed and dropped; then end what is left.

    ORM calls made while Playwright's greenlet runs get a connection of their own (Django keys connections
    by context); nothing closes it, so it is ended here once the browser tests' server's are gone."""
    from django.db import connection

    others = (
        "FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()"
        " AND backend_type = 'client backend'"
    )
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        with connection.cursor() as cur:
            if app_name is None:
                cur.execute(f"SELECT count(*) {others}", [database])
            else:
                cur.execute(f"SELECT count(*) {others} AND application_name = %s", [database, app_name])
            if cur.fetchone()[0] == 0:
                break
        time.sleep(0.1)
    with connection.cursor() as cur:
        cur.execute(f"SELECT pg_terminate_backend(pid) {others}", [database])


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
        give_password(user)
        users[username] = user
    return customer, users
