"""The HTTP access log is on by default, and its lines carry no query string (a search by phone number
puts the number there) and no referrer."""

from __future__ import annotations

import importlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from powerdesk import gunicorn_conf

REPO = Path(__file__).resolve().parent.parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def reload_conf(monkeypatch):
    def load(**env):
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        return importlib.reload(gunicorn_conf)

    yield load
    monkeypatch.undo()
    importlib.reload(gunicorn_conf)


def test_the_access_log_is_on_by_default_and_can_be_switched_off(reload_conf):
    assert reload_conf().accesslog == "-"
    assert reload_conf(POWERDESK_WEB_ACCESS_LOG="0").accesslog is None
    assert reload_conf(POWERDESK_WEB_ACCESS_LOG="/var/log/powerdesk/access.log").accesslog.endswith(
        "access.log"
    )


def test_a_request_is_logged_without_its_query_string():
    port = free_port()
    env = {**os.environ, "POWERDESK_BIND": f"127.0.0.1:{port}", "POWERDESK_WEB_WORKERS": "1"}
    env.pop("POWERDESK_WEB_ACCESS_LOG", None)  # the default: standard output
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "python:powerdesk.gunicorn_conf",
            "tests.core.access_log_app",
        ],
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}/customers/?q=13812345678&name=%E5%BC%A0%E4%B8%89"
        request = urllib.request.Request(url, headers={"Referer": f"http://127.0.0.1:{port}/?q=13987654321"})
        for _ in range(300):  # bounded: until gunicorn listens (at most a minute)
            try:
                assert urllib.request.urlopen(request, timeout=5).status == 200
                break
            except OSError:
                assert server.poll() is None, "gunicorn exited"
                time.sleep(0.2)
        else:
            pytest.fail("gunicorn did not answer")
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    lines = [line for line in output.decode().splitlines() if "/customers/" in line]
    assert len(lines) == 1, output
    assert '"GET /customers/ HTTP/1.1" 200' in lines[0]
    assert "13812345678" not in lines[0] and "q=" not in lines[0] and "13987654321" not in lines[0]
