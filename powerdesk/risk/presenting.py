"""The early warning's reasons in the reader's language: stored as codes and figures, read here."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext as _

from powerdesk.risk.models import FactorCode


def reason_text(reason: Mapping[str, Any]) -> str:
    """One reason as a line: what, how much of it, and the points it gave."""
    code = str(reason.get("code", ""))
    count = reason.get("count", 0)
    points = reason.get("points", 0)
    try:
        label = str(FactorCode(code).label)
    except ValueError:
        label = code
    if code == FactorCode.ANGRY_WORDING:
        what = _("%(label)s（%(terms)s）") % {"label": label, "terms": "、".join(reason.get("terms") or [])}
    elif code == FactorCode.SENSITIVE:
        what = label
    elif code == FactorCode.REPEAT_CALL:
        what = _("%(label)s %(count)s 次") % {"label": label, "count": count}
    elif code in (FactorCode.CLOCK_BREACHED, FactorCode.CLOCK_NEAR, FactorCode.RECENT_OUTAGE):
        what = _("%(label)s %(count)s 项") % {"label": label, "count": count}
    else:
        what = _("%(label)s %(count)s 次") % {"label": label, "count": count}
    return _("%(what)s +%(points)s") % {"what": what, "points": points}


def reasons_text(reasons: Iterable[Mapping[str, Any]]) -> list[str]:
    return [reason_text(r) for r in reasons if isinstance(r, Mapping)]
