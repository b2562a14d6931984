"""Fixtures shared with other packages' tests."""

from tests.api.conftest import api  # noqa: F401 - clients authenticated with an API token
