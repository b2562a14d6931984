"""Without POWERDESK_SECRET_KEY the launcher keeps one in var/secret_key: made once, readable by its owner
only, the same for every later start."""

from __future__ import annotations

import os
import stat
import threading

from powerdesk import launcher


def test_the_first_launch_makes_a_private_key_and_exports_it(unlaunched):
    launcher.launch(None)
    path = unlaunched / "secret_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert os.environ["POWERDESK_SECRET_KEY"] == path.read_text()
    assert len(os.environ["POWERDESK_SECRET_KEY"]) >= 50
    assert [p.name for p in unlaunched.iterdir()] == ["secret_key"]  # no draft left behind


def test_a_later_start_reuses_the_key(unlaunched, monkeypatch):
    launcher.launch(None)
    first = os.environ["POWERDESK_SECRET_KEY"]
    monkeypatch.delenv("POWERDESK_SECRET_KEY")  # a new process, as after a restart
    launcher.launch(None)
    assert os.environ["POWERDESK_SECRET_KEY"] == first


def test_a_key_given_in_the_environment_wins_and_nothing_is_written(unlaunched, monkeypatch):
    monkeypatch.setenv("POWERDESK_SECRET_KEY", "given")
    launcher.launch(None)
    assert os.environ["POWERDESK_SECRET_KEY"] == "given"
    assert not unlaunched.exists()


def test_first_starts_at_once_agree_on_one_key(tmp_path):
    path = tmp_path / "secret_key"
    barrier = threading.Barrier(8)
    keys: list[str] = []

    def start() -> None:
        barrier.wait()
        keys.append(launcher.secret_key(path))

    threads = [threading.Thread(target=start) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(keys) == 8 and set(keys) == {path.read_text()}
