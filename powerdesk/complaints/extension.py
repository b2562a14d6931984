"""How the complaint app plugs into the work order (:mod:`powerdesk.workorders.extensions`); registered
once, from ``ComplaintsConfig.ready()``.

- opening a complaint order writes its record (the classification it was opened with) and checks the
  repeat-complaint rule: a repeat is flagged, named on the 受理 event and on the earlier order;
- the order page shows the record, the latest verdict and the rectifications (or, for a 表扬, whom it
  credits) with links to their forms;
- the API's order detail carries ``complaint`` and ``praise``;
- the timeline labels and presents this app's events, and a reclassification it caused.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from powerdesk.complaints import extensions, services
from powerdesk.complaints.models import Criterion, Judgment, PraiseCredit, Severity, Verdict
from powerdesk.core.extensions import DetailField, Panel
from powerdesk.core.seeded_names import seeded_name
from powerdesk.org.selectors import user_may
from powerdesk.workorders import extensions as ext
from powerdesk.workorders.choices import BusinessType
from powerdesk.workorders.models import WorkOrder

OWNER = "complaints"
EVENT_KINDS = {
    services.RECORD_UPDATED: gettext_lazy("投诉信息"),
    services.JUDGED: gettext_lazy("投诉判定"),
    services.RECTIFICATION_CLOSED: gettext_lazy("整改完成"),
    services.PRAISE_CREDITED: gettext_lazy("表扬对象"),
    services.REPEAT_COMPLAINT: gettext_lazy("被重复投诉"),
}
EFFECTS = {
    "met": gettext_lazy("满足"),
    "failed": gettext_lazy("不满足（投诉不成立）"),
    "needs_evidence": gettext_lazy("不满足（待补证）"),
    "unknown": gettext_lazy("待核实"),
    "skipped": gettext_lazy("本标准不要求"),
}


# --- opening ------------------------------------------------------------------------------------------


def check_repeat(ctx: ext.OpenContext) -> None:
    if ctx.order.business_type != BusinessType.COMPLAINT:
        return
    earlier = services.find_repeat(ctx.order, [], ctx.at)
    ctx.state[OWNER] = earlier
    if earlier is not None:
        ctx.order.is_flagged = True
        ctx.event_data["repeat_complaint"] = earlier.number


def write_record(ctx: ext.OpenContext) -> None:
    if ctx.order.business_type != BusinessType.COMPLAINT:
        return
    earlier = ctx.state.get(OWNER)
    services.record_for_new_order(ctx.order, repeat_of=earlier, at=ctx.at)
    if earlier is not None:
        services.mark_repeated(earlier=earlier, order=ctx.order, actor=ctx.actor, at=ctx.at)


def record_on_reclassify(ctx: ext.TransitionContext) -> None:
    """An order reclassified as a complaint gets its record then (with the complaint classification it
    was given), unless it had one: a complaint downgraded and raised again keeps its first record."""
    if ctx.code != "reclassify" or ctx.order.business_type != BusinessType.COMPLAINT:
        return
    if not services.ComplaintRecord.objects.filter(order=ctx.order).exists():
        services.record_for_new_order(ctx.order, repeat_of=None, at=ctx.at)
        ctx.event_data["complaint_record"] = True


# --- the order page and the API -------------------------------------------------------------------


def _panel(request: HttpRequest, order: WorkOrder) -> dict[str, Any] | None:
    from powerdesk.complaints import selectors

    user: Any = request.user  # login_required: a powerdesk.org user
    if order.business_type == BusinessType.PRAISE:
        credit = PraiseCredit.objects.select_related("staff", "unit").filter(order=order).first()
        return {
            "praise": True,
            "credit": credit,
            "order": order,
            "may_edit": user_may(user, services.EDIT_RIGHT),
        }
    record = selectors.record_get(order)
    if record is None:
        return None
    rectifications = selectors.rectifications_of(order)
    notes = extensions.notes_for(rectifications, user)  # e.g. the learning a rectification asked for
    for r in rectifications:
        setattr(r, "notes", notes.get(r.pk, []))  # noqa: B010 (the template reads it; not a column)
    return {
        "praise": False,
        "order": order,
        "record": record,
        "related": list(record.related_orders.order_by("created_at")),
        "judgment": selectors.latest_judgment(record),
        "rectifications": rectifications,
        "may_edit": user_may(user, services.EDIT_RIGHT),
        "may_judge": order.is_open
        and order.business_type == BusinessType.COMPLAINT
        and user_may(user, services.JUDGE_RIGHT),
    }


def _complaint_field() -> serializers.Field:
    from powerdesk.complaints.api import ComplaintOutputSerializer

    return ComplaintOutputSerializer(
        read_only=True, allow_null=True, help_text="The complaint record, if any."
    )


def _praise_field() -> serializers.Field:
    from powerdesk.complaints.api import PraiseOutputSerializer

    return PraiseOutputSerializer(read_only=True, allow_null=True, help_text="Whom a 表扬 order credits.")


def _load_complaint(order: WorkOrder, request: Any) -> Any:
    from powerdesk.complaints import selectors

    return selectors.record_get(order)


def _load_praise(order: WorkOrder, request: Any) -> Any:
    return PraiseCredit.objects.select_related("staff", "unit").filter(order=order).first()


# --- the timeline ----------------------------------------------------------------------------------


def present(events: Sequence[ext.PresentedEvent], viewer: ext.Viewer) -> None:
    """This app's events from their codes; a reclassification this app caused says so."""
    severities = {s.pk: seeded_name(s) for s in Severity.objects.all()} if events else {}
    judged = [e for e in events if e.event.kind == services.JUDGED and e.data.get("judgment")]
    judgments = (
        {j.pk: j for j in Judgment.objects.filter(pk__in=[e.data["judgment"] for e in judged])}
        if judged
        else {}
    )
    texts = criterion_texts({j.checklist_id for j in judgments.values()})
    for item in events:
        kind, data = item.event.kind, item.data
        if kind == services.JUDGED:
            verdict = str(dict(Verdict.choices).get(data.get("verdict", ""), data.get("verdict", "")))
            item.lines.append(_("判定结果：%(verdict)s") % {"verdict": verdict})
            judgment = judgments.get(int(data.get("judgment") or 0))
            if judgment is not None:
                for reason in judgment.reasons:
                    if reason.get("effect") in ("met", "skipped"):
                        continue
                    text = texts.get(
                        (judgment.checklist_id, reason.get("criterion")), reason.get("criterion")
                    )
                    item.lines.append(f"{text}：{EFFECTS.get(reason.get('effect'), reason.get('effect'))}")
            if data.get("rectification"):
                item.lines.append(_("已建立整改任务 #%(id)s") % {"id": data["rectification"]})
        elif kind == services.RECORD_UPDATED:
            after = data.get("after") or {}
            if "severity" in after:
                name = severities.get(after["severity"], "—") if after["severity"] else "—"
                item.changes.append(ext.Change(label=_("投诉等级"), before=None, after=str(name)))
            if data.get("repeat_of"):
                item.lines.append(_("重复投诉：原工单 %(order)s") % {"order": data["repeat_of"]})
            if "leadership" in data:
                item.lines.append(_("已报告领导 %(count)s 人") % {"count": len(data["leadership"])})
            other = sorted(k for k in after if k != "severity")
            if other:
                item.lines.append(
                    _("已更新：%(fields)s") % {"fields": ", ".join(_field_label(k) for k in other)}
                )
        elif kind == services.REPEAT_COMPLAINT and data.get("order"):
            item.lines.append(_("客户就同一事件再次投诉：%(order)s") % {"order": data["order"]})
        elif kind == services.PRAISE_CREDITED:
            item.lines.append(_("已记录受表扬对象"))
        elif kind == "created" and data.get("repeat_complaint"):
            item.lines.append(_("重复投诉：原工单 %(order)s") % {"order": data["repeat_complaint"]})
        elif (
            kind == "reclassify" and isinstance(data.get("cause"), dict) and data["cause"].get("app") == OWNER
        ):
            item.lines.append(_("投诉判定不成立，降级处理"))


def criterion_texts(checklist_ids: set[int]) -> dict[tuple[int, str], str]:
    """(checklist, criterion code) → the criterion's text, for the checklists named (one query)."""
    if not checklist_ids:
        return {}
    rows = Criterion.objects.filter(checklist_id__in=checklist_ids).values_list(
        "checklist_id", "code", "text"
    )
    return {(c, code): text for c, code, text in rows}


FIELD_LABELS = {
    "staff": gettext_lazy("被投诉员工"),
    "staff_name": gettext_lazy("被投诉人员或班组"),
    "outsourced": gettext_lazy("外包人员"),
    "team": gettext_lazy("被投诉班组或单位"),
    "hall": gettext_lazy("营业厅"),
    "event_at": gettext_lazy("事件发生时间"),
    "related_orders": gettext_lazy("相关工单"),
}


def _field_label(key: str) -> str:
    return str(FIELD_LABELS.get(key, key))


# --- registration ----------------------------------------------------------------------------------


def register() -> None:
    ext.order_opening.register(OWNER, "complaints.check_repeat", check_repeat)
    ext.order_opened.register(OWNER, "complaints.write_record", write_record)
    ext.transition_applied.register(OWNER, "complaints.record_on_reclassify", record_on_reclassify)
    ext.order_panels.register(
        OWNER,
        "complaints.record",
        Panel(slot="aside", template="complaints/_order_panel.html", context=_panel),
    )
    ext.detail_fields.register(OWNER, "complaint", DetailField(field=_complaint_field, load=_load_complaint))
    ext.detail_fields.register(OWNER, "praise", DetailField(field=_praise_field, load=_load_praise))
    for kind, label in EVENT_KINDS.items():
        ext.event_kinds.register(OWNER, kind, label)
    ext.event_presenters.register(OWNER, "complaints.events", present)
