"""The test session's launcher: named in pyproject.toml's pytest ``addopts`` (``-p powerdesk.pytest_plugin``).

The tests run as the owner role (they create and drop the test databases). The launcher has to run before
pytest-django reads the settings, which it does while pytest loads the first conftest files: this hook
wraps that step, so it runs before pytest-django's part of it. The embedded server is stopped at the end
of the session only if the session started it (a ``make run`` may be using it).
"""

from __future__ import annotations

import os
from collections.abc import Generator

import pytest

from powerdesk import launcher

LAUNCHED = pytest.StashKey[launcher.Launched]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config) -> Generator[None, None, None]:
    # The test client and the browser tests speak plain http, also against a standalone PostgreSQL
    # (DATABASE_URL set, where the launcher leaves the settings' HTTPS default alone); the tests of the
    # HTTPS settings set them explicitly.
    os.environ.setdefault("POWERDESK_HTTPS", "off")
    early_config.stash[LAUNCHED] = launcher.launch(launcher.Role.OWNER)
    return (yield)


def pytest_unconfigure(config: pytest.Config) -> None:
    launched = config.stash.get(LAUNCHED, None)
    # pytest-xdist's workers inherit the environment and share the controller's server.
    if launched is not None and launched.started_server and not hasattr(config, "workerinput"):
        from powerdesk import dbserver

        dbserver.stop(launched.var_dir)
