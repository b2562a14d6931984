"""Console helpers of the time limits: a clock's state as a live countdown, a policy's source grade, and
the number of clocks about to breach (the nav badge)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from powerdesk.core import clock as clock_mod
from powerdesk.core.templatetags.countdown import countdown_text, iso, local
from powerdesk.sla.models import Clock, ClockState, SourceGrade
from powerdesk.sla.selectors import about_to_breach
from powerdesk.sla.services import clock_warn_time

register = template.Library()


@register.inclusion_tag("core/_countdown.html")
def clock_status(c: Clock, now: dt.datetime | None = None) -> dict[str, Any]:
    """A clock's state as a coloured badge: running clocks count down live (``data-due``, turning amber at
    the warning time the sweep warns at), paused ones show the time left frozen, met ones when and
    whether in time."""
    now = now or clock_mod.now()
    ctx: dict[str, Any] = {"clock": c, "due": None, "warn": None, "title": ""}
    if c.state in (ClockState.RUNNING, ClockState.BREACHED):
        late = c.due_at <= now
        warn_at = clock_warn_time(c, c.policy)
        warned = c.level >= 1 or now >= warn_at
        ctx.update(
            tone="late" if late else ("warn" if warned else "ok"),
            text=countdown_text(c.due_at, now),
            due=iso(c.due_at),
            warn=iso(warn_at),
        )
    elif c.state == ClockState.PAUSED:
        frozen = countdown_text(c.due_at, c.paused_at or now)
        ctx.update(tone="paused", text=_("已暂停 · %(left)s") % {"left": frozen})
        if c.paused_at:
            ctx["title"] = _("%(at)s 起暂停计时") % {"at": local(c.paused_at)}
    elif c.state == ClockState.MET and c.met_at is not None:
        on_time = c.breached_at is None and c.met_at <= c.due_at
        verdict = _("按时") if on_time else pgettext("verdict", "超时")  # "late", not the breach event
        ctx.update(
            tone="met" if on_time else "met-late",
            text=_("已达成 · %(at)s %(verdict)s") % {"at": local(c.met_at), "verdict": verdict},
        )
    else:
        ctx.update(tone="off", text=c.get_state_display())
    return ctx


GRADE_HELP = {
    SourceGrade.A: gettext_lazy("A 级依据：国家电网或政府部门公开的官方文件"),
    SourceGrade.B: gettext_lazy("B 级依据：新闻报道或对官方文件的转载"),
    SourceGrade.C: gettext_lazy("C 级依据：二手资料（题库、问答等）"),
    SourceGrade.U: gettext_lazy("U 级依据：尚未找到出处的默认值，可由管理员在后台调整"),
}


@register.simple_tag
def grade_badge(policy: Any) -> str:
    """The source grade of a policy row, with what the grade means (and the row's note) as a tooltip."""
    try:
        grade = SourceGrade(policy.source_grade)
    except ValueError:
        return ""
    title = str(GRADE_HELP[grade])
    if policy.source_note:
        title += "\n" + _("依据说明：%(note)s") % {"note": policy.source_note}
    return format_html('<abbr class="grade grade-{}" title="{}">{}</abbr>', grade.value, title, grade.value)


@register.simple_tag(takes_context=True)
def at_risk_count(context: template.Context) -> int:
    """How many clocks the user may see are past their warning point (the nav badge); once per request."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    cached = getattr(request, "_pd_at_risk", None)
    if cached is None:
        cached = about_to_breach(user=user).count()
        request._pd_at_risk = cached  # type: ignore[union-attr]
    return cached
