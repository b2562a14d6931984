"""Fixtures of the privacy tests: the console and API clients of tests/console and tests/api."""

from tests.api.conftest import api, make_order  # noqa: F401
from tests.console.conftest import east_order, login, order  # noqa: F401
