"""The timeline as people read it: each event's stored codes and data rendered in the reader's language.

:func:`present` runs every registered presenter over a page of events at once
(:data:`powerdesk.workorders.extensions.event_presenters`); the work-order app's own presenters, here,
label the fields an event changed (units, people and orders named in one query each for the whole page)
and say what else it recorded (channel, caller, override, merge, file size). Apps above add theirs (the
SLA app: clocks and escalation steps).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Field
from django.utils.translation import gettext as _

from powerdesk.core.seeded_names import seeded_name
from powerdesk.org.models import Unit, User
from powerdesk.workorders import extensions as ext
from powerdesk.workorders import reference
from powerdesk.workorders.choices import Channel, EventKind, LinkKind, RepeatAction
from powerdesk.workorders.models import WorkOrder, WorkOrderEvent

OWNER = "workorders"
# Fields of the order that the line shows elsewhere (status) or that its note carries.
_HIDDEN_CHANGES = {"status", "result", "reply_text"}
_REFERENCES = {
    "unit": "unit",
    "assignee": "user",
    "owner": "user",
    "parent": "order",
    "topic": "topic",
    "sub_type": "sub_type",
}


def present(
    events: Sequence[WorkOrderEvent], *, sees_personal_data: bool = False, masking: Any = None
) -> list[ext.PresentedEvent]:
    """The events, each with its label, note, changes and lines, for one reader."""
    viewer = ext.Viewer(sees_personal_data=sees_personal_data, masking=masking)
    presented = [
        ext.PresentedEvent(event=e, data=e.data if isinstance(e.data, dict) else {}, note=e.note)
        for e in events
    ]
    for presenter in ext.event_presenters:
        presenter(presented, viewer)
    return presented


def _side(item: ext.PresentedEvent, side: str) -> dict[str, Any]:
    value = item.data.get(side)
    return value if isinstance(value, dict) else {}


def _field_name(key: str) -> str:
    return key[:-3] if key.endswith("_id") else key


def _model_field(key: str) -> Field | None:
    try:
        field = WorkOrder._meta.get_field(_field_name(key))
    except FieldDoesNotExist:
        return None
    return field if isinstance(field, Field) else None


def _display(key: str, value: Any, names: dict[str, dict[int, str]]) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    kind = _REFERENCES.get(_field_name(key))
    if kind:
        return names[kind].get(value, str(value))
    field = _model_field(key)
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def present_changes(events: Sequence[ext.PresentedEvent], viewer: ext.Viewer) -> None:
    """The order's fields each event changed, labelled, with the units, people and orders named (one
    query per kind of reference for the whole page). Keys that are not fields of the order belong to
    the presenter of whoever wrote them."""
    wanted: dict[str, set[int]] = {
        "unit": set(),
        "user": set(),
        "order": set(),
        "topic": set(),
        "sub_type": set(),
    }
    for item in events:
        for side in ("before", "after"):
            for key, value in _side(item, side).items():
                kind = _REFERENCES.get(_field_name(key))
                if kind and isinstance(value, int):
                    wanted[kind].add(value)
    names: dict[str, dict[int, str]] = {
        "unit": dict(Unit.objects.filter(pk__in=wanted["unit"]).values_list("pk", "name"))
        if wanted["unit"]
        else {},
        "user": {u.pk: u.display_name for u in User.objects.filter(pk__in=wanted["user"])}
        if wanted["user"]
        else {},
        "order": dict(WorkOrder.objects.filter(pk__in=wanted["order"]).values_list("pk", "number"))
        if wanted["order"]
        else {},
        # small reference tables, cached per process: no query
        "topic": {pk: seeded_name(t) for pk in wanted["topic"] if (t := reference.topic_by_id(pk))},
        "sub_type": {pk: s.name for pk in wanted["sub_type"] if (s := reference.sub_type_by_id(pk))},
    }
    for item in events:
        before, after = _side(item, "before"), _side(item, "after")
        for key in [*after, *(k for k in before if k not in after)]:
            field = _model_field(key)
            if field is None or _field_name(key) in _HIDDEN_CHANGES:
                continue
            if key in before and before[key] == after.get(key):
                continue
            item.changes.append(
                ext.Change(
                    label=str(field.verbose_name),
                    before=_display(key, before.get(key), names) if key in before else None,
                    after=_display(key, after.get(key), names),
                )
            )


def _choice_label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def present_details(events: Sequence[ext.PresentedEvent], viewer: ext.Viewer) -> None:
    """What else the work-order services recorded: the contact's channel and number (masked for readers
    who may not see personal data), an override of a repeat call, a merge, an evidence file."""
    for item in events:
        data = item.data
        if data.get("channel"):
            item.lines.append(_("渠道：%(channel)s") % {"channel": _choice_label(Channel, data["channel"])})
        if data.get("phone"):
            number = viewer.contact_phone(data["phone"])
            item.lines.append(_("来电号码：%(phone)s") % {"phone": number})
        override = data.get("override")
        if isinstance(override, dict):
            item.lines.append(
                _("忽略重复来电（原工单 %(number)s），原因：%(reason)s")
                % {"number": override.get("candidate", ""), "reason": override.get("reason", "")}
            )
        link = data.get("link")
        if isinstance(link, dict):
            item.lines.append(
                _("关联工单 %(number)s（%(kind)s）")
                % {
                    "number": link.get("order", ""),
                    "kind": _choice_label(LinkKind, str(link.get("kind", ""))),
                }
            )
        decision = link if isinstance(link, dict) else data.get("decision")
        if isinstance(decision, dict) and decision.get("chosen") != decision.get("suggested"):
            item.lines.append(
                _("规则建议“%(suggested)s”，实际“%(chosen)s”，原因：%(reason)s")
                % {
                    "suggested": _choice_label(RepeatAction, str(decision.get("suggested", ""))),
                    "chosen": _choice_label(RepeatAction, str(decision.get("chosen", ""))),
                    "reason": decision.get("reason", ""),
                }
            )
        if data.get("parent"):
            item.lines.append(_("并入主工单 %(number)s") % {"number": data["parent"]})
        if data.get("child"):
            item.lines.append(_("子工单 %(number)s 已并入") % {"number": data["child"]})
        if item.event.kind == EventKind.CALL_OUT and data.get("number"):
            number = viewer.contact_phone(data["number"])
            outcome = _("已联系上客户") if data.get("reached") else _("未联系上")
            item.lines.append(_("拨打 %(number)s：%(outcome)s") % {"number": number, "outcome": outcome})
        if data.get("size"):
            item.lines.append(_("文件大小：%(kb)s KB") % {"kb": max(1, round(int(data["size"]) / 1024))})


def register() -> None:
    for kind in EventKind:
        ext.event_kinds.register(OWNER, kind.value, kind.label)
    ext.event_presenters.register(OWNER, "workorders.changes", present_changes, position=10)
    ext.event_presenters.register(OWNER, "workorders.details", present_details, position=20)
