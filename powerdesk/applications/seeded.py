"""The seeded names of the application kinds and documents (applications 0002), for ``makemessages``:
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
