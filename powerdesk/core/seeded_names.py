"""English names for the reference rows the migrations seed: topics (业务分类) and staff roles.

Names in tables are data and are shown as stored. The rows the migrations seed, though, ship with the
product under fixed codes, so their seeded Chinese names are msgids of the catalogue (contexts "topic"
and "role"). :func:`seeded_name` translates a stored name only while it is still the seeded one: a
name an administrator changed, or a row added in the admin, is shown as written in every language —
no second column to keep in step, and no stale English label for a renamed row.

The tuples below exist for ``makemessages`` (a name read from the database cannot be extracted);
tests/i18n checks that they cover exactly the seeded rows.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import pgettext, pgettext_lazy

TOPIC_NAMES = (
    pgettext_lazy("topic", "故障抢修"),
    pgettext_lazy("topic", "电费电价"),
    pgettext_lazy("topic", "营商环境（业扩报装）"),
    pgettext_lazy("topic", "电能计量"),
    pgettext_lazy("topic", "营业厅服务"),
    pgettext_lazy("topic", "电动汽车充电"),
    pgettext_lazy("topic", "电网建设"),
    pgettext_lazy("topic", "政企联动（电价政策、代理购电、光伏并网）"),
    pgettext_lazy("topic", "服务沟通"),
    pgettext_lazy("topic", "停电信息"),
    pgettext_lazy("topic", "电能质量（电压）"),
)

ROLE_NAMES = (
    pgettext_lazy("role", "客服专员"),
    pgettext_lazy("role", "调度员"),
    pgettext_lazy("role", "抢修人员"),
    pgettext_lazy("role", "处理人员"),
    pgettext_lazy("role", "回访员"),
    pgettext_lazy("role", "服务管理"),
    pgettext_lazy("role", "系统管理员"),
    pgettext_lazy("role", "审计员"),
    pgettext_lazy("role", "系统账号"),
    pgettext_lazy("role", "网上营业厅"),  # the portal's accounts (portal 0002)
)

# Which models' names are looked up, in which context (the model's label, lower case). Topics and roles
# are listed here; the apps above register their own seeded rows (``register``) with their tuples.
CONTEXTS = {"workorders.topic": "topic", "org.role": "role"}


def register(model_label: str, context: str) -> None:
    """Translate the seeded names of ``model_label`` (e.g. ``"sla.slapolicy"``) in ``context``; the app
    keeps a tuple of ``pgettext_lazy(context, name)`` for ``makemessages``."""
    CONTEXTS[model_label] = context


def seeded_name(obj: Any) -> str:
    """The name of a seeded row (topic, role, and what the apps registered) in the active language;
    any other object's ``name`` as stored."""
    if obj is None:
        return ""
    name = str(obj.name)
    context = CONTEXTS.get(obj._meta.label_lower)
    return pgettext(context, name) if context and name else name
