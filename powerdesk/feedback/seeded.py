"""English names of the feedback reference rows the migrations seed (see
:mod:`powerdesk.core.seeded_names`): the survey question sets and the callback's times of day. A name an
administrator changed, or a row added in the admin, shows as written."""

from __future__ import annotations

from django.utils.translation import pgettext_lazy

QUESTION_SET_NAMES = (
    pgettext_lazy("question_set", "工单回访调查"),
    pgettext_lazy("question_set", "故障抢修调查（含复电时间）"),
    pgettext_lazy("question_set", "客户关系调查"),
)

TIME_BAND_NAMES = (
    pgettext_lazy("time_band", "上午"),
    pgettext_lazy("time_band", "下午"),
    pgettext_lazy("time_band", "晚间"),
)
