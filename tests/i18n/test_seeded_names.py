"""Seeded topics and roles have English names; data an administrator wrote stays as written."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from powerdesk.applications.models import ApplicationKind, DocumentType, ReturnReason, StepTemplate
from powerdesk.applications.seeded import DOCUMENT_NAMES, KIND_NAMES, RETURN_REASON_NAMES, STEP_NAMES
from powerdesk.complaints.models import Checklist, Severity
from powerdesk.complaints.seeded import CHECKLIST_NAMES, SEVERITY_NAMES
from powerdesk.core.seeded_names import ROLE_NAMES, TOPIC_NAMES, seeded_name
from powerdesk.feedback.models import QuestionSet, TimeBand
from powerdesk.feedback.seeded import QUESTION_SET_NAMES, TIME_BAND_NAMES
from powerdesk.org.models import Role
from powerdesk.sla.models import SlaPolicy, SuspendReason
from powerdesk.sla.seeded import POLICY_NAMES, SUSPEND_REASON_NAMES
from powerdesk.workorders.models import SubType, Topic
from powerdesk.workorders.seeded import SUB_TYPE_NAMES
from tests.workorders.helpers import intake


def chinese(labels) -> set[str]:
    with translation.override(None):  # no catalogue: a lazy label is its msgid
        return {str(label) for label in labels}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model", "labels"),
    [
        (Topic, TOPIC_NAMES),
        (Role, ROLE_NAMES),
        (SubType, SUB_TYPE_NAMES),
        (SlaPolicy, POLICY_NAMES),
        (SuspendReason, SUSPEND_REASON_NAMES),
        (Severity, SEVERITY_NAMES),
        (Checklist, CHECKLIST_NAMES),
        (QuestionSet, QUESTION_SET_NAMES),
        (TimeBand, TIME_BAND_NAMES),
        (ApplicationKind, KIND_NAMES),
        (DocumentType, DOCUMENT_NAMES),
        (StepTemplate, STEP_NAMES),
        (ReturnReason, RETURN_REASON_NAMES),
    ],
)
def test_the_tables_of_seeded_names_match_what_the_migrations_seed(model, labels):
    seeded = set(model.objects.values_list("name", flat=True))
    assert chinese(labels) == seeded


@pytest.mark.django_db
@pytest.mark.parametrize(
    "model",
    [
        Topic,
        Role,
        SubType,
        SlaPolicy,
        SuspendReason,
        Severity,
        Checklist,
        QuestionSet,
        TimeBand,
        ApplicationKind,
        DocumentType,
        StepTemplate,
        ReturnReason,
    ],
)
def test_every_seeded_name_is_english_on_english_pages_and_unchanged_on_chinese_ones(model):
    rows = list(model.objects.all())
    with translation.override("en"):
        english = {row.pk: seeded_name(row) for row in rows}
    with translation.override("zh-hans"):
        assert {row.pk: seeded_name(row) for row in rows} == {row.pk: row.name for row in rows}
    assert rows and all(english[row.pk] != row.name for row in rows), english
    by_code = {getattr(row, "code", None): english[row.pk] for row in rows}
    assert by_code.get("fault_repair", "Emergency repair") == "Emergency repair"
    assert by_code.get("dispatcher", "Dispatcher") == "Dispatcher"


@pytest.mark.django_db
def test_a_name_changed_in_the_admin_is_shown_as_written_in_english_too():
    topic = Topic.objects.get(code="billing")
    topic.name = "电费咨询与电价政策"
    with translation.override("en"):
        assert seeded_name(topic) == "电费咨询与电价政策"
        assert seeded_name(None) == ""


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_the_english_order_page_names_the_topic_and_the_users_role_in_english(
    english, client, users, customer
):
    order = intake(users, customer, topic_code="fault_repair")
    url = reverse("workorders:detail", args=[order.number])

    english.force_login(users["agent"])
    html = english.get(url).content.decode()
    # The relevant cases' titles are what authors wrote (in Chinese only), not seeded names.
    from powerdesk.knowledge.models import CaseVersion

    for title in sorted(CaseVersion.objects.values_list("title", flat=True), key=len, reverse=True):
        html = html.replace(title, "")
    assert "<b>Emergency repair</b>" in html
    assert '<div class="role">Hotline agent · ' in html
    assert "故障抢修" not in html and "客服专员" not in html

    client.cookies.clear()
    client.force_login(users["agent"])
    html = client.get(url).content.decode()
    assert "<b>故障抢修</b>" in html and '<div class="role">客服专员 · ' in html


def test_the_english_intake_form_lists_the_topics_in_english(english, users, customer):
    english.force_login(users["agent"])
    html = english.get(reverse("workorders:new"), {"customer": customer.account_no}).content.decode()
    assert ">Emergency repair</option>" in html
    assert ">Bills and tariffs</option>" in html
