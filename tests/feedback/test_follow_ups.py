"""The follow-up task list (mine / my unit), its close action, and the API."""

from __future__ import annotations

import pytest

from powerdesk.feedback import services
from powerdesk.feedback.models import FollowUpTask
from powerdesk.workorders import services as s
from powerdesk.workorders.choices import Satisfaction
from tests.api.conftest import client_for
from tests.feedback.conftest import at, local

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(replied, users):
    with at(local(2, 10)):
        s.workorder_callback(
            order=replied, actor=users["callback"], satisfaction=Satisfaction.BASIC, resolved=False
        )
    return FollowUpTask.objects.get()


def test_the_handler_sees_the_task_as_theirs_and_the_station_as_its_units(client, task, users):
    assert task.owner == users["repair"]
    client.force_login(users["repair"])
    assert task.order.number in client.get("/feedback/follow-ups/?scope=mine").content.decode()
    assert task.order.number in client.get("/feedback/follow-ups/?scope=unit").content.decode()
    client.force_login(users["west_repair"])  # another station: neither theirs nor their unit's
    assert task.order.number not in client.get("/feedback/follow-ups/?scope=all").content.decode()


def test_closing_needs_a_result_and_then_closes_once(client, task, users):
    client.force_login(users["repair"])
    empty = client.post(f"/feedback/follow-ups/{task.pk}/close/", {"note": ""}, follow=True)
    assert "请填写处理结果。" in empty.content.decode()
    assert FollowUpTask.objects.get().state == "open"
    client.post(f"/feedback/follow-ups/{task.pk}/close/", {"note": "已上门复查，客户认可"})
    closed = FollowUpTask.objects.get()
    assert closed.state == "closed" and closed.closed_by == users["repair"] and closed.closing_note


def test_another_stations_user_cannot_close_it(client, task, users):
    client.force_login(users["west_repair"])
    assert client.post(f"/feedback/follow-ups/{task.pk}/close/", {"note": "x"}).status_code == 404
    assert FollowUpTask.objects.get().state == "open"


def test_the_api_lists_and_closes_and_a_retry_is_harmless(task, users):
    api = client_for(users["repair"])
    listed = api.get("/api/v1/follow-ups/?scope=mine").json()
    assert [t["order"] for t in listed["results"]] == [task.order.number]
    bad = api.post(f"/api/v1/follow-ups/{task.pk}/close/", {}, format="json")
    assert bad.status_code == 400 and bad.json()["error"]["fields"]["note"]
    first = api.post(f"/api/v1/follow-ups/{task.pk}/close/", {"note": "已解决"}, format="json")
    again = api.post(f"/api/v1/follow-ups/{task.pk}/close/", {"note": "已解决"}, format="json")
    assert first.status_code == again.status_code == 200 and again.json()["state"] == "closed"
    other = api.post(f"/api/v1/follow-ups/{task.pk}/close/", {"note": "另一个结果"}, format="json")
    assert other.status_code == 400 and other.json()["error"]["code"] == "validation_error"
    assert (
        client_for(users["west_repair"])
        .post(f"/api/v1/follow-ups/{task.pk}/close/", {"note": "x"}, format="json")
        .status_code
        == 404
    )


def test_the_service_refuses_an_empty_result(task, users):
    from powerdesk.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        services.follow_up_close(task_id=task.pk, actor=users["repair"], note="  ")
