"""The terms the measures add up, each one condition on the fact row (``OrderFact``): the rollups count
them (``aggregates.DAILY_FIGURES``) and the order list's ``measure`` filter selects the orders behind them
(``analytics.filters``), so a number and the list behind it are the same condition."""

from __future__ import annotations

from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from powerdesk.analytics import rules

# The callback and repeat-call terms are the quality view's own definitions (one home per measure).
from powerdesk.analytics.measures import REACHED, REPEAT_CONTACTS, SATISFIED
from powerdesk.complaints.models import Verdict
from powerdesk.workorders.choices import BusinessType

TERMS: dict[str, tuple[Q, str | Promise]] = {
    "repeat_calls": (Q(contacts__gte=REPEAT_CONTACTS), _("来电两次及以上")),
    "index_base": (Q(index_counted=True), _("评价指数业务量")),
    "index_repeat": (Q(index_counted=True, contacts__gte=rules.INDEX_CALLS), _("来电三次及以上")),
    "closed": (Q(closed=True), _("已办结")),
    "first_contact_resolved": (Q(first_contact_resolved=True), _("一次来电办结")),
    "answered_first": (Q(answered_first=True), _("一次答复办结")),
    "malicious": (Q(malicious=True), _("恶意诉求")),
    "complaints": (Q(business_type=BusinessType.COMPLAINT), _("投诉")),
    "valid_complaints": (Q(verdict=Verdict.VALID), _("成立")),
    "invalid_complaints": (Q(verdict=Verdict.INVALID), _("不成立")),
    "pending_complaints": (Q(verdict=Verdict.PENDING), _("待补证")),
    "called_back": (Q(called_back=True), _("已回访")),
    "reached": (Q(called_back=True, satisfaction__in=REACHED), _("回访联系上")),
    "satisfied": (Q(called_back=True, satisfaction__in=SATISFIED), _("满意或基本满意")),
}
