"""English names of the complaint reference rows the migrations seed (see
:mod:`powerdesk.core.seeded_names`): the severity levels and the judgment checklists. A name an
administrator changed, or a row added in the admin, shows as written."""

from __future__ import annotations

from django.utils.translation import pgettext_lazy

SEVERITY_NAMES = (
    pgettext_lazy("severity", "特殊"),
    pgettext_lazy("severity", "重大"),
    pgettext_lazy("severity", "重要"),
    pgettext_lazy("severity", "一般"),
)

CHECKLIST_NAMES = (
    pgettext_lazy("checklist", "抢修人员服务态度"),
    pgettext_lazy("checklist", "营业厅人员服务态度"),
    pgettext_lazy("checklist", "欠费停电未按规定通知"),
    pgettext_lazy("checklist", "计划停电未按规定公告"),
    pgettext_lazy("checklist", "抢修到达现场超时"),
    pgettext_lazy("checklist", "计量装置接线错误"),
    pgettext_lazy("checklist", "电费账单差错"),
)
