from __future__ import annotations

import pytest

from powerdesk.org.models import User
from tests.factories import UserFactory


@pytest.fixture
def auditor(county) -> User:
    return UserFactory.with_role("auditor", county.county, username="auditor")


@pytest.fixture
def superuser(db) -> User:
    return User.objects.create_superuser("root", password="a-long-admin-pass-2024")


def kinds_of(**filters) -> list[str]:
    from powerdesk.audit.models import AuditEntry

    return list(AuditEntry.objects.filter(**filters).order_by("id").values_list("kind", flat=True))
