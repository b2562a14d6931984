"""How the analytics app plugs into the order (``workorders.extensions``): the malicious-demand flag's
panel on the order page, its timeline kinds and their presenter."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from powerdesk.analytics import services
from powerdesk.analytics.models import MaliciousFlag
from powerdesk.core.extensions import Panel
from powerdesk.workorders import extensions as ext
from powerdesk.workorders.models import WorkOrder

OWNER = "analytics"


def _panel(request: HttpRequest, order: WorkOrder) -> dict[str, Any] | None:
    flag = MaliciousFlag.objects.filter(order=order).select_related("set_by").first()
    may = services.may_flag(request.user)  # type: ignore[arg-type]
    if flag is None and not may:
        return None
    return {"order": order, "flag": flag, "may_flag": may}


def present(events: Sequence[ext.PresentedEvent], viewer: ext.Viewer) -> None:
    for item in events:
        if item.event.kind == services.FLAGGED:
            item.lines.append(_("原因：%(reason)s") % {"reason": item.data.get("reason", "")})


def register() -> None:
    ext.order_panels.register(
        OWNER,
        "analytics.malicious",
        Panel(slot="aside", template="analytics/_order_malicious.html", context=_panel),
    )
    ext.event_kinds.register(OWNER, services.FLAGGED, gettext_lazy("标记恶意诉求"))
    ext.event_kinds.register(OWNER, services.CLEARED, gettext_lazy("取消恶意诉求标记"))
    ext.event_presenters.register(OWNER, "analytics.malicious", present)
