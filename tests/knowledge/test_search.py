"""The Chinese full-text search: jieba words in a tsvector, ranked; the filters; the order's relevant
cases (sub-type first, then topic, then text)."""

from __future__ import annotations

import pytest

from powerdesk.knowledge import search, selectors
from powerdesk.knowledge.filters import CaseFilterSet
from powerdesk.knowledge.models import CaseVersion
from powerdesk.workorders import services as s
from powerdesk.workorders.models import SubType
from tests.factories import topic


@pytest.fixture
def library(published):
    """A small fixed set, without the seeded cases."""
    CaseVersion.objects.exclude(title__startswith="测").delete()
    return {
        "fire": published(
            "测：表箱起火后推迟复电",
            situation="夜间电表箱起火，抢修人员断电后次日复电。",
            tags=["表箱", "起火"],
        ),
        "meter": published(
            "测：电表走快校验合格",
            area=topic("metering"),
            sub_type=SubType.objects.get(code="complaint_metering"),
            situation="客户怀疑电表走快，校验结果合格。",
            tags=["电表校验"],
        ),
        "notice": published(
            "测：停电公告未张贴",
            area=topic("outage_info"),
            sub_type=SubType.objects.get(code="complaint_outage_notice"),
            situation="计划停电只在网上公告，现场没有张贴；有客户担心线路起火。",
            tags=["停电公告"],
        ),
    }


def titles(user, **params):
    return [v.title for v in CaseFilterSet(params, user=user).qs]


def test_the_text_is_cut_into_chinese_words():
    words = search.segment("电表箱起火，抢修人员次日复电")
    assert "起火" in words and "抢修" in words and "，" not in words


def test_a_match_in_the_title_ranks_above_one_in_the_text(library, users):
    # "起火" is in the first one's title and tags (weight A), in the second one's situation (B) only
    assert titles(users["agent"], q="起火") == ["测：表箱起火后推迟复电", "测：停电公告未张贴"]


def test_all_words_are_asked_for_first_then_any_of_them_within_the_other_filters(library, users):
    agent = users["agent"]
    assert titles(agent, q="起火 张贴") == ["测：停电公告未张贴"]  # the only one with both
    # in the fault repair area none has both words: the one with either of them
    assert titles(agent, q="起火 张贴", area="fault_repair") == ["测：表箱起火后推迟复电"]


def test_words_that_appear_nowhere_find_nothing(library, users):
    assert titles(users["agent"], q="光伏并网") == []


def test_filters_by_area_sub_type_and_tag(library, users):
    agent = users["agent"]
    assert titles(agent, area="metering") == ["测：电表走快校验合格"]
    assert titles(agent, sub_type="complaint_outage_notice") == ["测：停电公告未张贴"]
    assert titles(agent, tag="起火") == ["测：表箱起火后推迟复电"]


def test_readers_see_published_cases_only(library, make_case, users, author):
    make_case("测：草稿案例")
    assert "测：草稿案例" not in titles(users["agent"], state="draft")
    assert titles(author, state="draft") == ["测：草稿案例"]


def test_an_unknown_area_is_a_filter_error(users):
    filters = CaseFilterSet({"area": "nope"}, user=users["agent"])
    assert not filters.is_valid() and "area" in filters.errors


def test_the_order_page_offers_its_sub_type_first_then_its_topic_then_similar_text(library, users, customer):
    order = s.workorder_intake(
        actor=users["agent"],
        business_type="complaint",
        sub_type=SubType.objects.get(code="complaint_metering"),
        topic=topic("outage_info"),
        channel="95598",
        description="楼道电表箱起火了",
        customer=customer,
        caller_phone="13812345678",
    ).order
    assert [v.title for v in selectors.relevant_cases(order)] == [
        "测：电表走快校验合格",  # its sub-type
        "测：停电公告未张贴",  # its topic
        "测：表箱起火后推迟复电",  # its words
    ]


def test_the_seeded_library_covers_the_nine_areas_and_every_complaint_sub_type(db):
    published = CaseVersion.objects.filter(state="published")
    assert published.count() >= 30
    areas = set(published.values_list("area__code", flat=True))
    nine = {"fault_repair", "billing", "business_env", "metering", "hall_service", "ev_charging"}
    nine |= {"grid_construction", "gov_policy", "communication"}
    assert nine <= areas
    covered = set(published.exclude(sub_type=None).values_list("sub_type__code", flat=True))
    covered |= set(published.exclude(sub_type=None).values_list("sub_type__parent__code", flat=True))
    complaint = set(SubType.objects.filter(business_type="complaint").values_list("code", flat=True))
    assert complaint <= covered
    assert published.filter(title__contains="表箱起火", tags__contains=["产权分界点"]).exists()
