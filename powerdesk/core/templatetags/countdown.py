"""Console helpers that know no domain: spans of time in words, live countdowns (rendered here, then kept
live by static/js/console.js), and the names of seeded reference rows in the active language."""

from __future__ import annotations

import datetime as dt
import functools
import math
from typing import Any

from django import template
from django.utils import timezone, translation
from django.utils.html import json_script
from django.utils.translation import gettext as _

from powerdesk.core import clock as clock_mod
from powerdesk.core.seeded_names import seeded_name

register = template.Library()

# {{ order.topic|ref_name }}, {{ user.role|ref_name }}: a seeded topic or role in the active language.
register.filter("ref_name", seeded_name)


def duration_formats() -> dict[str, str]:
    """The formats of a span of time; the countdown script fills in the same ones (see countdown_config).

    Translated once per language (a list page formats 50 countdowns): do not modify the dict."""
    return _duration_formats(translation.get_language())


@functools.lru_cache(maxsize=8)
def _duration_formats(language: str | None) -> dict[str, str]:
    return {
        "dh": _("%(d)s天%(h)s小时"),
        "d": _("%(d)s天"),
        "hm": _("%(h)s小时%(m)s分"),
        "h": _("%(h)s小时"),
        "m": _("%(m)s分钟"),
        "s": _("%(s)s秒"),
        "left": _("剩余 %(time)s"),
        "over": _("已超时 %(time)s"),
    }


def duration_text(seconds: float, formats: dict[str, str] | None = None) -> str:
    """“1天3小时”, “1小时23分”, “12分钟”, “40秒”: the two largest units, rounded down."""
    f = formats or duration_formats()
    total = max(0, int(seconds))
    d, rest = divmod(total, 86400)
    h, rest = divmod(rest, 3600)
    m, s = divmod(rest, 60)
    if d:
        return f["dh"] % {"d": d, "h": h} if h else f["d"] % {"d": d}
    if h:
        return f["hm"] % {"h": h, "m": m} if m else f["h"] % {"h": h}
    if m:
        return f["m"] % {"m": m}
    return f["s"] % {"s": s}


@register.filter(expects_localtime=True)
def strftime(value: Any, fmt: str) -> str:
    """A datetime in the current time zone by a ``strftime`` format, for tables of many times: digits
    only (nothing to localise), at a fraction of the ``date`` filter's cost."""
    return value.strftime(fmt) if isinstance(value, dt.datetime | dt.date) else ""


@register.filter
def duration(seconds: Any) -> str:
    try:
        return duration_text(float(seconds))
    except (TypeError, ValueError):
        return ""


def countdown_text(due: dt.datetime, now: dt.datetime) -> str:
    f = duration_formats()
    left = (due - now).total_seconds()
    if left > 0:  # rounded up, so the last second before the deadline reads "1秒", not "0秒"
        return f["left"] % {"time": duration_text(math.ceil(left), f)}
    return f["over"] % {"time": duration_text(-left, f)}


@register.simple_tag
def countdown_config() -> str:
    """The texts of the countdowns and the server's time, for the script (it corrects the PC's clock)."""
    return json_script({"now": iso(clock_mod.now()), "formats": duration_formats()}, "countdown-config")


def iso(value: dt.datetime) -> str:
    """A moment for the countdown script: milliseconds at most (Date.parse knows no finer digits)."""
    return timezone.localtime(value).isoformat(timespec="milliseconds")


def local(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%m-%d %H:%M")
