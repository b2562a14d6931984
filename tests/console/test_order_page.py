"""The order page: header, customer card, readable timeline, related orders, clocks, attachments."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from powerdesk.workorders import services as s
from powerdesk.workorders.models import Attachment
from tests.console.conftest import intake

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_the_order_page_shows_the_order_and_its_customer(login, users, customer, order):
    body = login(users["agent"]).get(reverse("workorders:detail", args=[order.number])).content.decode()
    for text in (
        order.number,
        "已受理",
        "故障报修",
        "故障抢修",
        "95598电话",
        "整栋楼停电",
        customer.name,
        reverse("customers:detail", args=[customer.account_no]),
        "青溪县供电公司",
    ):
        assert text in body, text


def test_the_timeline_renders_changes_with_labels_and_names(login, users, county, order):
    dispatched = s.workorder_dispatch(
        order=order,
        actor=users["dispatcher"],
        unit=county.east,
        assignee=users["repair"],
        note="优先处理",
        expected_version=order.version,
    )
    s.workorder_escalate(order=dispatched, actor=users["manager"], reason="客户多次来电")
    response = login(users["agent"]).get(reverse("workorders:detail", args=[order.number]))
    dispatch_row = next(r for r in response.context["timeline"] if r.event.kind == "dispatch")
    changes = {c.label: (c.before, c.after) for c in dispatch_row.changes}
    assert changes["处理单位"] == ("青溪县供电公司", "东桥供电所")
    assert changes["处理人"] == ("—", users["repair"].display_name)
    escalate_row = next(r for r in response.context["timeline"] if r.event.kind == "escalate")
    changes = {c.label: (c.before, c.after) for c in escalate_row.changes}
    assert changes["紧急程度"] == ("一般", "较急") and changes["重点关注"] == ("否", "是")
    body = response.content.decode()
    assert "优先处理" in body and "客户多次来电" in body and "已派单" in body


def test_the_page_links_a_merged_order_and_its_parent(login, users, customer, order):
    child = intake(
        users["agent"], customer, topic_code="billing", business_type="consultation", description="问电费"
    )
    s.workorder_merge(order=child, actor=users["agent"], parent=order, expected_version=child.version)
    client = login(users["agent"])
    parent_page = client.get(reverse("workorders:detail", args=[order.number])).content.decode()
    child_page = client.get(reverse("workorders:detail", args=[child.number])).content.decode()
    assert reverse("workorders:detail", args=[child.number]) in parent_page
    assert reverse("workorders:detail", args=[order.number]) in child_page
    assert "已合并" in child_page


def test_an_attachment_is_uploaded_listed_and_downloaded(login, users, order, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = login(users["agent"])
    upload = SimpleUploadedFile("现场.png", PNG, content_type="image/png")
    response = client.post(
        reverse("workorders:attachment_add", args=[order.number]),
        {"kind": "photo", "file": upload},
        follow=True,
    )
    attachment = Attachment.objects.get()
    assert "已上传附件 现场.png。" in response.content.decode()
    download = client.get(reverse("workorders:attachment", args=[order.number, attachment.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PNG


def test_a_double_submitted_upload_stores_the_file_once(login, users, order, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = login(users["agent"])
    url = reverse("workorders:attachment_add", args=[order.number])
    for _ in range(2):
        upload = SimpleUploadedFile("现场.png", PNG, content_type="image/png")
        assert (
            client.post(url, {"kind": "photo", "file": upload, "request_id": "upload-1"}).status_code == 302
        )
    assert Attachment.objects.count() == 1


def test_a_wrong_file_type_is_shown_beside_the_file_field(login, users, order, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("evil.png", b"MZ\x90\x00 not a png", content_type="image/png")
    response = login(users["agent"]).post(
        reverse("workorders:attachment_add", args=[order.number]), {"kind": "photo", "file": upload}
    )
    assert response.status_code == 200
    assert response.context["attachment_form"].errors["file"] == ["文件内容与扩展名不符。"]
    assert not Attachment.objects.exists()


def test_a_role_without_notes_may_not_upload(login, users, order, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("a.png", PNG, content_type="image/png")
    response = login(users["norole"]).post(
        reverse("workorders:attachment_add", args=[order.number]), {"kind": "photo", "file": upload}
    )
    assert response.status_code == 403


def test_the_home_page_counts_the_users_queues(login, users, county, customer, order):
    s.workorder_escalate(order=order, actor=users["manager"], reason="重点")
    response = login(users["agent"]).get(reverse("home"))
    assert response.context["counts"] == {"mine": 1, "unit": 1, "flagged": 1, "overdue": 0}
    assert order.number in response.content.decode()
