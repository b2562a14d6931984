"""The case pages: who reads, writes and reviews; the order page's panel and the timeline's citation."""

from __future__ import annotations

from django.urls import reverse

from powerdesk.knowledge.models import CaseCitation, CaseState, CaseVersion
from tests.factories import topic


def test_every_console_user_reads_published_cases_but_not_drafts(client, published, make_case, users):
    version, draft = published(), make_case("草稿")
    client.force_login(users["agent"])
    assert client.get(reverse("knowledge:search")).status_code == 200
    assert client.get(reverse("knowledge:detail", args=[version.case_id])).status_code == 200
    assert client.get(reverse("knowledge:detail", args=[draft.case_id])).status_code == 404


def test_only_authors_may_write(client, users):
    client.force_login(users["agent"])
    assert client.get(reverse("knowledge:new")).status_code == 403
    client.force_login(users["handler"])
    assert client.get(reverse("knowledge:new")).status_code == 200


def test_an_author_writes_a_case_with_its_rules_and_criteria(client, users):
    client.force_login(users["handler"])
    answer = client.post(
        reverse("knowledge:new"),
        {
            "title": "催费短信发错号码",
            "area": topic("billing").pk,
            "situation": "客户收到他人的催费短信。",
            "criteria": "不满足：核对联系电话\n满足：及时更正",
            "verdict": "valid",
            "rules": "《供电营业规则》 | 国家发展和改革委员会令 | 2024-06-01",
            "tags": "催费，短信",
        },
    )
    assert answer.status_code == 302
    version = CaseVersion.objects.get(title="催费短信发错号码")
    assert version.state == CaseState.DRAFT and version.tags == ["催费", "短信"]
    assert version.criteria[0] == {"criterion": "核对联系电话", "met": False, "note": ""}
    assert version.rules.get().valid_from.isoformat() == "2024-06-01"


def test_a_bad_form_answers_with_chinese_field_errors(client, users):
    client.force_login(users["handler"])
    answer = client.post(reverse("knowledge:new"), {"title": "", "criteria": "也许：什么"})
    assert answer.status_code == 200
    body = answer.content.decode()
    assert "判定标准格式有误" in body and "该字段是必填项" in body


def test_only_reviewers_see_the_review_queue_and_publish(client, make_case, users, author):
    version = make_case()
    client.force_login(author)
    client.post(reverse("knowledge:step", args=[version.case_id, 1]), {"step": "submit"})
    assert client.get(reverse("knowledge:review")).status_code == 403
    assert (
        client.post(reverse("knowledge:step", args=[version.case_id, 1]), {"step": "publish"}).status_code
        == 403
    )
    client.force_login(users["manager"])
    assert client.get(reverse("knowledge:review")).status_code == 200
    client.post(reverse("knowledge:step", args=[version.case_id, 1]), {"step": "publish"})
    version.refresh_from_db()
    assert version.state == CaseState.PUBLISHED


def test_an_attachment_of_the_wrong_type_is_refused(client, published, users):
    from django.core.files.uploadedfile import SimpleUploadedFile

    version = published()
    client.force_login(users["handler"])
    bad = SimpleUploadedFile("x.png", b"MZ not a png", content_type="image/png")
    answer = client.post(
        reverse("knowledge:attachment_add", args=[version.case_id]), {"kind": "photo", "file": bad}
    )
    assert answer.status_code == 302 and not version.case.attachments.exists()
    good = SimpleUploadedFile("x.png", b"\x89PNG\r\n\x1a\nrest", content_type="image/png")
    client.post(reverse("knowledge:attachment_add", args=[version.case_id]), {"kind": "photo", "file": good})
    assert version.case.attachments.count() == 1


def test_the_order_page_shows_relevant_cases_and_the_cited_version(client, published, users, order_on_site):
    version = published()
    order = order_on_site("电表箱冒烟")
    client.force_login(users["repair"])
    url = reverse("workorders:transition", args=[order.number, "resolve"])
    answer = client.post(
        url, {"result": "已处理", "case": version.pk, "version": order.version, "request_id": "resolve-1"}
    )
    assert answer.status_code == 302
    assert CaseCitation.objects.filter(order=order, version=version).exists()
    client.force_login(users["manager"])
    body = client.get(reverse("workorders:detail", args=[order.number])).content.decode()
    assert "相关案例" in body and version.title in body
    link = reverse("knowledge:version", args=[version.case_id, version.number])
    assert f'<a href="{link}">{version.title}</a>' in body and "引用案例" in body
