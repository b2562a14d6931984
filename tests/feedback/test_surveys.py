"""The survey after closure: one signed, expiring, single-use link per order, sent by SMS; its answer lands
on the order; a low score opens a follow-up task; a forged, expired or used link stores nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import signing

from powerdesk.feedback import services
from powerdesk.feedback.models import FollowUpTask, SurveyInvitation, SurveyOptOut, SurveyResponse
from powerdesk.notify.models import Notification
from powerdesk.workorders import services as s
from powerdesk.workorders.choices import Satisfaction, Status
from powerdesk.workorders.models import WorkOrderEvent
from tests.feedback.conftest import at, local
from tests.workorders.helpers import events_of, walk

pytestmark = pytest.mark.django_db


@pytest.fixture
def archived(replied, users, county):
    with at(local(2, 10)):
        return walk(replied, users, county, Status.ARCHIVED)


def token_of(invitation: SurveyInvitation) -> str:
    return services.survey_url(invitation).rsplit("/s/", 1)[1].rstrip("/")


def test_archiving_sends_one_survey_link_by_sms_to_the_caller(archived, settings):
    invitation = SurveyInvitation.objects.get(order=archived)
    assert invitation.questions.code == "outage"  # a fault repair asks whether the restoration time was right
    assert invitation.expires_at - invitation.created_at == dt.timedelta(hours=72)
    # The closure message to the caller carries the link: one SMS, not a second one of the survey's own.
    [sms] = Notification.objects.filter(order=archived, context__survey_url__isnull=False)
    assert sms.template.code == "customer_closed"
    assert sms.recipient_address == "13812345678" and sms.channel == "sms"
    assert sms.context["survey_url"].startswith(settings.POWERDESK_PUBLIC_BASE_URL.rstrip("/") + "/p/s/")
    assert not Notification.objects.filter(order=archived, template__code="feedback_survey").exists()
    assert events_of(archived)[-1].data["survey_invited"] is True


def test_without_a_closure_message_the_survey_goes_by_its_own_sms(replied, users, county, settings):
    from powerdesk.core import refcache
    from powerdesk.notify.models import CustomerMessageRule

    for rule in CustomerMessageRule.objects.filter(step="closed"):
        rule.is_active = False
        rule.save()
    refcache.clear()
    with at(local(2, 10)):
        archived = walk(replied, users, county, Status.ARCHIVED)
    sms = Notification.objects.get(order=archived, template__code="feedback_survey")
    assert sms.recipient_address == "13812345678"
    assert sms.context["survey_url"].startswith(settings.POWERDESK_PUBLIC_BASE_URL.rstrip("/") + "/p/s/")


def test_the_link_is_built_on_the_public_base_url(archived, settings):
    settings.POWERDESK_PUBLIC_BASE_URL = "https://95598.example.cn/"
    url = services.survey_url(SurveyInvitation.objects.get(order=archived))
    assert url.startswith("https://95598.example.cn/p/s/")


def test_a_customer_who_opted_out_gets_no_survey(replied, users, county, customer):
    SurveyOptOut.objects.create(customer=customer, created_at=local(1, 9))
    with at(local(2, 10)):
        walk(replied, users, county, Status.ARCHIVED)
    assert not SurveyInvitation.objects.exists()


def test_a_reopened_and_archived_again_order_is_surveyed_once(archived, users, county):
    with at(local(3, 10)):
        order = s.workorder_reopen(order=archived, actor=users["callback"], reason="客户再次来电")
        walk(order, users, county, Status.ARCHIVED)
    assert SurveyInvitation.objects.filter(order=archived).count() == 1


def test_the_page_asks_the_sets_questions_and_stores_the_answer_on_the_order(client, archived):
    token = token_of(SurveyInvitation.objects.get(order=archived))
    with at(local(2, 12)):
        page = client.get(f"/p/s/{token}/")
        assert page.status_code == 200
        html = page.content.decode()
        assert "复电时间" in html and 'name="comment"' not in html
        answer = client.post(f"/p/s/{token}/", {"score": "4", "resolved": "yes", "restoration_right": "no"})
    assert answer.status_code == 200 and "感谢您的评价" in answer.content.decode()
    response = SurveyResponse.objects.get(order=archived)
    assert (response.score, response.resolved, response.restoration_right) == (4, True, False)
    event = WorkOrderEvent.objects.filter(order=archived, kind="survey_answered").get()
    assert event.data["score"] == 4 and event.data["follow_up"] is False
    assert not FollowUpTask.objects.exists()


def test_a_low_score_opens_a_follow_up_task(archived):
    token = token_of(SurveyInvitation.objects.get(order=archived))
    with at(local(2, 12)):
        services.survey_answer(token=token, score=2, resolved=False, restoration_right=True)
    task = FollowUpTask.objects.get(order=archived)
    assert task.reason == "low_score" and task.state == "open"


def test_a_missing_answer_is_a_field_error_in_chinese_and_nothing_is_stored(client, archived):
    token = token_of(SurveyInvitation.objects.get(order=archived))
    with at(local(2, 12)):
        page = client.post(f"/p/s/{token}/", {"resolved": "yes"})
    assert page.status_code == 200 and "请选择评分。" in page.content.decode()
    assert not SurveyResponse.objects.exists()


def test_a_used_link_is_refused_with_a_clear_page_and_nothing_more_is_stored(client, archived):
    token = token_of(SurveyInvitation.objects.get(order=archived))
    with at(local(2, 12)):
        client.post(f"/p/s/{token}/", {"score": "5", "resolved": "yes", "restoration_right": "yes"})
        again = client.post(f"/p/s/{token}/", {"score": "1", "resolved": "no", "restoration_right": "no"})
    assert again.status_code == 410 and "只能使用一次" in again.content.decode()
    assert SurveyResponse.objects.get().score == 5
    assert not FollowUpTask.objects.exists()
    with pytest.raises(services.SurveyLinkInvalid) as refused:
        services.survey_answer(token=token, score=1)
    assert refused.value.reason == "used"


def test_an_expired_link_is_refused_and_nothing_is_stored(client, archived):
    invitation = SurveyInvitation.objects.get(order=archived)
    token = token_of(invitation)
    with at(invitation.expires_at + dt.timedelta(seconds=1)):
        page = client.get(f"/p/s/{token}/")
        post = client.post(f"/p/s/{token}/", {"score": "1", "resolved": "no", "restoration_right": "no"})
    assert page.status_code == post.status_code == 410
    assert "已过有效期" in post.content.decode()
    assert not SurveyResponse.objects.exists() and not FollowUpTask.objects.exists()
    assert not WorkOrderEvent.objects.filter(kind="survey_answered").exists()


@pytest.mark.parametrize(
    "forge",
    [
        lambda token, inv: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),  # the signature broken
        lambda token, inv: signing.dumps(
            {"i": inv.pk, "n": "0" * 32}, salt=services.SURVEY_SALT
        ),  # wrong nonce
        lambda token, inv: signing.dumps({"i": inv.pk, "n": inv.nonce}, salt="another"),  # another salt
        lambda token, inv: "not-a-token",
    ],
)
def test_a_forged_link_is_refused_and_nothing_is_stored(client, archived, forge):
    invitation = SurveyInvitation.objects.get(order=archived)
    forged = forge(token_of(invitation), invitation)
    with at(local(2, 12)):
        post = client.post(f"/p/s/{forged}/", {"score": "1", "resolved": "no", "restoration_right": "no"})
    assert post.status_code == 400 and "链接无效" in post.content.decode()
    assert not SurveyResponse.objects.exists() and not FollowUpTask.objects.exists()
    assert SurveyInvitation.objects.get().used_at is None


def test_the_public_page_is_throttled_per_address(client, archived, settings):
    settings.POWERDESK_PUBLIC_RATE = 3
    token = token_of(SurveyInvitation.objects.get(order=archived))
    with at(local(2, 12)):
        codes = [client.get(f"/p/s/{token}/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    with at(local(2, 12, 1)):  # the next minute
        assert client.get(f"/p/s/{token}/").status_code == 200


def test_the_results_show_on_the_order_page_and_in_the_api(client, archived, users):
    from tests.api.conftest import client_for

    token = token_of(SurveyInvitation.objects.get(order=archived))
    with at(local(2, 12)):
        services.survey_answer(token=token, score=3, resolved=True, restoration_right=True)
    client.force_login(users["callback"])
    page = client.get(f"/orders/{archived.number}/").content.decode()
    assert "满意度调查" in page and "3 / 5" in page
    body = client_for(users["callback"]).get(f"/api/v1/workorders/{archived.number}/").json()
    assert body["survey"]["score"] == 3 and body["survey"]["restoration_right"] is True
    listed = client_for(users["callback"]).get("/api/v1/surveys/").json()
    assert [r["order"] for r in listed["results"]] == [archived.number]


def test_an_unreachable_order_is_archived_as_such_and_still_surveyed(replied, users):
    for hour in (9, 13, 19):
        with at(local(2, hour)):
            order = s.workorder_callback(
                order=replied, actor=users["callback"], satisfaction=Satisfaction.UNREACHABLE
            )
    with at(local(2, 20)):
        order = s.workorder_archive(order=order, actor=users["callback"])
    assert order.status == Status.ARCHIVED and SurveyInvitation.objects.filter(order=order).exists()


def test_the_customer_page_shows_the_answers_and_the_opt_out(client, archived, users, customer):
    token = token_of(SurveyInvitation.objects.get(order=archived))
    with at(local(2, 12)):
        services.survey_answer(token=token, score=2, resolved=False, restoration_right=True)
    SurveyOptOut.objects.create(customer=customer, created_at=local(3, 9))
    client.force_login(users["callback"])
    page = client.get(f"/customers/id/{customer.pk}/").content.decode()
    assert "表示不接受调查" in page and archived.number in page
