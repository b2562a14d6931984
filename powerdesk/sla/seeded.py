"""English names of the time-limit reference rows the migrations seed (see
:mod:`powerdesk.core.seeded_names`): the policies and the suspend reasons. A name an administrator
changed shows as written."""

from __future__ import annotations

from django.utils.translation import pgettext_lazy

POLICY_NAMES = (
    pgettext_lazy("policy", "抢修到达现场（城区）"),
    pgettext_lazy("policy", "抢修到达现场（农村）"),
    pgettext_lazy("policy", "抢修到达现场（特殊边远）"),
    pgettext_lazy("policy", "重要客户抢修到达现场（城区）"),
    pgettext_lazy("policy", "重要客户抢修到达现场（农村）"),
    pgettext_lazy("policy", "重要客户抢修到达现场（特殊边远）"),
    pgettext_lazy("policy", "重要客户抢修派单"),
    pgettext_lazy("policy", "故障恢复送电（城区）"),
    pgettext_lazy("policy", "故障恢复送电（农村）"),
    pgettext_lazy("policy", "故障恢复送电（其他地区）"),
    pgettext_lazy("policy", "投诉首次联系客户"),
    pgettext_lazy("policy", "投诉办结回复（95598）"),
    pgettext_lazy("policy", "投诉办结回复（12398）"),
    pgettext_lazy("policy", "投诉办结回复（12345）"),
    pgettext_lazy("policy", "投诉办结回复（其他渠道）"),
    pgettext_lazy("policy", "举报办结回复"),
    pgettext_lazy("policy", "复电登记（欠费结清后）"),
    pgettext_lazy("policy", "电器损坏到达现场"),
    pgettext_lazy("policy", "电能表异常处理回复"),
    pgettext_lazy("policy", "抄表数据异常处理回复"),
    pgettext_lazy("policy", "其他服务申请回复"),
    pgettext_lazy("policy", "电能表校验结果回复"),
    pgettext_lazy("policy", "居民低压新装（城镇）"),
    pgettext_lazy("policy", "居民低压新装（农村）"),
    pgettext_lazy("policy", "低压非居民新装"),
    pgettext_lazy("policy", "高压单电源新装增容"),
    pgettext_lazy("policy", "高压双电源新装"),
    pgettext_lazy("policy", "意见建议回复"),
    pgettext_lazy("policy", "咨询后续回复"),
    pgettext_lazy("policy", "回单后回访"),
    # the applications app's step and whole-process clocks (applications 0002)
    pgettext_lazy("policy", "业务办理环节时限"),
    pgettext_lazy("policy", "业务办理全流程时限"),
)

SUSPEND_REASON_NAMES = (
    pgettext_lazy("suspend_reason", "客户要求延期处理"),
    pgettext_lazy("suspend_reason", "等待客户提供资料"),
    pgettext_lazy("suspend_reason", "客户不在现场、无法入户"),
    pgettext_lazy("suspend_reason", "等待物资或停电计划"),
    pgettext_lazy("suspend_reason", "其他原因"),
)
