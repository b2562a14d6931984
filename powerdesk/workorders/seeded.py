"""English names of the work-order reference rows the migrations seed, besides topics (see
:mod:`powerdesk.core.seeded_names`): the sub-types. A name an administrator changed shows as written."""

from __future__ import annotations

from django.utils.translation import pgettext_lazy

SUB_TYPE_NAMES = (
    pgettext_lazy("sub_type", "低压故障"),
    pgettext_lazy("sub_type", "高压故障"),
    pgettext_lazy("sub_type", "客户内部故障"),
    pgettext_lazy("sub_type", "计量装置故障"),
    pgettext_lazy("sub_type", "电能质量故障"),
    pgettext_lazy("sub_type", "安全隐患"),
    pgettext_lazy("sub_type", "服务投诉"),
    pgettext_lazy("sub_type", "营业投诉"),
    pgettext_lazy("sub_type", "停送电投诉"),
    pgettext_lazy("sub_type", "供电质量投诉"),
    pgettext_lazy("sub_type", "电网建设投诉"),
    pgettext_lazy("sub_type", "行风问题举报"),
    pgettext_lazy("sub_type", "窃电举报"),
    pgettext_lazy("sub_type", "破坏电力设施举报"),
    pgettext_lazy("sub_type", "服务意见"),
    pgettext_lazy("sub_type", "建议"),
    pgettext_lazy("sub_type", "表扬员工"),
    pgettext_lazy("sub_type", "表扬单位"),
    pgettext_lazy("sub_type", "电价电费"),
    pgettext_lazy("sub_type", "业务办理流程"),
    pgettext_lazy("sub_type", "停电信息"),
    pgettext_lazy("sub_type", "政策法规"),
    pgettext_lazy("sub_type", "复电登记"),
    pgettext_lazy("sub_type", "电器损坏"),
    pgettext_lazy("sub_type", "电能表异常"),
    pgettext_lazy("sub_type", "抄表数据异常"),
    pgettext_lazy("sub_type", "充电预约"),
    pgettext_lazy("sub_type", "其他服务申请"),
    pgettext_lazy("sub_type", "低压新装"),
    pgettext_lazy("sub_type", "高压新装增容"),
    pgettext_lazy("sub_type", "高压双电源新装"),
    pgettext_lazy("sub_type", "充电桩报装"),
    pgettext_lazy("sub_type", "光伏并网"),
    pgettext_lazy("sub_type", "过户"),
    pgettext_lazy("sub_type", "更名"),
    pgettext_lazy("sub_type", "电能表校验"),
)
