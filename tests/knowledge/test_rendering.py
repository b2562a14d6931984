"""Case text is Markdown; no HTML an author typed reaches the page."""

from __future__ import annotations

from django.urls import reverse

from powerdesk.knowledge.rendering import render_markdown


def test_markdown_is_rendered():
    html = render_markdown("**要点**\n\n- 一次性告知\n- 留痕")
    assert "<strong>要点</strong>" in html and "<li>一次性告知</li>" in html


def test_script_tags_and_their_content_are_stripped():
    html = render_markdown("经过<script>alert('x')</script>说明")
    assert "<script" not in html and "alert" not in html and "经过" in html


def test_event_handlers_and_javascript_links_are_stripped():
    html = render_markdown(
        '<img src=x onerror="alert(1)"> [点我](javascript:alert(1)) <a onclick="x()">a</a>'
    )
    assert (
        "onerror" not in html and "javascript:" not in html and "onclick" not in html and "<img" not in html
    )


def test_the_case_page_shows_the_cleaned_text(client, published, users):
    version = published(situation="客户来电<script>steal()</script>**投诉**")
    client.force_login(users["agent"])
    page = client.get(reverse("knowledge:version", args=[version.case_id, version.number]))
    body = page.content.decode()
    assert page.status_code == 200 and "steal()" not in body and "<strong>投诉</strong>" in body
