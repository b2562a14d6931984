"""``powerdesk run`` as a terminal runs it: Ctrl-C stops the web server and the worker, gracefully."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.e2e.conftest import _wait_for_sessions_to_end, free_port, wait_until_serving


def _children(pid: int) -> list[int]:
    return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def _descendants(pid: int) -> list[int]:
    found = []
    for child in _children(pid):
        found += [child, *_descendants(child)]
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.django_db(transaction=True)
def test_ctrl_c_in_a_terminal_stops_every_process_without_a_kill(users, county):
    """A terminal's Ctrl-C is SIGINT to its whole foreground process group. gunicorn's threaded workers,
    when they got it beside the master's own stop signal, deadlocked in their shutdown until the master
    killed them 10 s later; ``powerdesk run`` keeps its children out of the terminal's group and stops
    them itself."""
    from django.db import connection

    database = connection.settings_dict["NAME"]
    from powerdesk.org.tokens import api_token_create

    _token, token = api_token_create(user=users["agent"], name="e2e")
    port = free_port()
    env = {
        **os.environ,
        "POWERDESK_DB_NAME": database,
        "DJANGO_SETTINGS_MODULE": "powerdesk.settings",
        "POWERDESK_BIND": f"127.0.0.1:{port}",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    run = subprocess.Popen(  # a job of its own, as a shell starts one in the foreground
        [sys.executable, "-m", "powerdesk.cli", "run"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_serving(base, run, seconds=90)
        request = urllib.request.Request(
            f"{base}/api/v1/workorders/", headers={"Authorization": f"Token {token}"}
        )
        # The first request that reaches the database may wait for what the start-up still does there;
        # then requests spread over the workers.
        assert urllib.request.urlopen(request, timeout=60).status == 200
        for _ in range(29):
            assert urllib.request.urlopen(request, timeout=10).status == 200
        processes = _descendants(run.pid)
        assert len(processes) >= 3  # gunicorn's master and workers, the job worker
        assert all(os.getpgid(p) != run.pid for p in processes), "a child shares the terminal's group"

        os.killpg(run.pid, signal.SIGINT)  # Ctrl-C
        output, _ = run.communicate(timeout=60)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
            run.wait()
    text = output.decode(errors="replace")
    assert run.returncode == 0, text
    assert "SIGKILL" not in text and "PowerDesk: stopped." in text, text
    assert not [p for p in processes if _alive(p)], text
    # what a person reads at start: the address and the logins once, not gunicorn's own chatter
    assert text.count("Demo logins (password") == 1 and f"127.0.0.1:{port}" in text, text
    assert "Listening at" not in text and "Booting worker" not in text, text
    _wait_for_sessions_to_end(database)
