"""How the SLA app plugs into the work order (:mod:`powerdesk.workorders.extensions`); registered once,
from ``SlaConfig.ready()``.

- opening an order plans its clocks and due time (written once the order has its id);
- every transition moves the clocks (met, paused, resumed, cancelled, started) and the due time; a
  suspension pauses them only for an accepted reason (the ``reason_code`` input of 挂起, declared here);
  chases past a policy's count escalate the order;
- the order page shows the next clock beside the due time and every clock in the side column;
- the API's order detail carries the clocks;
- the sweep's events (warning, breach, escalation) and the re-timing's (the calendar changed,
  :mod:`powerdesk.sla.retiming`) get their labels and are presented from their codes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from rest_framework import serializers

from powerdesk.core import bulk, workdays
from powerdesk.core import clock as clock_mod
from powerdesk.core.errors import ValidationFailed
from powerdesk.core.extensions import DetailField, Panel
from powerdesk.core.seeded_names import seeded_name
from powerdesk.sla import services
from powerdesk.sla.models import Clock, ClockKind, ClockState, EscalationStep, SuspendReason
from powerdesk.sla.selectors import next_clock, order_clocks
from powerdesk.workorders import extensions as ext
from powerdesk.workorders.models import WorkOrder

OWNER = "sla"
WARNING, BREACH, ESCALATION = "sla_warning", "sla_breach", "sla_escalation"
RETIMED = "sla_retimed"
STEP_KINDS = {  # the sweep's
    WARNING: gettext_lazy("即将超时预警"),
    BREACH: pgettext_lazy("event", "超时"),  # the moment a time limit was missed
    ESCALATION: gettext_lazy("超时升级"),
}
EVENT_KINDS = {**STEP_KINDS, RETIMED: gettext_lazy("节假日日历变更，时限重新计算")}
# Why the calendar of a year changed (the reason codes of powerdesk.core.workdays).
CALENDAR_REASONS = {
    workdays.REASON_IMPORTED: gettext_lazy("已导入国务院放假安排"),
    workdays.REASON_PACKAGE: gettext_lazy("已从 chinese-calendar 新版本导入国务院放假安排"),
    workdays.REASON_DERIVED: gettext_lazy("已按法定节假日规则推算，调休安排尚未导入"),
}


# --- opening and moving the order ------------------------------------------------------------------


def plan_clocks(ctx: ext.OpenContext) -> None:
    clocks = services.plan_clocks(ctx.order, "intake", ctx.at)
    ctx.state[OWNER] = clocks
    ctx.order.due_at = services.earliest_due(clocks)
    if clocks:
        ctx.event_data["clocks"] = services.clock_summary(clocks)


def write_clocks(ctx: ext.OpenContext) -> None:
    clocks: list[Clock] = ctx.state.get(OWNER) or []
    for clock in clocks:
        clock.order = ctx.order
        # the new order's company, as the insert trigger would set it, so the trigger looks nothing up
        clock.company_id = ctx.order.company_id
    bulk.insert_objects(clocks)


def planned_clocks(opening: Mapping[str, Any]) -> list[Clock] | None:
    """The clocks written for an order opened just now (``ContactContext.opening``), None when the
    order was not opened by this contact."""
    return opening.get(OWNER) if OWNER in opening else None


def move_clocks(ctx: ext.TransitionContext) -> None:
    if ctx.code == "reclassify":  # what the order is changed: its clocks follow the new classification
        changes = services.clocks_on_reclassify(ctx.order, ctx.at)
        ctx.changed.add("due_at")
        if changes:
            ctx.event_data["clocks"] = changes
        return
    pause = False
    if ctx.code == "suspend":
        reason_code = ctx.inputs.get("reason_code") or ""
        pause = services.suspend_pauses(reason_code)
        ctx.event_data.update(reason_code=reason_code, clocks_paused=pause)
    if ctx.code == "chase":
        ctx.changed.update(services.chase_escalates(ctx.order))
    changes = services.clocks_on_transition(ctx.order, ctx.trigger, ctx.at, pause=pause)
    ctx.changed.add("due_at")
    if changes:
        ctx.event_data["clocks"] = changes


def _reason_choices() -> list[tuple[str, Any]]:
    choices: list[tuple[str, Any]] = [("", _("其他（不暂停计时）"))]
    choices += [
        (r.code, _("%(name)s（暂停计时）") % {"name": seeded_name(r)} if r.pauses_clocks else seeded_name(r))
        for r in SuspendReason.objects.filter(is_active=True)
    ]
    return choices


def _reason_form_field() -> forms.Field:
    return forms.ChoiceField(
        label=_("挂起类别"),
        choices=_reason_choices,
        required=False,
        error_messages={"invalid_choice": _("请选择有效的挂起类别。")},
    )


def _reason_api_field() -> serializers.Field:
    return serializers.CharField(
        max_length=32,
        required=False,
        allow_blank=True,
        help_text="Suspend reason code (sla.SuspendReason); an accepted reason pauses the clocks.",
    )


def _clean_reason(value: Any) -> str:
    code = (value or "").strip() if isinstance(value, str) else ""
    if value and not isinstance(value, str):
        code = "?"
    reason = services.suspend_reason(code) if code else None
    if code and (reason is None or not reason.is_active):
        message = _("请选择有效的挂起类别。")
        raise ValidationFailed(message, fields={"reason_code": [message]})
    return code


REASON_CODE = ext.TransitionInput(
    name="reason_code", form_field=_reason_form_field, api_field=_reason_api_field, clean=_clean_reason
)


# --- the order page and the API -------------------------------------------------------------------


def _clocks_of(request: HttpRequest, order: WorkOrder) -> list[Clock]:
    """The order's clocks, read once per request for the panels that show them."""
    cache: dict[int, list[Clock]] = request.__dict__.setdefault("_sla_clocks", {})
    if order.pk not in cache:
        cache[order.pk] = order_clocks(order)
    return cache[order.pk]


def _due_panel(request: HttpRequest, order: WorkOrder) -> dict[str, Any] | None:
    clock = next_clock(_clocks_of(request, order))
    if clock is None or not order.is_open:
        return None
    return {"clock": clock, "now": clock_mod.now()}


def _clocks_panel(request: HttpRequest, order: WorkOrder) -> dict[str, Any] | None:
    clocks = _clocks_of(request, order)
    if not clocks:
        return None
    user = request.user
    return {
        "clocks": clocks,
        "now": clock_mod.now(),
        # The policy row behind a clock links to its admin page for staff who may open it.
        "policy_admin": bool(user.is_staff and user.has_perm("sla.view_slapolicy")),
    }


def _clocks_field() -> serializers.Field:
    from powerdesk.sla.api import ClockOutputSerializer  # the API module imports this app's views

    return ClockOutputSerializer(many=True, read_only=True, help_text="The order's time limits.")


# --- the timeline ----------------------------------------------------------------------------------


def _label(choices: Any, value: Any) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def _when(value: Any) -> str:
    try:
        moment = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def present_clock_changes(events: Sequence[ext.PresentedEvent], viewer: ext.Viewer) -> None:
    """The clocks a transition started, met, paused or cancelled; a suspension's reason."""
    for item in events:
        data = item.data
        if data.get("reason_code"):
            reason = services.suspend_reason(data["reason_code"])
            name = seeded_name(reason) if reason is not None else data["reason_code"]
            item.lines.append(_("挂起类别：%(reason)s") % {"reason": name})
        if data.get("clocks_paused"):
            item.lines.append(_("时限计时已暂停"))
        for change in data.get("clocks") or []:
            if not isinstance(change, dict):
                continue
            kind = _label(ClockKind, change.get("kind", ""))
            if change.get("from"):
                state = f"{_label(ClockState, change['from'])} → {_label(ClockState, change.get('to', ''))}"
            else:
                state = _("开始计时")
            item.lines.append(
                _("时限「%(kind)s」：%(state)s，到期 %(due)s")
                % {"kind": kind, "state": state, "due": _when(change.get("due_at", ""))}
            )


def present_steps(events: Sequence[ext.PresentedEvent], viewer: ext.Viewer) -> None:
    """The sweep's steps, from their codes: which clock and policy, the step, whom it told, the due time."""
    for item in events:
        data = item.data
        if item.event.kind not in STEP_KINDS or not data.get("action"):
            continue
        clock_label = _label(ClockKind, str(data.get("clock", "")))
        if not item.note:  # written as codes: the policy named by id (older events kept a sentence)
            policy = services.policy_by_id(data["policy"]) if data.get("policy") else None
            item.note = (
                _("%(clock)s：%(policy)s") % {"clock": clock_label, "policy": seeded_name(policy)}
                if policy is not None
                else clock_label
            )
        before, after = data.get("before") or {}, data.get("after") or {}
        state_before = before.get("clock_state") if isinstance(before, dict) else None
        state_after = after.get("clock_state") if isinstance(after, dict) else None
        if state_before and state_before != state_after:
            item.changes.append(
                ext.Change(
                    label=_("时限状态"),
                    before=_label(ClockState, state_before),
                    after=_label(ClockState, state_after or ""),
                )
            )
        sent = _("已发送通知") if data.get("notified") else _("没有可通知的人员")
        item.lines.append(
            _("时限「%(kind)s」第 %(step)s 级：%(action)s（%(sent)s），到期 %(due)s")
            % {
                "kind": clock_label,
                "step": data.get("step", ""),
                "action": _label(EscalationStep.Action, data["action"]),
                "sent": sent,
                "due": _when(data.get("due_at", "")),
            }
        )


def present_retiming(events: Sequence[ext.PresentedEvent], viewer: ext.Viewer) -> None:
    """A re-timing after the calendar changed: the years and why, each clock's old and new due time."""
    for item in events:
        if item.event.kind != RETIMED:
            continue
        for entry in item.data.get("calendar") or []:
            if not isinstance(entry, dict):
                continue
            reason = CALENDAR_REASONS.get(str(entry.get("reason", "")), str(entry.get("reason", "")))
            item.lines.append(
                _("%(year)s 年日历：%(reason)s") % {"year": entry.get("year", ""), "reason": reason}
            )
        for change in item.data.get("retimed") or []:
            if not isinstance(change, dict):
                continue
            item.changes.append(
                ext.Change(
                    label=_("时限「%(kind)s」到期") % {"kind": _label(ClockKind, change.get("kind", ""))},
                    before=_when(change.get("due_before", "")),
                    after=_when(change.get("due_after", "")),
                )
            )


# --- registration ----------------------------------------------------------------------------------


def register() -> None:
    ext.order_opening.register(OWNER, "sla.plan_clocks", plan_clocks)
    ext.order_opened.register(OWNER, "sla.write_clocks", write_clocks)
    ext.transition_applied.register(OWNER, "sla.move_clocks", move_clocks)
    ext.register_transition_input(OWNER, "suspend", REASON_CODE)
    ext.order_panels.register(
        OWNER, "sla.next_clock", Panel(slot="due", template="sla/_order_due.html", context=_due_panel)
    )
    ext.order_panels.register(
        OWNER, "sla.clocks", Panel(slot="aside", template="sla/_order_clocks.html", context=_clocks_panel)
    )
    ext.detail_fields.register(
        OWNER, "clocks", DetailField(field=_clocks_field, load=lambda order, request: order_clocks(order))
    )
    for kind, label in EVENT_KINDS.items():
        ext.event_kinds.register(OWNER, kind, label)
    ext.event_presenters.register(OWNER, "sla.clock_changes", present_clock_changes)
    ext.event_presenters.register(OWNER, "sla.steps", present_steps)
    ext.event_presenters.register(OWNER, "sla.retiming", present_retiming)
