"""The test session's launcher: named in pyproject.toml's pytest ``addopts`` (``-p powerdesk.pytest_plugin``).

The tests run as the owner role (they create and drop the test databases). The launcher has to run before
pytest-django reads the settings, which it does while pytest loads the first conftest files: this hook
wraps that step, so it runs before pytest-django's part of it. The embedded server is stopped at the end
of the session only if the session started it (a ``make run`` may be using it).

With pytest-xdist (``make test`` runs two workers), the test database is migrated once, not once per
worker: every migration runs (they seed the reference data and create the SQL objects the models do not
describe), and rendering the model states between them costs each worker about half a minute of CPU.
Steps:

1. the controller, before it starts the workers, creates ``<test database>_template`` as pytest-django
   would create a test database (``migrate`` from nothing) and closes its connection;
2. it hands the name to each worker (``workerinput``), and each worker makes it the template of its own
   test database (Django's ``TEST["TEMPLATE"]``): ``CREATE DATABASE … TEMPLATE`` copies the migrated
   database, and the ``migrate`` that pytest-django then runs finds nothing to apply;
3. the controller drops the template at the end of the session.

Meanwhile the controller collects the static files that the tests' ``powerdesk run`` serves, so that none of
them compresses the same files again (``tests/e2e/test_powerdesk_run_recovers.py``'s own database points its
runs at them with ``POWERDESK_STATIC_ROOT``).

``--reuse-db`` and a single process (``-n 0``) keep pytest-django's own way.
"""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from collections.abc import Generator, Iterator
from contextlib import contextmanager

import pytest

from powerdesk import hostspeed, launcher

LAUNCHED = pytest.StashKey[launcher.Launched]()
# The host's speed when the session started (powerdesk.hostspeed), printed beside the suite's time.
HOST_SPEED = pytest.StashKey[float]()


def on_embedded_server(config: pytest.Config) -> bool:
    """Whether the suite's database is on the embedded server under ``var/`` (not a standalone server
    named by ``DATABASE_URL``). An xdist worker inherits the controller's ``DATABASE_URL``, so its own
    launch attached to nothing: the URL's socket directory under ``var/`` tells."""
    if config.stash[LAUNCHED].embedded is not None:
        return True
    import dj_database_url

    host = dj_database_url.parse(os.environ.get("DATABASE_URL", "")).get("HOST") or ""
    return str(host).startswith(str(launcher.var_dir()))


# The migrated database the workers' test databases are copied from, and the name it had before (the
# controller's connection points at the template until it is dropped).
TEMPLATE = pytest.StashKey[tuple[str, str]]()
TEMPLATE_INPUT = "powerdesk_test_db_template"


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config) -> Generator[None, None, None]:
    # The test client and the browser tests speak plain http, also against a standalone PostgreSQL
    # (DATABASE_URL set, where the launcher leaves the settings' HTTPS default alone); the tests of the
    # HTTPS settings set them explicitly.
    os.environ.setdefault("POWERDESK_HTTPS", "off")
    early_config.stash[LAUNCHED] = launcher.launch(launcher.Role.OWNER)
    return (yield)


def _copies_a_template(config: pytest.Config) -> bool:
    """Whether this process is an xdist controller whose workers create test databases of their own."""
    return (
        not hasattr(config, "workerinput")
        and config.pluginmanager.has_plugin("dsession")  # xdist's controller, registered when -n > 0
        and not config.getoption("reuse_db", False)
        and "django" in sys.modules
    )


def pytest_sessionstart(session: pytest.Session) -> None:
    config = session.config
    if hasattr(config, "workerinput"):
        template = config.workerinput.get(TEMPLATE_INPUT)
        if template:
            from django.conf import settings

            settings.DATABASES["default"].setdefault("TEST", {})["TEMPLATE"] = template
        return
    config.stash[HOST_SPEED] = hostspeed.sample_us()  # the controller (or the only process)
    if not _copies_a_template(config):
        return
    from django.db import connections
    from pytest_django.plugin import blocking_manager_key

    connection = connections["default"]
    test = connection.settings_dict.setdefault("TEST", {})
    original, test_name = connection.settings_dict["NAME"], test.get("NAME")
    template = f"{test_name or 'test_' + original}_template"
    test["NAME"] = template
    # The static files the tests' ``powerdesk run`` serves, collected on the core the migrations leave idle
    # (compressing them is ~13 s of CPU; every later collection finds them fresh).
    collecting = subprocess.Popen(
        [sys.executable, "-m", "powerdesk.cli", "collectstatic", "--noinput", "--verbosity", "0"]
    )
    try:
        with config.stash[blocking_manager_key].unblock(), _few_collections():
            # autoclobber: a template left by a session that was killed is made again.
            connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
            connection.close()  # CREATE DATABASE … TEMPLATE needs the template without sessions
    finally:
        test["NAME"] = test_name
        collecting.wait()
    config.stash[TEMPLATE] = (template, original)


@contextmanager
def _few_collections() -> Iterator[None]:
    """Rendering the model states of every migration makes millions of short-lived objects beside the
    hundreds of thousands that importing Django and the apps left: Python's cyclic collector scanned those
    again and again (a quarter of the template's ~25 s, while the workers wait for it). The imported objects
    are set aside (``gc.freeze``) and the young generation collected less often; memory stays a few hundred
    MB. Both are undone after."""
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(10_000, 20, 100)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()
        gc.collect()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    """The suite's time is judged at the host's normal speed (8.0–9.5 µs on the machine we measure on):
    printed at both ends, the speed tells a slow minute's run from a slower suite."""
    started = config.stash.get(HOST_SPEED, None)
    if started is not None:
        terminalreporter.write_line(
            f"host speed: sum(range(1000)) in {started:.1f} µs at the start, {hostspeed.sample_us():.1f} µs"
            " at the end (powerdesk.hostspeed; 8.0–9.5 is the 2-core AMD EPYC host's normal)"
        )


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node) -> None:  # xdist's hook: the controller prepares each worker
    template = node.config.stash.get(TEMPLATE, None)
    if template is not None:
        node.workerinput[TEMPLATE_INPUT] = template[0]


def pytest_unconfigure(config: pytest.Config) -> None:
    template = config.stash.get(TEMPLATE, None)
    if template is not None:
        from django.db import connections
        from pytest_django.plugin import blocking_manager_key

        with config.stash[blocking_manager_key].unblock():
            connections["default"].creation.destroy_test_db(template[1], verbosity=0)
    launched = config.stash.get(LAUNCHED, None)
    # pytest-xdist's workers inherit the environment and share the controller's server.
    if launched is not None and launched.started_server and not hasattr(config, "workerinput"):
        from powerdesk import dbserver

        dbserver.stop(launched.var_dir)
