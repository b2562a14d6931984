"""The seeded names of the application kinds, their steps and documents (applications 0002), and of the
return reasons (applications 0007), for ``makemessages``:
shown in the reader's language while a row keeps its seeded name (:mod:`powerdesk.core.seeded_names`)."""

from __future__ import annotations

from django.utils.translation import pgettext_lazy

KIND_NAMES = (
    pgettext_lazy("application_kind", "低压居民新装"),
    pgettext_lazy("application_kind", "低压非居民新装"),
    pgettext_lazy("application_kind", "高压单电源新装增容"),
    pgettext_lazy("application_kind", "高压双电源新装"),
    pgettext_lazy("application_kind", "居民充电桩报装"),
    pgettext_lazy("application_kind", "分布式光伏并网"),
    pgettext_lazy("application_kind", "电能表校验"),
    pgettext_lazy("application_kind", "过户"),
    pgettext_lazy("application_kind", "更名"),
    pgettext_lazy("application_kind", "销户"),
    pgettext_lazy("application_kind", "暂停减容"),
)

DOCUMENT_NAMES = (
    pgettext_lazy("document", "申请人有效身份证明"),
    pgettext_lazy("document", "房屋产权证明或使用证明"),
    pgettext_lazy("document", "营业执照或组织机构证明"),
    pgettext_lazy("document", "经办人授权委托书"),
    pgettext_lazy("document", "用电设备清单"),
    pgettext_lazy("document", "受电工程设计文件"),
    pgettext_lazy("document", "受电工程竣工报告"),
    pgettext_lazy("document", "固定车位产权或使用证明"),
    pgettext_lazy("document", "物业同意安装证明"),
    pgettext_lazy("document", "光伏组件及逆变器资料"),
    pgettext_lazy("document", "原户主同意过户证明"),
    pgettext_lazy("document", "名称变更证明"),
    pgettext_lazy("document", "电费结清凭证"),
    pgettext_lazy("document", "暂停或减容申请书"),
)

# A step name shared by several kinds (现场勘查, 装表接电 …) is one entry.
STEP_NAMES = (
    pgettext_lazy("application_step", "现场勘查"),
    pgettext_lazy("application_step", "装表接电"),
    pgettext_lazy("application_step", "供电方案答复"),
    pgettext_lazy("application_step", "客户内部工程施工"),
    pgettext_lazy("application_step", "竣工检验"),
    pgettext_lazy("application_step", "设计文件审查"),
    pgettext_lazy("application_step", "客户受电工程施工"),
    pgettext_lazy("application_step", "隐蔽工程中间检查"),
    pgettext_lazy("application_step", "签订供用电合同"),
    pgettext_lazy("application_step", "客户安装充电设施"),
    pgettext_lazy("application_step", "验收及装表接电"),
    pgettext_lazy("application_step", "接入方案答复"),
    pgettext_lazy("application_step", "客户光伏工程建设"),
    pgettext_lazy("application_step", "并网验收调试"),
    pgettext_lazy("application_step", "签订购售电合同"),
    pgettext_lazy("application_step", "电能表校验"),
    pgettext_lazy("application_step", "答复校验结果"),
    pgettext_lazy("application_step", "资料审核"),
    pgettext_lazy("application_step", "结清电费"),
    pgettext_lazy("application_step", "营销系统变更"),
    pgettext_lazy("application_step", "拆表"),
    pgettext_lazy("application_step", "销户归档"),
    pgettext_lazy("application_step", "现场封停或换装"),
)

# The return reasons' names (the staff's choice; the customer's wording is sent in Chinese by SMS).
RETURN_REASON_NAMES = (
    pgettext_lazy("return_reason", "资料不全或不符合要求"),
    pgettext_lazy("return_reason", "现场条件不具备"),
    pgettext_lazy("return_reason", "设计或方案需调整"),
    pgettext_lazy("return_reason", "检验不合格"),
    pgettext_lazy("return_reason", "客户变更申请内容"),
    pgettext_lazy("return_reason", "其他原因"),
)
