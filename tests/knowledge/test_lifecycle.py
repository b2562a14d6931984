"""A case goes draft → in review → published → retired, each step by a named user; editing a published
case opens a new version while the old one stays published; an order keeps citing the version it cited."""

from __future__ import annotations

import pytest

from powerdesk.core.errors import NotPermitted, TransitionNotAllowed, ValidationFailed
from powerdesk.knowledge import services
from powerdesk.knowledge.models import CaseCitation, CaseState, CaseStep, CaseVersion
from powerdesk.workorders import services as s
from tests.factories import topic


def test_each_step_is_recorded_with_who_and_when(make_case, author, reviewer):
    version = make_case()
    services.case_step(version=version, actor=author, step="submit")
    services.case_step(version=version, actor=reviewer, step="publish")
    services.case_step(version=version, actor=reviewer, step="retire", note="规定已废止")
    steps = list(
        CaseStep.objects.filter(version=version).order_by("id").values_list("from_state", "to_state", "by")
    )
    assert steps == [
        ("", "draft", author.pk),
        ("draft", "review", author.pk),
        ("review", "published", reviewer.pk),
        ("published", "retired", reviewer.pk),
    ]


def test_an_author_cannot_publish(make_case, author):
    version = make_case()
    services.case_step(version=version, actor=author, step="submit")
    with pytest.raises(NotPermitted):
        services.case_step(version=version, actor=author, step="publish")


def test_a_reviewer_cannot_publish_their_own_case(reviewer, second_reviewer):
    version = services.case_create(
        actor=reviewer, title="自己写的案例", area=topic("billing"), situation="经过", tags=[]
    )
    services.case_step(version=version, actor=reviewer, step="submit")
    with pytest.raises(NotPermitted):
        services.case_step(version=version, actor=reviewer, step="publish")
    assert services.case_step(version=version, actor=second_reviewer, step="publish").state == "published"


def test_an_agent_cannot_write_cases(users):
    with pytest.raises(NotPermitted):
        services.case_create(actor=users["agent"], title="t", area=topic(), situation="s")


def test_a_draft_cannot_be_published_without_review(make_case, reviewer):
    with pytest.raises(TransitionNotAllowed):
        services.case_step(version=make_case(), actor=reviewer, step="publish")


def test_a_rejection_needs_a_reason_and_returns_the_draft(make_case, author, reviewer):
    version = make_case()
    services.case_step(version=version, actor=author, step="submit")
    with pytest.raises(ValidationFailed):
        services.case_step(version=version, actor=reviewer, step="reject")
    assert (
        services.case_step(version=version, actor=reviewer, step="reject", note="补充依据").state == "draft"
    )


def test_editing_a_published_case_opens_a_new_draft_and_keeps_the_old_one_published(
    published, author, reviewer
):
    v1 = published()
    v2 = services.case_revise(version=v1, actor=author)
    assert (v2.number, v2.state) == (2, CaseState.DRAFT)
    assert services.case_revise(version=v1, actor=author).pk == v2.pk  # one open version at a time
    services.case_draft_update(version=v2, actor=author, title="新标题", area=v1.area, situation="新的经过")
    v1.refresh_from_db()
    assert v1.state == CaseState.PUBLISHED and v1.title == "抢修人员未说明产权分界点"
    services.case_step(version=v2, actor=author, step="submit")
    services.case_step(version=v2, actor=reviewer, step="publish")
    v1.refresh_from_db()
    assert v1.state == CaseState.RETIRED
    assert CaseVersion.objects.filter(case=v1.case, state=CaseState.PUBLISHED).get().pk == v2.pk


def test_a_published_version_cannot_be_edited_in_place(published, author):
    with pytest.raises(TransitionNotAllowed):
        services.case_draft_update(version=published(), actor=author, title="x", area=topic(), situation="y")


def _resolved_order(users, order_on_site, **inputs):
    order = order_on_site()
    return s.workorder_resolve(order=order, actor=users["repair"], result="已隔离故障", **inputs)


def test_an_order_keeps_citing_the_version_it_cited_after_an_edit(
    published, author, reviewer, users, order_on_site
):
    v1 = published()
    order = _resolved_order(users, order_on_site, case=v1.pk)
    v2 = services.case_revise(version=v1, actor=author)
    services.case_draft_update(version=v2, actor=author, title="改写后的标题", area=v1.area, situation="改写")
    services.case_step(version=v2, actor=author, step="submit")
    services.case_step(version=v2, actor=reviewer, step="publish")
    event = order.events.get(kind="resolve")
    assert event.data["case_version"] == v1.pk
    assert CaseCitation.objects.get(order=order).version_id == v1.pk


def test_only_a_published_version_can_be_cited(make_case, users, order_on_site):
    draft = make_case()
    with pytest.raises(ValidationFailed):
        _resolved_order(users, order_on_site, case=draft.pk)


def test_a_reply_may_cite_a_case_too(published, users, order_on_site):
    version = published()
    order = _resolved_order(users, order_on_site)
    order = s.workorder_reply(order=order, actor=users["repair"], reply_text="已告知客户", case=version.pk)
    assert order.events.get(kind="reply").data["case_version"] == version.pk
    assert "case_version" not in order.events.get(kind="resolve").data
