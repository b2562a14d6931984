"""How ``powerdesk run`` serves: one listening socket per gunicorn worker, and no second server on a port."""

from __future__ import annotations

import importlib
import socket

import pytest

from powerdesk import gunicorn_conf
from powerdesk.cli import bind_taken


@pytest.fixture
def listener():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)  # as each gunicorn worker binds
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock


def test_a_port_another_server_listens_on_is_reported_taken(listener):
    port = listener.getsockname()[1]
    taken = bind_taken(f"127.0.0.1:{port}")
    assert isinstance(taken, OSError)


def test_a_free_port_is_not_taken(listener):
    port = listener.getsockname()[1]
    listener.close()
    assert bind_taken(f"127.0.0.1:{port}") is None


@pytest.mark.parametrize("bind", ["unix:/tmp/powerdesk.sock", "fd://3", "127.0.0.1:not-a-port"])
def test_addresses_gunicorn_checks_itself_are_not_probed(bind):
    assert bind_taken(bind) is None


@pytest.fixture
def reload_conf(monkeypatch):
    def load(**env):
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        return importlib.reload(gunicorn_conf)

    yield load
    monkeypatch.undo()
    importlib.reload(gunicorn_conf)


def test_each_worker_listens_on_its_own_socket_for_tcp(reload_conf):
    assert reload_conf(POWERDESK_BIND="127.0.0.1:8000").reuse_port is True


def test_a_unix_socket_is_shared_and_reuse_port_can_be_switched_off(reload_conf):
    assert reload_conf(POWERDESK_BIND="unix:/tmp/powerdesk.sock").reuse_port is False
    assert reload_conf(POWERDESK_BIND="127.0.0.1:8000", POWERDESK_WEB_REUSE_PORT="0").reuse_port is False


@pytest.mark.django_db(transaction=True)
def test_ctrl_c_leaves_the_embedded_database_up_while_another_client_uses_it():
    import psycopg
    from django.db import connection

    from powerdesk.cli import other_database_clients

    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    # The count is server-wide on purpose (a test database's clients keep the server up too), so the
    # other test process's connections come and go meanwhile: one more client must be counted in some
    # quiet moment of a bounded number of tries, exactly.
    seen = []
    for _ in range(20):
        before = other_database_clients()
        with psycopg.connect(**params):
            during = other_database_clients()
        seen.append((before, during))
        if during == before + 1:
            break
    else:
        raise AssertionError(f"one more client never counted exactly: (before, during) = {seen}")


@pytest.mark.parametrize("argv, status", [(["run", "--help"], 0), (["run", "--port", "9000"], 2)])
def test_run_answers_help_and_refuses_unknown_options_before_it_starts_anything(
    argv, status, monkeypatch, capsys
):
    from powerdesk import cli

    def started(*args, **kwargs):
        raise AssertionError("powerdesk run started the server")

    monkeypatch.setattr(cli, "_setup", started)
    monkeypatch.setattr(cli, "bind_taken", started)
    with pytest.raises(SystemExit) as stopped:
        cli.main(argv)
    assert stopped.value.code == status
    out = capsys.readouterr()
    assert "powerdesk run" in (out.out if status == 0 else out.err)
