"""Survey campaigns: the target group, sending in batches by a job with progress, the opt-out and the
frequency cap."""

from __future__ import annotations

import pytest

from powerdesk.customers.models import CustomerType
from powerdesk.feedback import campaigns, services
from powerdesk.feedback.models import (
    FeedbackPolicy,
    QuestionSet,
    SurveyCampaign,
    SurveyInvitation,
    SurveyOptOut,
)
from powerdesk.feedback.tasks import send_campaign_batch
from powerdesk.notify.models import CustomerOptOut, Notification
from tests.factories import CustomerFactory
from tests.feedback.conftest import at, jobs, local

pytestmark = pytest.mark.django_db


@pytest.fixture
def group(county):
    east = [
        CustomerFactory(
            area=county.east_area, phone=f"1380000000{i}", customer_type=CustomerType.URBAN_RESIDENT
        )
        for i in range(5)
    ]
    CustomerFactory(area=county.east_area, phone="13900000009", customer_type=CustomerType.COMMERCIAL)
    CustomerFactory(area=county.west_area, phone="13700000007", customer_type=CustomerType.URBAN_RESIDENT)
    return east


def make(users, county, **kwargs):
    with at(local(2, 9)):
        return campaigns.campaign_create(
            actor=users["manager"],
            name="2026年第四季度客户满意度调查",
            unit=county.east,
            questions=QuestionSet.objects.get(code="relationship"),
            starts_on=local(1, 0).date(),
            ends_on=local(30, 0).date(),
            customer_type=kwargs.get("customer_type", CustomerType.URBAN_RESIDENT),
        )


def run_all_batches() -> int:
    runs = 0
    done = set()
    while True:
        pending = [j for j in jobs(send_campaign_batch.name) if j.id not in done]
        if not pending:
            return runs
        for job in pending:
            done.add(job.id)
            with at(local(2, 10)):
                send_campaign_batch(**job.args)
            runs += 1


def test_the_target_group_is_the_units_subtree_and_the_customer_type(group, users, county):
    campaign = make(users, county)
    assert campaign.targeted == 5
    assert set(campaigns.target_group(campaign)) == set(group)


def test_it_is_sent_in_batches_with_progress_and_once_per_customer(group, users, county):
    policy = FeedbackPolicy.objects.get()
    policy.campaign_batch_size = 2
    policy.save()
    campaign = make(users, county)
    with at(local(2, 9, 30)):
        campaigns.campaign_start(campaign=campaign)
    assert len(jobs(send_campaign_batch.name)) == 1  # the first batch, deferred with the start
    assert run_all_batches() == 3  # 2 + 2 + 1
    campaign.refresh_from_db()
    assert (campaign.state, campaign.sent, campaign.skipped) == ("done", 5, 0)
    assert SurveyInvitation.objects.filter(campaign=campaign).count() == 5
    assert Notification.objects.filter(template__code="feedback_campaign").count() == 5
    with at(local(2, 11)):
        send_campaign_batch(campaign_id=campaign.pk)  # a stray run after the end sends nothing more
    assert SurveyInvitation.objects.filter(campaign=campaign).count() == 5


def test_opted_out_and_recently_surveyed_customers_are_skipped(group, users, county):
    SurveyOptOut.objects.create(customer=group[0], created_at=local(1, 9))
    SurveyInvitation.objects.create(
        customer=group[1],
        questions=QuestionSet.objects.get(code="order"),
        phone="13800000001",
        nonce="x" * 32,
        created_at=local(1, 9),
        expires_at=local(4, 9),
    )
    campaign = make(users, county)
    with at(local(2, 9, 30)):
        campaigns.campaign_start(campaign=campaign)
    run_all_batches()
    campaign.refresh_from_db()
    assert (campaign.sent, campaign.skipped) == (3, 2)
    invited = set(SurveyInvitation.objects.filter(campaign=campaign).values_list("customer_id", flat=True))
    assert invited == {c.pk for c in group[2:]}


def test_a_customer_who_opted_out_of_sms_is_skipped_and_the_rest_wait_for_the_quiet_hours_end(
    group, users, county
):
    CustomerOptOut.objects.create(customer=group[0], channel="sms", created_at=local(1, 9))
    CustomerOptOut.objects.create(customer=group[1], channel="email", created_at=local(1, 9))
    campaign = make(users, county)
    with at(local(2, 22, 30)):  # the seeded quiet hours: 21:00–08:00
        campaigns.campaign_start(campaign=campaign)
        send_campaign_batch(campaign_id=campaign.pk)
    campaign.refresh_from_db()
    assert (campaign.sent, campaign.skipped) == (4, 1)
    invited = set(SurveyInvitation.objects.filter(campaign=campaign).values_list("customer_id", flat=True))
    assert invited == {c.pk for c in group[1:]}
    sent = Notification.objects.filter(template__code="feedback_campaign")
    assert {n.customer_id for n in sent} == invited
    assert {n.send_after for n in sent} == {local(3, 8)}


def test_a_campaign_answer_is_stored_with_the_rest(group, users, county):
    campaign = make(users, county)
    with at(local(2, 9, 30)):
        campaigns.campaign_start(campaign=campaign)
    run_all_batches()
    invitation = SurveyInvitation.objects.filter(campaign=campaign).first()
    token = services.survey_url(invitation).rsplit("/s/", 1)[1].rstrip("/")
    with at(local(2, 12)):
        response = services.survey_answer(token=token, score=5, comment="抢修很及时")
    assert response.campaign == campaign and response.order is None and response.resolved is None


def test_in_english_the_seeded_question_sets_are_named_in_english(client, users, county, settings):
    campaign = make(users, county)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(users["manager"])
    listing = client.get("/feedback/campaigns/").content.decode()
    assert "Customer relationship survey" in listing and "客户关系调查" not in listing
    detail = client.get(f"/feedback/campaigns/{campaign.pk}/").content.decode()
    assert "Customer relationship survey" in detail and "客户关系调查" not in detail


def test_only_a_manager_creates_and_starts_one_and_everyone_sees_progress(client, group, users, county):
    client.force_login(users["agent"])
    assert client.post("/feedback/campaigns/", {"name": "x"}).status_code == 403
    client.force_login(users["manager"])
    created = client.post(
        "/feedback/campaigns/",
        {
            "name": "营业厅服务调查",
            "unit": county.east.pk,
            "customer_type": "",
            "questions": QuestionSet.objects.get(code="relationship").pk,
            "starts_on": "2026-11-01",
            "ends_on": "2026-11-30",
        },
    )
    campaign = SurveyCampaign.objects.get()
    assert created.status_code == 302 and campaign.targeted == 6
    with at(local(2, 9)):
        assert client.post(f"/feedback/campaigns/{campaign.pk}/").status_code == 302
    assert SurveyCampaign.objects.get().state == "sending"
    assert "进度" in client.get(f"/feedback/campaigns/{campaign.pk}/").content.decode()


def test_the_end_before_the_start_is_a_field_error(client, users, county):
    client.force_login(users["manager"])
    page = client.post(
        "/feedback/campaigns/",
        {
            "name": "x",
            "unit": county.east.pk,
            "questions": QuestionSet.objects.get(code="relationship").pk,
            "starts_on": "2026-11-30",
            "ends_on": "2026-11-01",
        },
    )
    assert page.status_code == 200 and "结束日期不能早于开始日期。" in page.content.decode()
    assert not SurveyCampaign.objects.exists()
