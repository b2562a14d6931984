"""What an operator sees: a favicon instead of a 404 per page, one readable line per notification in
the worker's console (the address masked), gunicorn quiet unless asked."""

from __future__ import annotations

import importlib

import pytest

from powerdesk.notify.transports import ConsoleTransport
from tests.notify.helpers import enqueue


def test_the_favicon_is_served_for_pages_that_do_not_link_it(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("favicon.svg")
    assert client.get(response["Location"]).status_code == 200


def test_console_pages_link_the_icon(client, users):
    client.force_login(users["agent"])
    assert 'rel="icon"' in client.get("/").content.decode()


@pytest.mark.django_db
def test_a_console_notification_prints_one_short_line_with_the_number_masked(tmp_path, capsys):
    notification = enqueue(recipient_address="13812345678")
    notification.text, notification.subject = "工单即将超时，请尽快处理。\n第二行", ""
    ConsoleTransport(outbox=tmp_path).send(notification)
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1
    assert "138****5678" in out[0] and "13812345678" not in out[0]
    assert "工单即将超时" in out[0] and "第二行" not in out[0]
    assert "13812345678" in (tmp_path / ConsoleTransport.filename).read_text(encoding="utf-8")


def test_gunicorn_logs_warnings_only_unless_asked(monkeypatch):
    import powerdesk.gunicorn_conf as conf

    assert importlib.reload(conf).loglevel == "warning"
    monkeypatch.setenv("POWERDESK_WEB_LOG_LEVEL", "info")
    assert importlib.reload(conf).loglevel == "info"
    monkeypatch.delenv("POWERDESK_WEB_LOG_LEVEL")
    importlib.reload(conf)
