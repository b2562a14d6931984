"""The copies other apps keep of a closed order's personal data go with it: the survey's number and the
customer's comment, the follow-up task's notes, the triage suggestion's words, the number of a call
under an outage, the complaint's rectification texts. The figures beside them (score, resolved, states,
times) stay."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from powerdesk.complaints.models import Rectification
from powerdesk.feedback.models import FollowUpTask, QuestionSet, SurveyInvitation, SurveyResponse
from powerdesk.outages.models import OutageCall
from powerdesk.outages.services import outage_create
from powerdesk.privacy.rules import REDACTED
from powerdesk.privacy.services import retention_anonymise
from powerdesk.triage.models import TriageRecord
from powerdesk.workorders.choices import Status
from tests.factories import CustomerFactory
from tests.outages.conftest import net  # noqa: F401 - the fixture
from tests.retention.conftest import DAY
from tests.workorders.helpers import intake, walk

pytestmark = pytest.mark.django_db

PERSONAL = ("13812345678", "张三", "和平路8号")


def _copies(order, users, county, customer) -> dict[str, object]:
    """One copy of each kind on ``order``, holding the customer's name, number and address."""
    invitation = SurveyInvitation.objects.filter(order=order).first() or SurveyInvitation.objects.create(
        order=order,
        customer=customer,
        questions=QuestionSet.objects.get(code="order"),
        phone="13812345678",
        nonce="c" * 32,
        created_at=DAY,
        expires_at=DAY + dt.timedelta(days=3),
    )
    SurveyInvitation.objects.filter(pk=invitation.pk).update(phone="13812345678")
    response = SurveyResponse.objects.create(
        invitation=invitation,
        order=order,
        score=2,
        resolved=False,
        comment="我是张三，住和平路8号，电话13812345678，师傅来得太晚",
        created_at=DAY,
    )
    task = FollowUpTask.objects.create(
        order=order,
        unit=county.east,
        reason=FollowUpTask.Reason.LOW_SCORE,
        detail="张三（13812345678）对到达时间不满",
        closing_note="已上门向张三致歉，和平路8号线路已检查",
        due_at=DAY + dt.timedelta(days=2),
        created_at=DAY,
    )
    record = TriageRecord.objects.create(
        at=DAY,
        user=users["agent"],
        text_hash="h",
        suggestion={"topic": {"label": "fault_repair", "words": ["停电", "张三", "和平路8号"]}},
        order=order,
        chosen={"topic": "fault_repair"},
    )
    rectification = Rectification.objects.create(
        order=order,
        unit=county.east,
        owner=users["handler"],
        task="向张三说明和平路8号抢修迟到原因",
        due_date=DAY.date() + dt.timedelta(days=10),
        created_at=DAY,
        result="已联系13812345678回访",
    )
    return {"response": response, "task": task, "record": record, "rectification": rectification}


def _texts(copies: dict[str, object]) -> str:
    response = SurveyResponse.objects.get(pk=copies["response"].pk)
    task = FollowUpTask.objects.get(pk=copies["task"].pk)
    record = TriageRecord.objects.get(pk=copies["record"].pk)
    rectification = Rectification.objects.get(pk=copies["rectification"].pk)
    invitation = response.invitation
    return " ".join(
        map(
            str,
            [
                invitation.phone,
                response.comment,
                task.detail,
                task.closing_note,
                record.suggestion,
                rectification.task,
                rectification.result,
            ],
        )
    )


def test_the_copies_of_an_expired_order_lose_the_person_and_keep_the_figures(
    users, county, closed_order, later
):
    customer = CustomerFactory(area=county.east_area, name="张三", phone="13812345678", address="和平路8号")
    with time_machine.travel(DAY, tick=False):
        order = closed_order(customer)
        copies = _copies(order, users, county, customer)
    assert all(value in _texts(copies) for value in PERSONAL)

    report = retention_anonymise()

    assert report.copies >= 5
    texts = _texts(copies)
    assert not any(value in texts for value in PERSONAL), texts
    assert REDACTED in texts and "师傅来得太晚" in texts  # the words stay, the person goes
    response = SurveyResponse.objects.get(pk=copies["response"].pk)
    assert (response.score, response.resolved) == (2, False)
    record = TriageRecord.objects.get(pk=copies["record"].pk)
    assert (
        record.suggestion["topic"]["label"] == "fault_repair"
        and "停电" in record.suggestion["topic"]["words"]
    )


def test_the_copies_of_an_order_not_yet_expired_are_kept(users, county, closed_order):
    customer = CustomerFactory(area=county.east_area, name="张三", phone="13812345678", address="和平路8号")
    with time_machine.travel(DAY, tick=False):
        order = closed_order(customer)
        copies = _copies(order, users, county, customer)
    with time_machine.travel(DAY + dt.timedelta(days=30), tick=False):
        retention_anonymise()
    assert all(value in _texts(copies) for value in PERSONAL)


def test_the_number_of_a_call_under_an_outage_goes_with_its_order(users, county, net, later):  # noqa: F811
    with time_machine.travel(DAY, tick=False):
        outage = outage_create(
            actor=users["dispatcher"], kind="fault", title="熔断器跳闸", devices=[net["FU"]]
        )
        order = intake(users, net.customers["home"], description="家里停电了")  # linked: its call recorded
        call = OutageCall.objects.get(outage=outage)
        assert call.phone and call.contact.order_id == order.pk
        walk(order, users, county, Status.ARCHIVED)

    retention_anonymise()

    call.refresh_from_db()
    assert call.phone == "" and (call.outage_id, call.at) == (outage.pk, DAY)
