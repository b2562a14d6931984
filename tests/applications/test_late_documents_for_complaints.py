"""一次性告知: the reason for a 补件 request outside the list told at acceptance is there for whoever handles
a complaint of that customer — on the complaint's order page and its judgment page (the order's
``complaint`` panel slot, filled by this app: workorders and complaints never import it)."""

from __future__ import annotations

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from powerdesk.applications import selectors
from powerdesk.applications.models import DocumentType
from powerdesk.applications.services import application_document_request
from powerdesk.workorders import extensions as ext
from powerdesk.workorders import services as s
from powerdesk.workorders.models import SubType, WorkOrder
from tests.applications.conftest import at
from tests.factories import topic

pytestmark = pytest.mark.django_db

REASON = "现场发现客户新增电采暖设备，需核定负荷"
SECTION = 'id="late-document-requests"'


def complaint(users, county, customer) -> WorkOrder:
    with time_machine.travel(at(2026, 11, 20), tick=False):
        order = s.workorder_intake(
            actor=users["agent"],
            business_type="complaint",
            sub_type=SubType.objects.get(code="complaint_attitude"),
            topic=topic("business_env"),
            channel="95598",
            description="报装时资料一次次要，跑了好几趟",
            customer=customer,
            caller_phone="13812345678",
            force_new=True,
            override_reason="投诉",
        ).order
        return s.workorder_dispatch(order=order, actor=users["dispatcher"], unit=county.east)


@pytest.fixture
def asked(start, users):
    """A 低压居民新装 whose handler asked for the ID card again (on the list) and, with a reason, for a load
    list (not on it)."""
    application = start("lv_resident", when=at(2026, 11, 16))
    with time_machine.travel(at(2026, 11, 17, 9, 30), tick=False):
        application_document_request(
            application=application, actor=users["handler"], document=DocumentType.objects.get(code="id_card")
        )
        application_document_request(
            application=application,
            actor=users["handler"],
            document=DocumentType.objects.get(code="load_list"),
            reason=REASON,
        )
    return application


def page(user, url: str) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_complaint_order_page_shows_the_late_request_with_its_reason_who_and_when(
    asked, users, county, customer
):
    order = complaint(users, county, customer)
    html = page(users["handler"], reverse("workorders:detail", args=[order.number]))
    assert SECTION in html
    section = html.split(SECTION, 1)[1].split("</section>", 1)[0]
    assert REASON in section and "用电设备清单" in section
    assert users["handler"].display_name in section and "2026-11-17 09:30" in section
    assert asked.order.number in section  # a link to the application's order
    assert "申请人有效身份证明" not in section  # asked again, but it was on the list


def test_the_judgment_page_shows_it_too(asked, users, county, customer):
    order = complaint(users, county, customer)
    html = page(users["handler"], reverse("complaints:judge", args=[order.number]))
    assert SECTION in html and REASON in html


def test_nothing_is_shown_on_a_complaint_of_another_customer_or_on_an_order_that_is_no_complaint(
    asked, users, county, west_customer
):
    other = complaint(users, county, west_customer)
    assert SECTION not in page(users["handler"], reverse("workorders:detail", args=[other.number]))
    own = page(users["handler"], reverse("workorders:detail", args=[asked.order.number]))
    assert SECTION not in own and REASON in own  # the application's own panel lists it already


def test_only_applications_the_reader_sees_are_read(asked, users, customer):
    assert [r.reason for r in selectors.late_document_requests(users["handler"], customer.pk)] == [REASON]
    assert selectors.late_document_requests(users["west_repair"], customer.pk) == []


def test_the_panel_is_registered_in_the_complaint_slot():
    assert ext.order_panels.get("applications.late_documents").slot == "complaint"


def test_the_api_order_detail_of_a_complaint_carries_them(asked, users, county, customer):
    from tests.api.conftest import client_for

    order = complaint(users, county, customer)
    api = client_for(users["handler"])
    body = api.get(reverse("api-v1-workorder-detail", args=[order.number])).json()
    [late] = body["late_document_requests"]
    assert late["number"] == asked.order.number and late["document"] == "load_list"
    assert late["reason"] == REASON and late["requested_by"] == users["handler"].username
    own = api.get(reverse("api-v1-workorder-detail", args=[asked.order.number])).json()
    assert own["late_document_requests"] is None
