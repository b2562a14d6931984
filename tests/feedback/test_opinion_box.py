"""The service hall's 意见簿: a public page per hall, a printable QR code, the entries listed for the
hall's unit."""

from __future__ import annotations

import pytest

from powerdesk.feedback.models import OpinionEntry
from powerdesk.org.models import ServiceHall

pytestmark = pytest.mark.django_db


@pytest.fixture
def hall(county):
    return ServiceHall.objects.create(
        unit=county.east, name="东桥营业厅", address="东桥镇人民路8号", opening_hours="8:30–17:30"
    )


def test_a_customer_leaves_an_opinion_without_signing_in(client, hall):
    page = client.get(f"/p/hall/{hall.pk}/")
    assert page.status_code == 200 and "东桥营业厅" in page.content.decode()
    done = client.post(f"/p/hall/{hall.pk}/", {"text": "排队叫号屏经常不亮", "name": "王先生"})
    assert done.status_code == 200 and "感谢您的留言" in done.content.decode()
    entry = OpinionEntry.objects.get()
    assert entry.hall == hall and entry.text == "排队叫号屏经常不亮"


def test_an_empty_opinion_is_a_field_error_and_nothing_is_stored(client, hall):
    page = client.post(f"/p/hall/{hall.pk}/", {"text": ""})
    assert page.status_code == 200 and "请填写意见内容。" in page.content.decode()
    assert not OpinionEntry.objects.exists()


def test_an_unknown_hall_is_a_clear_404(client):
    page = client.get("/p/hall/999999/")
    assert page.status_code == 404 and "找不到该营业厅" in page.content.decode()


def test_the_qr_page_encodes_the_public_address(client, hall, users, settings):
    settings.POWERDESK_PUBLIC_BASE_URL = "https://fw.example.cn"
    client.force_login(users["manager"])
    page = client.get(f"/feedback/halls/{hall.pk}/qr/").content.decode()
    assert f"https://fw.example.cn/p/hall/{hall.pk}/" in page and "<svg" in page


def test_the_entries_are_listed_for_the_halls_unit_only(client, hall, users, county):
    OpinionEntry.objects.create(hall=hall, text="希望延长周末营业时间", created_at="2026-11-02T10:00+08:00")
    client.force_login(users["repair"])  # at the hall's station
    assert "希望延长周末营业时间" in client.get("/feedback/opinions/").content.decode()
    client.force_login(users["west_repair"])  # another station
    assert "希望延长周末营业时间" not in client.get("/feedback/opinions/").content.decode()
