"""Campaign survey answers (服务调查, outside any order) count in the quality view, apart from the order
surveys and pooled with them in the combined score. Figures computed by hand from the crafted month:

* order surveys (the month fixture): A's repair (east) scored 5, B's repair (west) scored 2;
* a west campaign: answers 4 and 1 in March, one without a score, one scored 5 in February;
* a county-wide campaign: one answer scored 3 in March (the county is above both stations).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from powerdesk.analytics import measures
from powerdesk.analytics.measures import Mean
from powerdesk.analytics.selectors import quality_table
from powerdesk.core import clock
from powerdesk.feedback.models import QuestionSet, SurveyCampaign, SurveyInvitation, SurveyResponse
from tests.analytics.conftest import NOW
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

MARCH = (NOW.date().replace(day=1), NOW.date().replace(day=31))


def campaign(unit, users, name) -> SurveyCampaign:
    return SurveyCampaign.objects.create(
        name=name,
        unit=unit,
        questions=QuestionSet.objects.first(),
        starts_on=MARCH[0],
        ends_on=MARCH[1],
        state=SurveyCampaign.State.DONE,
        created_by=users["manager"],
        created_at=clock.now(),
    )


def answer(of: SurveyCampaign, area, score: int | None, at: dt.datetime) -> SurveyResponse:
    customer = CustomerFactory(area=area)
    invitation = SurveyInvitation.objects.create(
        campaign=of,
        customer=customer,
        questions=of.questions,
        phone="13900000000",
        nonce=f"c{customer.pk}",
        created_at=at,
        expires_at=at + dt.timedelta(days=3),
        used_at=at,
    )
    return SurveyResponse.objects.create(invitation=invitation, campaign=of, score=score, created_at=at)


@pytest.fixture
def campaigns(month, county, users):
    west = campaign(county.west, users, "三月西区服务调查")
    area = county.west_area
    answer(west, area, 4, NOW)
    answer(west, area, 1, NOW - dt.timedelta(days=3))
    answer(west, area, None, NOW)  # answered the other questions only
    answer(west, area, 5, dt.datetime(2026, 2, 27, 12, 0, tzinfo=clock.BUSINESS_TZ))  # February
    wide = campaign(county.county, users, "全县服务调查")
    answer(wide, county.east_area, 3, NOW)
    return month


def table(user, by):
    return quality_table(user=user, first=MARCH[0], last=MARCH[1], by=by, unit=None, kind="")


def figures(t, key):
    return next(r.figures for r in t.rows if r.key == key)


def test_campaign_answers_count_per_unit_apart_from_order_surveys_and_pooled(campaigns, users, county):
    t = table(users["manager"], "unit")
    east, west, whole = (figures(t, u.pk) for u in (county.east, county.west, county.county))
    # order surveys alone, as before
    assert (east["survey_score"], west["survey_score"]) == (Mean(5, 1), Mean(2, 1))
    assert t.totals.figures["survey_score"] == Mean(7, 2)  # 3.5
    # campaign surveys: west 4 + 1 (the unscored and February answers left out); the county's 3
    assert west["campaign_survey_score"] == Mean(5, 2) and west["campaign_survey_score"].value == 2.5
    assert whole["campaign_survey_score"] == Mean(3, 1)
    assert east["campaign_survey_score"] is None  # no campaign answer for east: nothing to average
    assert t.totals.figures["campaign_survey_score"] == Mean(8, 3)
    # combined: west 2 + 4 + 1 over 3 answers; east 5; the county 3; all 15 over 5
    assert west["all_survey_score"] == Mean(7, 3) and west["all_survey_score"].value == 2.33
    assert east["all_survey_score"] == Mean(5, 1) and whole["all_survey_score"] == Mean(3, 1)
    assert (
        t.totals.figures["all_survey_score"] == Mean(15, 5)
        and t.totals.figures["all_survey_score"].value == 3.0
    )


def test_per_staff_campaign_answers_name_no_one_and_count_in_the_totals(campaigns, users):
    t = table(users["manager"], "staff")
    a, b = figures(t, campaigns.a.pk), figures(t, campaigns.b.pk)
    assert (a["campaign_survey_score"], b["campaign_survey_score"]) == (None, None)
    assert (a["all_survey_score"], b["all_survey_score"]) == (Mean(5, 1), Mean(2, 1))
    assert t.totals.figures["campaign_survey_score"] == Mean(8, 3)
    assert t.totals.figures["all_survey_score"] == Mean(15, 5)


def test_a_unit_head_sees_the_campaigns_of_their_subtree_only(campaigns, users, west_head, county):
    t = table(west_head, "unit")
    assert [r.key for r in t.rows] == [county.west.pk]
    assert t.totals.figures["campaign_survey_score"] == Mean(5, 2)  # not the county-wide campaign
    assert t.totals.figures["all_survey_score"] == Mean(7, 3)


def test_without_campaign_answers_the_page_says_so_and_defines_both_kinds(month, users, client):
    t = table(users["manager"], "unit")
    assert not t.available["campaign_survey_score"] and t.available["all_survey_score"]
    client.force_login(users["manager"])
    html = client.get(reverse("analytics:quality"), {"by": "unit"}).content.decode()
    for code in ("survey_score", "campaign_survey_score", "all_survey_score"):
        m = measures.MEASURES[code]
        assert str(m.label) in html and str(m.definition) in html
    assert str(measures.MEASURES["campaign_survey_score"].missing) in html
