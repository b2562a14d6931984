"""The demo's 以案普法: assignments with people confirmed and people overdue, one answering the judged
complaint's rectification (which asked for learning)."""

from __future__ import annotations

import pytest

from powerdesk.complaints.models import Rectification
from powerdesk.core import clock
from powerdesk.knowledge.models import LearningAssignment, LearningRecipient
from tests.demo.conftest import NOW, load_small

pytestmark = pytest.mark.django_db


def test_the_demo_has_learning_assignments_some_confirmed_some_overdue():
    summary = load_small(seed=11, orders=160)
    assert summary.learning == LearningAssignment.objects.count() == 3
    assert LearningRecipient.objects.filter(confirmed_at__isnull=False).exists()
    today = clock.local_date(NOW)
    overdue = LearningRecipient.objects.filter(confirmed_at__isnull=True, assignment__due_date__lt=today)
    assert overdue.exists()
    rectification = Rectification.objects.get(state="open")
    assert rectification.requires_learning and rectification.learning_assignments.count() == 1


def test_a_reset_keeps_the_seeded_case_library():
    """The reset empties the staff with CASCADE, which took the seeded cases (by the system account)."""
    from powerdesk.knowledge.models import CaseVersion, ScriptVersion

    load_small(seed=11, orders=40, customers=150)
    published = CaseVersion.objects.filter(state="published").count()
    scripts = ScriptVersion.objects.filter(state="published").count()
    load_small(seed=11, orders=40, customers=150, reset=True)
    assert CaseVersion.objects.filter(state="published").count() == published >= 30
    assert ScriptVersion.objects.filter(state="published").count() == scripts >= 30
    assert LearningAssignment.objects.count() == 3
