"""Where the English catalogue lives, for the i18n tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from tests.i18n import pofile
from tests.sla.conftest import heads  # noqa: F401 - units with heads, told of breaches (English pages)


@pytest.fixture(scope="session")
def catalogue_dir() -> Path:
    return Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES"


@pytest.fixture(scope="session")
def po_entries(catalogue_dir) -> list[pofile.Entry]:
    return pofile.messages(catalogue_dir / "django.po")
