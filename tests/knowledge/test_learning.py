"""以案普法: assigning a published case to a unit or a role, who it reaches, confirming once, the
manager's view per unit and its scope, the home page, the API, and a rectification that requires an
assignment before it closes."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse

from powerdesk.audit.models import AuditEntry
from powerdesk.complaints import services as complaint_services
from powerdesk.complaints.models import Rectification
from powerdesk.core import clock
from powerdesk.core.errors import NotFound, NotPermitted, ValidationFailed
from powerdesk.knowledge import learning, learning_selectors, rules, services
from powerdesk.knowledge.models import LearningAssignment, LearningRecipient
from powerdesk.notify.models import Notification
from powerdesk.org.models import Role, UnitHead
from powerdesk.workorders.models import WorkOrderEvent
from tests.api.conftest import client_for
from tests.complaints.conftest import make_complaint  # noqa: F401 (a fixture)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ALL_MET = {"our_staff": "yes", "attitude": "yes", "within_period": "yes", "company_side": "yes"}


def _due(days: int = 7) -> dt.date:
    return clock.local_date() + dt.timedelta(days=days)


def _names(assignment: LearningAssignment) -> set[str]:
    return set(assignment.recipients.values_list("user__username", flat=True))


@pytest.fixture
def case_v1(published):
    return published("夜间抢修未说明产权分界点")


def assign(actor, version, **kwargs) -> LearningAssignment:
    kwargs.setdefault("due_date", _due())
    return learning.assignment_create(actor=actor, version=version, **kwargs)


# --- who an assignment reaches ---------------------------------------------------------------------------


def test_a_unit_with_its_subunits_reaches_everyone_below_it_and_without_only_its_own_staff(
    users, county, case_v1
):
    below = assign(users["manager"], case_v1, unit=county.county, include_subunits=True)
    active = {u.username for u in users.values()}
    assert _names(below) == active
    own = assign(users["manager"], case_v1, unit=county.county, include_subunits=False)
    assert _names(own) == {"agent", "dispatcher", "callback", "manager", "norole"}
    east = assign(users["manager"], case_v1, unit=county.east, include_subunits=False)
    assert _names(east) == {"repair", "handler"}
    # Each person is recorded with their unit at the time (the manager's view groups by it).
    assert set(east.recipients.values_list("unit_id", flat=True)) == {county.east.pk}


def test_a_role_reaches_its_staff_and_a_role_within_a_unit_only_there(users, county, case_v1):
    repair = Role.objects.get(code="repair")
    assert _names(assign(users["manager"], case_v1, role=repair)) == {"repair", "west_repair"}
    both = assign(users["manager"], case_v1, role=repair, unit=county.west)
    assert _names(both) == {"west_repair"}


def test_people_joining_the_unit_later_are_not_added_and_inactive_staff_are_left_out(users, county, case_v1):
    UserFactory.with_role("repair", county.east, username="retired_repair", is_active=False)
    assignment = assign(users["manager"], case_v1, unit=county.east)
    assert "retired_repair" not in _names(assignment)
    UserFactory.with_role("repair", county.east, username="newcomer")
    assert "newcomer" not in _names(assignment)


def test_refusals_say_why(users, county, case_v1, make_case):
    with pytest.raises(NotPermitted):
        assign(users["handler"], case_v1, unit=county.east)
    with pytest.raises(ValidationFailed) as draft:
        assign(users["manager"], make_case("还在草稿"), unit=county.east)
    assert "version" in draft.value.fields
    with pytest.raises(ValidationFailed) as nobody:
        assign(users["manager"], case_v1)
    assert "unit" in nobody.value.fields
    with pytest.raises(ValidationFailed) as past:
        assign(users["manager"], case_v1, unit=county.east, due_date=_due(-1))
    assert "due_date" in past.value.fields
    with pytest.raises(ValidationFailed) as empty:
        assign(users["manager"], case_v1, unit=county.west_area)
    assert "unit" in empty.value.fields
    assert not LearningAssignment.objects.exists()


def test_an_assignment_reaches_nobody_outside_the_assigners_units(users, county, case_v1):
    """A station head allowed to assign (a role given the right) reaches only their own station."""
    from powerdesk.knowledge.models import CaseRight

    CaseRight.objects.update_or_create(role=Role.objects.get(code="handler"), defaults={"may_assign": True})
    head = users["handler"]  # at the east station, scope: subtree
    repair = Role.objects.get(code="repair")
    assert _names(assign(head, case_v1, role=repair)) == {"repair"}
    with pytest.raises(ValidationFailed):
        assign(head, case_v1, unit=county.west)


def test_the_same_form_posted_twice_makes_one_assignment(users, county, case_v1):
    first = assign(users["manager"], case_v1, unit=county.east, request_id="form-1")
    again = assign(users["manager"], case_v1, unit=county.east, request_id="form-1")
    assert first.pk == again.pk and LearningAssignment.objects.count() == 1


# --- telling, recording, confirming ----------------------------------------------------------------------


def test_assigning_tells_each_person_with_a_phone_and_records_an_audit_entry(users, county, case_v1):
    users["repair"].phone = "13711112222"
    users["repair"].save()
    assignment = assign(users["manager"], case_v1, unit=county.east)
    sent = Notification.objects.filter(template__code="learning_assigned")
    assert list(sent.values_list("recipient_user__username", "recipient_address")) == [
        ("repair", "13711112222")
    ]
    assert sent.get().dedupe_key == f"learning:{assignment.pk}:{users['repair'].pk}"
    entry = AuditEntry.objects.get(kind="learning_assigned")
    assert entry.actor == users["manager"] and entry.data["recipients"] == 2
    assert entry.data["case"] == case_v1.case_id and entry.data["version"] == 1


def test_confirming_is_recorded_once_and_confirms_the_version_assigned(
    users, county, case_v1, author, reviewer
):
    assignment = assign(users["manager"], case_v1, unit=county.east)
    revised = services.case_revise(version=case_v1, actor=author)
    services.case_draft_update(version=revised, actor=author, title="新版标题", area=case_v1.area,
                               situation="改写后的经过。")  # fmt: skip
    services.case_step(version=revised, actor=author, step="submit")
    services.case_step(version=revised, actor=reviewer, step="publish")

    first = learning.assignment_confirm(actor=users["repair"], assignment_id=assignment.pk)
    again = learning.assignment_confirm(actor=users["repair"], assignment_id=assignment.pk)
    assert first.confirmed_at is not None and again.confirmed_at == first.confirmed_at
    assert AuditEntry.objects.filter(kind="learning_confirmed").count() == 1
    assignment.refresh_from_db()
    assert assignment.version_id == case_v1.pk
    assert AuditEntry.objects.get(kind="learning_confirmed").data["version"] == 1
    with pytest.raises(NotFound):
        learning.assignment_confirm(actor=users["west_repair"], assignment_id=assignment.pk)


def test_an_assignment_prompted_by_an_order_writes_one_event_on_it(users, county, case_v1, order_on_site):
    order = order_on_site()
    assign(users["manager"], case_v1, unit=county.east, order=order, reason="同类问题再次发生")
    event = WorkOrderEvent.objects.get(order=order, kind="learning_assigned")
    assert event.data["recipients"] == 2 and event.note == "同类问题再次发生"


def test_a_status_is_overdue_only_after_the_due_day():
    day = dt.date(2026, 5, 10)
    assert rules.learning_status(confirmed=False, due_date=day, today=day) == rules.OPEN
    assert rules.learning_status(confirmed=False, due_date=day, today=day + dt.timedelta(days=1)) == (
        rules.OVERDUE
    )
    assert rules.learning_status(confirmed=True, due_date=day, today=day + dt.timedelta(days=9)) == (
        rules.CONFIRMED
    )


# --- the manager's view -----------------------------------------------------------------------------------


def _past_due(assignment: LearningAssignment) -> None:
    LearningAssignment.objects.filter(pk=assignment.pk).update(
        due_date=clock.local_date() - dt.timedelta(days=2)
    )
    assignment.refresh_from_db()


def test_the_manager_sees_per_unit_who_has_and_has_not_confirmed_with_overdue_marked(users, county, case_v1):
    assignment = assign(users["manager"], case_v1, unit=county.county)
    learning.assignment_confirm(actor=users["repair"], assignment_id=assignment.pk)
    _past_due(assignment)
    groups = {g.unit.code: g for g in learning_selectors.progress_by_unit(users["manager"], assignment)}
    assert set(groups) == {"C1", "C1-E", "C1-W"}
    east = groups["C1-E"]
    assert [r.user.username for r in east.confirmed] == ["repair"]
    assert [r.user.username for r in east.pending] == ["handler"] and east.overdue == 1
    overdue = learning_selectors.progress_by_unit(users["manager"], assignment, status=rules.OVERDUE)
    assert sum(len(g.confirmed) for g in overdue) == 0 and sum(g.overdue for g in overdue) == 7
    west_only = learning_selectors.progress_by_unit(users["manager"], assignment, unit=county.west)
    assert [g.unit.code for g in west_only] == ["C1-W"]
    listed = learning_selectors.assignments_followed(users["manager"]).get()
    assert (listed.total, listed.confirmed, listed.overdue) == (8, 1, 7)


def test_a_unit_head_sees_only_their_subtree(users, county, case_v1):
    head = UserFactory.with_role("handler", county.east, username="east_head")
    UnitHead.objects.create(unit=county.east, user=head)
    everywhere = assign(users["manager"], case_v1, unit=county.county)
    west = assign(users["manager"], case_v1, unit=county.west)
    assert learning_selectors.user_follows_learning(head)
    assert not learning_selectors.user_follows_learning(users["repair"])
    followed = {a.pk: a for a in learning_selectors.assignments_followed(head)}
    assert set(followed) == {everywhere.pk}
    assert followed[everywhere.pk].total == 3  # repair, handler and the head, all at the east station
    assert [g.unit.code for g in learning_selectors.progress_by_unit(head, everywhere)] == ["C1-E"]
    assert learning_selectors.assignment_followed(head, west.pk) is None


# --- pages --------------------------------------------------------------------------------------------


def test_the_home_page_lists_open_assignments_and_a_click_confirms(client, users, county, case_v1):
    assignment = assign(users["manager"], case_v1, unit=county.east, reason="加强产权分界告知")
    client.force_login(users["repair"])
    home = client.get(reverse("home")).content.decode()
    assert f'data-learning="{assignment.pk}"' in home and case_v1.title in home
    page = client.get(reverse("knowledge:learning_read", args=[assignment.pk]))
    assert page.status_code == 200 and "客户夜间报修" in page.content.decode()
    response = client.post(reverse("knowledge:learning_confirm", args=[assignment.pk]))
    assert response.status_code == 302
    assert LearningRecipient.objects.get(user=users["repair"]).confirmed_at is not None
    assert f'data-learning="{assignment.pk}"' not in client.get(reverse("home")).content.decode()
    mine = client.get(reverse("knowledge:learning_mine")).content.decode()
    assert "已确认" in mine
    # Someone not named by the assignment reads nothing of it.
    client.force_login(users["west_repair"])
    assert client.get(reverse("knowledge:learning_read", args=[assignment.pk])).status_code == 404
    assert client.post(reverse("knowledge:learning_confirm", args=[assignment.pk])).status_code == 404


def test_the_assignment_form_creates_one_and_shows_errors_in_chinese(client, users, county, case_v1):
    client.force_login(users["manager"])
    url = reverse("knowledge:learning_new")
    assert client.get(url, {"version": case_v1.pk}).status_code == 200
    bad = client.post(url, {"version": "", "due_date": "", "request_id": "k1"})
    assert bad.status_code == 200 and "请填写案例版本编号" in bad.content.decode()
    nobody = client.post(url, {"version": case_v1.pk, "due_date": _due().isoformat(), "request_id": "k1"})
    assert "请选择单位或岗位" in nobody.content.decode()
    data = {
        "version": case_v1.pk,
        "unit": county.east.pk,
        "include_subunits": "on",
        "due_date": _due().isoformat(),
        "request_id": "k2",
    }
    first = client.post(url, data)
    second = client.post(url, data)
    assert first.status_code == second.status_code == 302
    assert LearningAssignment.objects.count() == 1
    client.force_login(users["handler"])
    assert client.get(url).status_code == 403


def test_the_progress_page_filters_and_exports_a_workbook(client, users, county, case_v1):
    from openpyxl import load_workbook

    assignment = assign(users["manager"], case_v1, unit=county.county)
    learning.assignment_confirm(actor=users["handler"], assignment_id=assignment.pk)
    _past_due(assignment)
    client.force_login(users["manager"])
    listing = client.get(reverse("knowledge:learning_manage"), {"overdue": "on"}).content.decode()
    assert f'data-overdue="{assignment.pk}"' in listing
    url = reverse("knowledge:learning_progress", args=[assignment.pk])
    page = client.get(url, {"unit": county.east.pk, "status": "overdue"}).content.decode()
    assert 'data-overdue-user="repair"' in page and "handler" not in page.split("data-totals")[1]
    # The page's 导出 Excel button posts its query, naming the assignment, to the export machinery.
    confirmed = client.get(url, {"status": "confirmed"}).content.decode()
    assert f'name="query" value="status=confirmed&amp;assignment={assignment.pk}"' in confirmed
    start = reverse("exports:start", args=["learning"])
    export = client.post(start, {"query": f"status=confirmed&assignment={assignment.pk}"})
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("单位", "工号", "姓名", "学习情况", "确认时间")
    assert len(rows) == 2 and rows[1][1] == "handler" and rows[1][3] == "已确认"
    assert isinstance(rows[1][4], dt.datetime)
    assert AuditEntry.objects.filter(kind="export", target="knowledge.learningassignment").exists()
    # Filters the page would refuse are refused here too; an assignment not followed is not found.
    exports_before = AuditEntry.objects.filter(kind="export").count()
    bad = client.post(start, {"query": f"status=later&assignment={assignment.pk}"})
    assert bad.status_code == 302 and AuditEntry.objects.filter(kind="export").count() == exports_before
    assert client.post(start, {"query": "assignment=999999"}).status_code == 404
    client.force_login(users["repair"])
    assert client.post(start, {"query": f"assignment={assignment.pk}"}).status_code == 403
    client.force_login(users["repair"])
    assert client.get(url).status_code == 403


# --- the API ---------------------------------------------------------------------------------------------


def test_the_api_lists_mine_and_confirms_idempotently(users, county, case_v1):
    assignment = assign(users["manager"], case_v1, unit=county.east)
    client = client_for(users["repair"])
    listed = client.get(reverse("api-v1-learning-assignments")).json()
    assert [(r["id"], r["status"], r["version"]) for r in listed["results"]] == [(assignment.pk, "open", 1)]
    url = reverse("api-v1-learning-assignment-confirm", args=[assignment.pk])
    first = client.post(url)
    second = client.post(url)
    assert first.status_code == second.status_code == 200
    assert first.json()["confirmed_at"] == second.json()["confirmed_at"] is not None
    assert client.get(reverse("api-v1-learning-assignments"), {"state": "open"}).json()["results"] == []
    bad = client.get(reverse("api-v1-learning-assignments"), {"state": "later"})
    assert bad.status_code == 400 and "error" in bad.json()
    other = client_for(users["west_repair"]).post(url)
    assert other.status_code == 404 and other.json()["error"]["code"]


# --- a rectification that requires learning -------------------------------------------------------------


def test_a_rectification_requiring_learning_closes_only_once_an_assignment_names_it(
    users,
    county,
    case_v1,
    make_complaint,  # noqa: F811
    client,
):
    order = make_complaint()
    complaint_services.complaint_judge(
        order=order,
        actor=users["manager"],
        answers=ALL_MET,
        rectification_task="抢修班组服务用语培训",
        rectification_owner=users["handler"],
        rectification_due=_due(10),
        rectification_learning=True,
    )
    rectification = Rectification.objects.get()
    assert rectification.requires_learning
    with pytest.raises(ValidationFailed) as refused:
        complaint_services.rectification_close(
            rectification=rectification, actor=users["manager"], result="已培训"
        )
    assert "以案普法" in refused.value.message
    client.force_login(users["manager"])
    page = client.get(reverse("complaints:rectifications")).content.decode()
    assert f"{reverse('knowledge:learning_new')}?rectification={rectification.pk}" in page
    order_page = client.get(reverse("workorders:detail", args=[order.number])).content.decode()
    assert f'data-rectification-note="{rectification.pk}"' in order_page

    assignment = assign(users["manager"], case_v1, unit=county.east, rectification=rectification)
    assert assignment.order_id == order.pk  # the rectification's order, by default
    page = client.get(reverse("complaints:rectifications")).content.decode()
    assert "0 / 2" in page
    closed = complaint_services.rectification_close(
        rectification=rectification, actor=users["manager"], result="已培训"
    )
    assert closed.state == "closed"


def test_a_rectification_without_the_requirement_closes_as_before(users, make_complaint):  # noqa: F811
    order = make_complaint()
    complaint_services.complaint_judge(
        order=order,
        actor=users["manager"],
        answers=ALL_MET,
        rectification_task="复核用语规范",
        rectification_owner=users["handler"],
        rectification_due=_due(10),
    )
    rectification = Rectification.objects.get()
    closed = complaint_services.rectification_close(
        rectification=rectification, actor=users["handler"], result="已完成"
    )
    assert closed.state == "closed"


def test_the_judgment_api_asks_for_learning_and_the_close_api_refuses_until_assigned(
    users,
    county,
    case_v1,
    make_complaint,  # noqa: F811
):
    order = make_complaint()
    client = client_for(users["manager"])
    judged = client.post(
        reverse("api-v1-complaint-judgment", args=[order.number]),
        {
            "answers": ALL_MET,
            "rectification_task": "抢修班组服务用语培训",
            "rectification_owner": "handler",
            "rectification_due": _due(10).isoformat(),
            "rectification_learning": True,
        },
        format="json",
    )
    assert judged.status_code == 201, judged.json()
    listed = client.get(reverse("api-v1-rectifications")).json()["results"]
    assert [r["requires_learning"] for r in listed] == [True]
    close = reverse("api-v1-rectification-close", args=[listed[0]["id"]])
    refused = client.post(close, {"result": "已培训"}, format="json")
    assert refused.status_code == 400 and "以案普法" in refused.json()["error"]["message"]
    assign(users["manager"], case_v1, unit=county.east, rectification=Rectification.objects.get())
    assert client.post(close, {"result": "已培训"}, format="json").status_code == 200
