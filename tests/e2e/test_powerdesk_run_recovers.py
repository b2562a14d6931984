"""``powerdesk run`` survives a crash of any of its parts: a worker killed in the middle of a send is started
again and its notification goes out once; a killed PostgreSQL is started again while the web server
answers 503 and keeps its workers; a stop during a restart still ends. The web and the worker connect as
the application role, and the web reads request lines as long as gunicorn allows.

Every wait is a bounded poll on what the test looks for (a log line, an answer, a row's state)."""

from __future__ import annotations

import importlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import dj_database_url
import pytest
from django.apps import apps
from django.conf import settings

from powerdesk.org.tokens import api_token_create
from powerdesk.pytest_plugin import LAUNCHED
from powerdesk.workorders.choices import Status
from tests.e2e.conftest import _wait_for_sessions_to_end, free_port, wait_until_serving
from tests.e2e.test_powerdesk_run import _alive, _descendants
from tests.launcher.conftest import LAUNCHER_VARIABLES, STOP
from tests.notify.helpers import SWEEP_CONTEXT

TEMPLATES = importlib.import_module("powerdesk.notify.migrations.0002_seed_templates")
CATEGORIES = importlib.import_module("powerdesk.notify.migrations.0006_customer_messages")


def until(what: str, check: Callable[[], Any], *, seconds: float, every: float = 0.2) -> Any:
    """Poll ``check`` until it returns something true (returned), for at most ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds:g} s: {what}")
        time.sleep(every)


class Run:
    """``powerdesk run`` started as a shell starts a foreground job, its output collected line by line."""

    def __init__(self, env: dict[str, str]):
        self.lines: list[str] = []
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "powerdesk.cli", "run"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            self.lines.append(raw.decode(errors="replace").rstrip("\n"))

    def said(self, text: str, *, seconds: float) -> str:
        return until(
            f"powerdesk run says {text!r}",
            lambda: next((ln for ln in self.lines if text in ln), None),
            seconds=seconds,
        )

    def child(self, marker: str) -> int:
        """The pid of the child whose command line contains ``marker``."""
        for pid in _descendants(self.proc.pid):
            try:
                if marker in Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode():
                    return pid
            except FileNotFoundError:
                continue
        raise AssertionError(f"no child {marker!r} of powerdesk run")

    def stop(self, signum: int = signal.SIGTERM, *, seconds: float = 60) -> str:
        self.proc.send_signal(signum)
        self.proc.wait(timeout=seconds)
        self.reader.join(timeout=10)
        return "\n".join(self.lines)

    def output(self) -> str:
        return "\n".join(self.lines)

    def kill(self) -> None:
        """After a failure: end ``powerdesk run`` and the children it started in sessions of their own
        (a PostgreSQL among them gets a fast shutdown, so its data directory can be stopped cleanly)."""
        if self.proc.poll() is not None:
            return
        for pid in _descendants(self.proc.pid):
            try:
                postgres = b"postgres" in Path(f"/proc/{pid}/cmdline").read_bytes()
                os.kill(pid, signal.SIGINT if postgres else signal.SIGKILL)
            except (FileNotFoundError, ProcessLookupError):
                continue
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()


def get(url: str, *, token: str | None = None, cookies: str | None = None) -> tuple[int, str, str]:
    """Status, content type and body of a GET (an error status is an answer too)."""
    headers = {}
    if token:
        headers["Authorization"] = f"Token {token}"
    if cookies:
        headers["Cookie"] = cookies
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as answer:
            return answer.status, answer.headers.get("Content-Type", ""), answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read().decode()


# --- a worker killed in the middle of a send -------------------------------------------------------


@dataclass
class StallingGateway:
    """An SMS gateway that holds its first request until ``release`` is set (the sender is killed in the
    meantime), de-duplicating on ``out_id`` like the real one."""

    url: str = ""
    out_ids: list[str] = field(default_factory=list)
    delivered: dict[str, str] = field(default_factory=dict)
    received: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)


@pytest.fixture
def stalling_gateway() -> Iterator[StallingGateway]:
    gateway = StallingGateway()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            with gateway.lock:
                first = not gateway.out_ids
                gateway.out_ids.append(body["out_id"])
                message_id = gateway.delivered.setdefault(body["out_id"], f"gw-{len(gateway.delivered) + 1}")
            if first:
                gateway.received.set()
                gateway.release.wait(timeout=120)
            data = json.dumps({"message_id": message_id}).encode()
            try:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:  # the sender is gone
                pass

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    gateway.url = f"http://127.0.0.1:{server.server_port}/sms/send"
    yield gateway
    gateway.release.set()
    server.shutdown()
    server.server_close()


def _enqueue_sms(phone: str):
    from powerdesk.notify.services import notification_enqueue

    return notification_enqueue(
        channel="sms",
        template_code="sla_warning",
        context=SWEEP_CONTEXT,
        recipient_address=phone,
    )


def _state(notification) -> str:
    notification.refresh_from_db()
    return notification.state


def _longest_list_url(base: str, length: int) -> str:
    """A list URL of about ``length`` bytes that the API answers: every status, repeated (the API takes
    each once), and the other filters at their longest values."""
    params = [("queue", "unit"), ("business_type", "application"), ("channel", "wechat"), ("sort", "newest")]
    params += [("date_from", "2026-01-01"), ("date_to", "2026-12-31"), ("q", "停电" * 50)]
    url = f"{base}/api/v1/workorders/?" + urllib.parse.urlencode(params)
    statuses = [s.value for s in Status]
    while len(url) < length:
        url += "&" + urllib.parse.urlencode([("status", statuses[len(url) % len(statuses)])])
    return url


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_in_a_send_is_started_again_and_the_sms_goes_out_once(
    request, users, county, stalling_gateway
):
    from django.db import connection

    CATEGORIES.seed_categories(apps, None)  # the templates' column points at them
    TEMPLATES.seed(apps, None)
    database = connection.settings_dict["NAME"]
    _, token = api_token_create(user=users["agent"], name="e2e")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "POWERDESK_DB_NAME": database,
        "DJANGO_SETTINGS_MODULE": "powerdesk.settings",
        "POWERDESK_BIND": f"127.0.0.1:{port}",
        "POWERDESK_WEB_WORKERS": "2",
        "POWERDESK_NOTIFY_TRANSPORT_SMS": "http",
        "POWERDESK_SMS_URL": stalling_gateway.url,
        "POWERDESK_SMS_KEY": "test-key",
        "POWERDESK_SMS_SIGN": "国网青溪供电",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    run = Run(env)
    try:
        wait_until_serving(base, run.proc, seconds=90)

        # the web reads a long list URL itself (gunicorn's own limit would answer 414 first)
        url = _longest_list_url(base, 8000)
        assert get(url, token=token)[0] == 200

        # the web and the worker connect as DATABASE_URL's role, the application's
        app_role = dj_database_url.parse(os.environ["DATABASE_URL"])["USER"]

        def sessions() -> list[tuple[str, str]]:
            with connection.cursor() as cur:
                cur.execute(
                    "SELECT usename, query FROM pg_stat_activity WHERE datname = %s"
                    " AND pid <> pg_backend_pid() AND backend_type = 'client backend'",
                    [database],
                )
                return cur.fetchall()

        until("the worker listening", lambda: [s for s in sessions() if "LISTEN" in s[1]], seconds=60)
        assert {user for user, _query in sessions()} == {app_role}
        # the web's connection is there beside the worker's (its last statement is whatever the list's
        # request ran last, so it is told apart by not being the worker's LISTEN or job polling)
        assert [q for _user, q in sessions() if "LISTEN" not in q and "procrastinate" not in q], sessions()
        if request.config.stash[LAUNCHED].embedded is not None:  # there, the role is always its own
            with connection.cursor() as cur:
                cur.execute("SELECT current_user, rolsuper FROM pg_roles WHERE rolname = %s", [app_role])
                owner, superuser = cur.fetchone()
            assert app_role != owner and not superuser

        first = _enqueue_sms("13800000001")
        until("the gateway reached", stalling_gateway.received.is_set, seconds=60)
        worker = run.child("powerdesk.cli worker")
        os.kill(worker, signal.SIGKILL)
        stalling_gateway.release.set()  # it answers a sender that is gone: the row stays "sending"
        run.said("the worker ended (killed by SIGKILL)", seconds=30)
        run.said("starting the worker again", seconds=30)
        assert _state(first) == "sending"

        until(
            "the SMS caught by the killed worker sent", lambda: _state(first) == "sent", seconds=120, every=1
        )
        first.refresh_from_db()
        assert first.attempts == 2
        assert stalling_gateway.out_ids == [str(first.pk)] * 2  # sent again with the same out_id …
        assert list(stalling_gateway.delivered) == [str(first.pk)]  # … and delivered once

        later = _enqueue_sms("13800000002")
        until("an SMS enqueued after the restart sent", lambda: _state(later) == "sent", seconds=60)
        assert len(stalling_gateway.delivered) == 2

        processes = _descendants(run.proc.pid)
        output = run.stop(signal.SIGINT)
    finally:
        run.kill()
    assert run.proc.returncode == 0, output
    assert "PowerDesk: stopped." in output, output
    assert not [p for p in processes if _alive(p)], output
    _wait_for_sessions_to_end(database)


# --- PostgreSQL killed -----------------------------------------------------------------------------

PREPARE = """
import os
from powerdesk import launcher
launcher.launch(launcher.Role.OWNER)
os.environ["DJANGO_SETTINGS_MODULE"] = "powerdesk.settings"
import django
django.setup()
from django.core.management import call_command
from powerdesk.org.models import Role, Unit, UnitKind, User
from powerdesk.org.tokens import api_token_create
from powerdesk.pytest_plugin import _few_collections
with _few_collections():  # as the session's template is migrated: a quarter less CPU
    call_command("migrate", verbosity=0)
unit = Unit.objects.create(code="T1", name="测试县供电公司", kind=UnitKind.COUNTY)
user = User.objects.create(username="agent", unit=unit, role=Role.objects.get(code="agent"))
print(api_token_create(user=user, name="e2e")[1])
"""


@pytest.fixture(scope="module")
def own_database(tmp_path_factory) -> Iterator[tuple[dict[str, str], str]]:
    """An embedded PostgreSQL of this module's own (it is killed: the session's server serves other
    tests), migrated, with one unit and one user: the environment to run in and the user's API token.

    Shared by the module's tests, as initdb and migrate cost most of a test: each test starts it with its
    ``powerdesk run`` (from stopped, or killed, as a real restart would find it) and leaves it stopped by
    that run's stop, and none counts what another may have written (the drill counts its own orders)."""
    var = tmp_path_factory.mktemp("own-database") / "var"
    env = {k: v for k, v in os.environ.items() if k not in LAUNCHER_VARIABLES and k != "POWERDESK_VAR_DIR"}
    # its own database, but the static files the session collected (compressing them again costs ~13 s)
    env.update(
        POWERDESK_VAR_DIR=str(var),
        POWERDESK_STATIC_ROOT=str(settings.STATIC_ROOT),
        DJANGO_SETTINGS_MODULE="powerdesk.settings",
    )
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    prepared = subprocess.run(
        [sys.executable, "-c", PREPARE], env=env, capture_output=True, text=True, timeout=300
    )
    assert prepared.returncode == 0, prepared.stderr
    try:
        yield env, prepared.stdout.strip().splitlines()[-1]
    finally:
        subprocess.run(
            [sys.executable, "-c", STOP, str(var)],
            env=env,
            timeout=120,
        )


def _workers_of(pid: int) -> set[int]:
    return set(_descendants(pid))


def _postmaster(var: Path) -> int:
    """The running PostgreSQL's pid, as its ``postmaster.pid`` says."""
    return int((var / "pgdata" / "postmaster.pid").read_text().split()[0])


def test_a_killed_database_is_started_again_while_the_web_answers_503(own_database):
    env, token = own_database
    var = Path(env["POWERDESK_VAR_DIR"])
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    run = Run({**env, "POWERDESK_BIND": f"127.0.0.1:{port}", "POWERDESK_WEB_WORKERS": "2"})
    try:
        wait_until_serving(base, run.proc, seconds=120)
        assert get(f"{base}/api/v1/workorders/", token=token)[0] == 200
        gunicorn = run.child("gunicorn")
        web_workers = _workers_of(gunicorn)

        # Hold the supervisor, so the database stays away while the web is asked.
        os.kill(run.proc.pid, signal.SIGSTOP)
        try:
            os.kill(_postmaster(var), signal.SIGKILL)
            status, kind, body = until(
                "the API answering 503",
                lambda: (a := get(f"{base}/api/v1/workorders/", token=token))[0] == 503 and a,
                seconds=30,
            )
            assert kind.startswith("application/json")
            assert json.loads(body)["error"]["code"] == "service_unavailable"
            status, kind, body = get(f"{base}/orders/", cookies="sessionid=" + "s" * 32)
            assert status == 503 and kind.startswith("text/html") and "服务暂时不可用" in body
        finally:
            os.kill(run.proc.pid, signal.SIGCONT)

        run.said("the database (embedded PostgreSQL) ended", seconds=30)
        answers: list[tuple[int, str]] = []  # what the API said meanwhile, for a failure's message
        try:
            until(
                "the API answering again",
                lambda: (
                    answers.append(get(f"{base}/api/v1/workorders/", token=token)[::2])
                    or answers[-1][0] == 200
                ),
                seconds=90,
            )
        except AssertionError as failed:
            output = run.output()
            raise AssertionError(f"{failed}; last answers {answers[-3:]}; run said:\n{output}") from None
        assert run.child("gunicorn") == gunicorn and _alive(gunicorn)  # the same web server …
        assert _workers_of(gunicorn) == web_workers  # … with the same workers: none died meanwhile

        # A stop that comes while the database is being started again still ends everything.
        os.kill(_postmaster(var), signal.SIGKILL)
        run.said("starting the database (embedded PostgreSQL) again (restart 2)", seconds=60)
        processes = _descendants(run.proc.pid)
        output = run.stop(signal.SIGTERM, seconds=60)
    finally:
        run.kill()
    assert run.proc.returncode == 0, output
    assert "PowerDesk: stopped." in output, output
    assert not [p for p in processes if _alive(p)], output  # the database started again among them
    # A clean stop removes postmaster.pid; one left behind must name no live process.
    pid_file = var / "pgdata" / "postmaster.pid"
    assert not pid_file.exists() or not _alive(_postmaster(var)), output


# --- intakes retried through a restart of the database ----------------------------------------------

COUNT_ORDERS = """
import os
from powerdesk import launcher
launcher.launch(launcher.Role.OWNER)
os.environ["DJANGO_SETTINGS_MODULE"] = "powerdesk.settings"
import django
django.setup()
import sys
from powerdesk.workorders.models import Contact, WorkOrder
prefix = sys.argv[1]  # the drill's own phone numbers: the database is the module's
print(
    WorkOrder.objects.filter(caller_phone__startswith=prefix).count(),
    Contact.objects.filter(phone__startswith=prefix).count(),
)
"""
DRILL_PHONES = "1390000"  # followed by four digits, the intake's index


def _post_intake(base: str, token: str, key: str, phone: str) -> tuple[int, dict | None]:
    """Status and body of one keyed intake; status 0 when no answer came (connection refused or cut)."""
    body = {
        "business_type": "consultation",
        "topic": "billing",
        "caller_phone": phone,
        "description": "咨询电费账单",
    }
    request = urllib.request.Request(
        f"{base}/api/v1/workorders/",
        data=json.dumps(body).encode(),
        method="POST",
        headers={
            "Authorization": f"Token {token}",
            "Content-Type": "application/json",
            "Idempotency-Key": key,
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=15) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, None
    except (urllib.error.URLError, OSError):
        return 0, None


def test_intakes_retried_through_a_database_restart_make_one_order_each(own_database):
    """A client sends keyed intakes one after another and retries each until it is answered, while the
    database is killed and started again under it: every key ends with one order, none is lost and none
    doubled, and the retries met the outage (503 or no answer) on the way."""
    env, token = own_database
    var = Path(env["POWERDESK_VAR_DIR"])
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    run = Run({**env, "POWERDESK_BIND": f"127.0.0.1:{port}", "POWERDESK_WEB_WORKERS": "2"})
    keys = [f"drill-{i:03d}" for i in range(40)]
    numbers: dict[str, str] = {}
    refused: list[int] = []  # the statuses of the attempts that were not answered 200/201
    unexpected: list[tuple[str, int]] = []
    output = ""

    def client() -> None:
        deadline = time.monotonic() + 240
        for i, key in enumerate(keys):
            while time.monotonic() < deadline:
                status, answer = _post_intake(base, token, key, f"{DRILL_PHONES}{i:04d}")
                if status in (200, 201) and answer is not None:
                    numbers[key] = answer["number"]
                    break
                if status not in (0, 503):
                    unexpected.append((key, status))
                    return
                refused.append(status)
                time.sleep(0.2)

    try:
        wait_until_serving(base, run.proc, seconds=300)  # migrate, collectstatic on a busy machine
        stream = threading.Thread(target=client, daemon=True)
        stream.start()
        until("the first intakes answered", lambda: len(numbers) >= 5, seconds=60)
        os.kill(_postmaster(var), signal.SIGKILL)
        run.said("the database (embedded PostgreSQL) ended", seconds=30)
        stream.join(timeout=300)
        assert not stream.is_alive(), f"the client is still retrying; answered {len(numbers)} of {len(keys)}"
        output = run.stop(signal.SIGTERM, seconds=60)
    finally:
        run.kill()
    assert not unexpected, f"answers other than 200/201/503: {unexpected}\n{output}"
    assert sorted(numbers) == keys  # nothing lost
    assert len(set(numbers.values())) == len(keys)  # one order per key
    assert refused, "the stream never met the outage: the drill proved nothing"
    counted = subprocess.run(
        [sys.executable, "-c", COUNT_ORDERS, DRILL_PHONES],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert counted.returncode == 0, counted.stderr
    assert counted.stdout.split() == [str(len(keys)), str(len(keys))]  # nothing doubled: orders, contacts
