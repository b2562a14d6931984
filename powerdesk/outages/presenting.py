"""The outage's timeline in the reader's language: each ``OutageEvent`` keeps its kind as a code and its
figures as data; the sentence is made here, when the page is read (so an English reader reads English,
and a later wording applies to old events too). A page of events is presented at once: the devices they
name are read in one query.

A kind without a presenter (written by a later feature) is shown by its label, or its code, with its data
as ``key: value`` pairs rather than hidden.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from powerdesk.grid.models import Device
from powerdesk.outages.models import EtrSource, NoticeState, OutageEvent, OutageState

KIND_LABELS: dict[str, Any] = {
    "created": gettext_lazy("停电已登记"),
    "confirmed": gettext_lazy("停电已确认"),
    "rejected": gettext_lazy("停电已排除"),
    "etr_changed": gettext_lazy("预计复电时间已变更"),
    "partly_restored": gettext_lazy("部分复电"),
    "restored": gettext_lazy("全部复电"),
    "notices_sent": gettext_lazy("发送停电通知"),
    "notice_delivery": gettext_lazy("登记通知送达"),
    "notices_failed": gettext_lazy("停电通知未送达"),
    "notice_flag": gettext_lazy("通知滞后标记"),
}


@dataclass(frozen=True)
class Line:
    at: dt.datetime
    actor: Any
    kind: str
    label: str
    text: str


def _when(value: Any) -> str:
    if not value:
        return "—"
    moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _label(choices: Any, code: Any) -> str:
    try:
        return str(choices(code).label)
    except ValueError:
        return str(code or "—")


def _created(d: Mapping[str, Any], codes: Mapping[int, str]) -> str:
    text = _("影响 %(count)s 户") % {"count": d.get("customers", 0)}
    if d.get("etr"):
        text += _("，预计复电时间 %(etr)s") % {"etr": _when(d["etr"])}
    if d.get("short_notice"):
        text += _("；通知提前量不足")
    return text


def _etr_changed(d: Mapping[str, Any], codes: Mapping[int, str]) -> str:
    return _("预计复电时间由 %(before)s 改为 %(after)s（来源：%(source)s）") % {
        "before": _when(d.get("before")),
        "after": _when(d.get("after")),
        "source": _label(EtrSource, d.get("source")),
    }


def _restored(d: Mapping[str, Any], codes: Mapping[int, str]) -> str:
    listed = d.get("devices")
    devices = "、".join(codes.get(i, str(i)) for i in (listed if isinstance(listed, list) else []))
    return _("设备 %(devices)s 复电，%(count)s 户恢复供电") % {
        "devices": devices or "—",
        "count": d.get("customers", 0),
    }


def _confirmed(d: Mapping[str, Any], codes: Mapping[int, str]) -> str:
    return _("由“%(before)s”确认为停电") % {"before": _label(OutageState, d.get("before"))}


def _rejected(d: Mapping[str, Any], codes: Mapping[int, str]) -> str:
    note = d.get("note") or ""
    return _("说明：%(note)s") % {"note": note} if note else ""


def _notices_sent(d: Mapping[str, Any], codes: Mapping[int, str]) -> str:
    return _("发送 %(count)s 条停电通知") % {"count": d.get("count", 0)}


def _notice_delivery(d: Mapping[str, Any], codes: Mapping[int, str]) -> str:
    text = _("通知 #%(notice)s：%(state)s") % {
        "notice": d.get("notice", "—"),
        "state": _label(NoticeState, d.get("state")),
    }
    return text + (_("（滞后）") if d.get("late") else "")


def _notices_failed(d: Mapping[str, Any], codes: Mapping[int, str]) -> str:
    return _("%(count)s 条通知网关回报未送达，请另行告知客户") % {"count": d.get("count", 0)}


def _notice_flag(d: Mapping[str, Any], codes: Mapping[int, str]) -> str:
    if d.get("flagged"):
        return _("%(count)s 条通知滞后或缺失，已标记") % {"count": d.get("late", 0)}
    return _("通知均已按时发出，取消标记")


Presenter = Callable[[Mapping[str, Any], Mapping[int, str]], str]

PRESENTERS: dict[str, Presenter] = {
    "created": _created,
    "confirmed": _confirmed,
    "rejected": _rejected,
    "etr_changed": _etr_changed,
    "partly_restored": _restored,
    "restored": _restored,
    "notices_sent": _notices_sent,
    "notice_delivery": _notice_delivery,
    "notices_failed": _notices_failed,
    "notice_flag": _notice_flag,
}


def _fallback(d: Mapping[str, Any], codes: Mapping[int, str]) -> str:
    return "；".join(f"{key}: {value}" for key, value in d.items())


def present(events: Sequence[OutageEvent]) -> list[Line]:
    """The events as lines, oldest first as given."""
    ids: set[int] = set()
    for event in events:
        listed = event.data.get("devices") if isinstance(event.data, Mapping) else None
        if event.kind in ("restored", "partly_restored") and isinstance(listed, list):
            ids.update(i for i in listed if isinstance(i, int))
    codes = dict(Device.objects.filter(pk__in=ids).values_list("pk", "code")) if ids else {}
    lines = []
    for event in events:
        data = event.data if isinstance(event.data, Mapping) else {}
        try:
            text = PRESENTERS.get(event.kind, _fallback)(data, codes)
        except (TypeError, ValueError):  # data of an unexpected shape: shown, not a 500
            text = _fallback(data, codes)
        label = KIND_LABELS.get(event.kind)
        lines.append(Line(event.at, event.actor, event.kind, str(label) if label else event.kind, text))
    return lines
