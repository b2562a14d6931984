"""How the applications app plugs into the work order (:mod:`powerdesk.workorders.extensions`);
registered once, from ``ApplicationsConfig.ready()``.

- the order page shows the application: its steps (who, when, result, clock), the whole process (utility
  side and customer side apart), the documents received, the 一次性告知 record and every 补件 request
  with its reason, and the forms to move a step;
- a complaint's order page and judgment page (the ``complaint`` slot) show the complaining customer's
  补件 requests outside the 一次性告知 list, with reasons, who asked and when;
- the API's order detail carries ``application``, and on a complaint ``late_document_requests``;
- the timeline labels and presents this app's events;
- a customer cannot withdraw an application under way, and an order that closes ends its running steps
  (:mod:`.services.closing`);
- a 业务办理 order opened by the ordinary intake opens its application (:mod:`.services.intake`), and the
  intake form offers every kind's 一次性告知 list with how it was given (the hint ``application_notice``,
  also a field of the API's intake).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from powerdesk.applications import selectors, services
from powerdesk.applications.models import (
    ApplicationKind,
    DocumentType,
    NoticeChannel,
    ReturnReason,
    StepState,
    StepTemplate,
)
from powerdesk.applications.services import closing, kind_change, suspension
from powerdesk.applications.services import intake as intake_hook
from powerdesk.applications.services.steps import NOTICE_HINT
from powerdesk.applications.services.templates import kinds_notices
from powerdesk.core.extensions import DetailField, Panel
from powerdesk.core.seeded_names import seeded_name
from powerdesk.org.selectors import user_may
from powerdesk.sla.extensions import own_pauses
from powerdesk.sla.models import ClockKind, ClockState
from powerdesk.workorders import extensions as ext
from powerdesk.workorders.choices import BusinessType
from powerdesk.workorders.models import WorkOrder

OWNER = "applications"
EVENT_KINDS = {
    services.STARTED: gettext_lazy("业务办理受理"),
    services.STEP_DONE: gettext_lazy("办理环节完成"),
    services.STEP_RETURNED: gettext_lazy("办理环节退回"),
    services.DOCUMENT_REQUESTED: gettext_lazy("补件要求"),
    services.DOCUMENT_RECEIVED: gettext_lazy("收到申请资料"),
    "app_retimed": gettext_lazy("节假日日历变更，办理时限重新计算"),
    "app_kind_corrected": gettext_lazy("业务办理类别按客户类型更正"),
    services.KIND_CHANGED: gettext_lazy("业务办理类别更正"),
}


def _panel(request: HttpRequest, order: WorkOrder) -> dict[str, Any] | None:
    application = selectors.application_of(order)
    if application is None:
        return None
    steps = selectors.application_steps(application)
    user = request.user
    active = [s for s in steps if s.state == StepState.ACTIVE]
    documents = selectors.steps_documents(application, active)
    return {
        "application": application,
        "steps": steps,
        "active": [
            {
                "step": s,
                "refusal": services.step_refusal(user, order, s.template),  # type: ignore[arg-type]
                "actors": services.step_actors(order, s.template),
                # what the step requires, each received (its receipt) or missing (None)
                "documents": documents[s.pk],
                "missing": [d for d, receipt in documents[s.pk] if receipt is None],
            }
            for s in active
        ],
        "return_targets": list(
            StepTemplate.objects.filter(
                kind=application.kind, seq__lt=min((s.seq for s in active), default=0)
            )
        ),
        "standing": selectors.standing(application, steps),
        "notice": selectors.document_names(application.notice_documents),
        "requests": list(application.document_requests.select_related("document", "requested_by")),
        "receipts": list(application.receipts.select_related("document", "step__template", "attachment")),
        "documents": list(DocumentType.objects.filter(is_active=True)),
        "return_reasons": list(ReturnReason.objects.filter(is_active=True)),
        "may_record": user_may(user, services.RECORD_RIGHT),  # type: ignore[arg-type]
        # the dispatcher's or the manager's correction of a wrongly taken kind, while the application runs
        "kind_choices": list(ApplicationKind.objects.filter(is_active=True).exclude(pk=application.kind_id))
        if application.state == "active" and services.kind_change_refusal(user, order) is None  # type: ignore[arg-type]
        else [],
    }


def _late_requests(order: WorkOrder, user: Any) -> list[Any] | None:
    """On a complaint: the complaining customer's 补件 requests outside the 一次性告知 list, with their
    reasons (applications the reader sees), so the handler judges a 一次性告知不到位 complaint on them;
    None on other orders."""
    if order.business_type != BusinessType.COMPLAINT or order.customer_id is None:
        return None
    return selectors.late_document_requests(user, order.customer_id)


def _complaint_panel(request: HttpRequest, order: WorkOrder) -> dict[str, Any] | None:
    requests = _late_requests(order, request.user)
    return {"requests": requests} if requests else None


def _late_field() -> serializers.Field:
    from powerdesk.applications.api import LateDocumentRequestOutputSerializer

    return LateDocumentRequestOutputSerializer(
        many=True,
        read_only=True,
        allow_null=True,
        help_text="On a complaint: the customer's document requests outside the one-time notice list.",
    )


def _load_late(order: WorkOrder, request: Any) -> Any:
    return _late_requests(order, request.user)


def _intake_panel(request: HttpRequest, customer: Any) -> dict[str, Any] | None:
    """The intake form's 一次性告知 block: each kind's document list, and how the list was given (for a
    业务办理 order; the field is ignored for other business types)."""
    kinds = [{"kind": kind, "documents": documents} for kind, documents in kinds_notices() if documents]
    chosen = request.POST.get(NOTICE_HINT, "") if request.method == "POST" else ""
    return {
        "hint": NOTICE_HINT,
        "choices": NoticeChannel.choices,
        "chosen": chosen or NoticeChannel.PRINTED,
        "kinds": kinds,
        "open": (request.POST if request.method == "POST" else request.GET).get("business_type")
        == "application",
    }


def _notice_field() -> serializers.Field:
    """The API intake's ``application_notice``: how the 一次性告知 list was given, as on the console's
    intake form (the same hint); read for a 业务办理 order that opens an application, ignored otherwise;
    without it, the portal's own for a portal order and the printed notice for the others."""
    return serializers.ChoiceField(
        choices=NoticeChannel.choices,
        required=False,
        allow_blank=True,
        error_messages={"invalid_choice": gettext_lazy("请选择有效的告知方式。")},
        help_text="For an application (business type application): how the one-time list of every "
        f"document the application needs was given to the customer, one of {', '.join(NoticeChannel.values)}"
        " (printed notice, SMS, portal). Default: portal for the portal channel, printed otherwise. "
        "Ignored for other business types.",
    )


def _field() -> serializers.Field:
    from powerdesk.applications.api import ApplicationOutputSerializer  # the API imports this app's services

    return ApplicationOutputSerializer(read_only=True, allow_null=True, help_text="The application, if any.")


def _load(order: WorkOrder, request: Any) -> Any:
    return selectors.application_of(order)


def _present_kind_change(item: ext.PresentedEvent, data: Mapping[str, Any], steps: dict[str, str]) -> None:
    kinds = {
        k.code: seeded_name(k)
        for k in ApplicationKind.objects.filter(code__in=[data.get("from_kind"), data.get("kind")])
    }
    item.lines.append(
        _("类别：%(before)s → %(after)s")
        % {"before": kinds.get(data.get("from_kind", ""), "—"), "after": kinds.get(data.get("kind", ""), "—")}
    )
    for key, label in (
        ("ended", _("终止的环节：%(steps)s")),
        ("kept", _("保留的已完成环节：%(steps)s")),
        ("dropped", _("新类别没有的已完成环节：%(steps)s")),
    ):
        if data.get(key):
            item.lines.append(label % {"steps": "、".join(steps.get(c, c) for c in data[key])})


def present(events: Sequence[ext.PresentedEvent], viewer: ext.Viewer) -> None:
    """This app's events, from their codes: the step, the documents, the notice channel."""
    # this app's data on the order's own events
    ours = ("app_steps_withdrawn", suspension.EVENT_KEY, "app_kind_changed", "app_started")
    mine = [e for e in events if e.event.kind in EVENT_KINDS or any(e.data.get(k) for k in ours)]
    if not mine:
        return
    steps = {t.code: seeded_name(t) for t in StepTemplate.objects.all()}
    documents = {d.code: seeded_name(d) for d in DocumentType.objects.all()}
    reasons: dict[str, str] | None = None  # read when an event names one
    for item in mine:
        # a reclassification that made the order a 业务办理 one carries the opening's data as well
        opened = item.data.get("app_started")
        for data in [item.data, *([opened] if isinstance(opened, dict) else [])]:
            if data.get("notice_documents") is not None:
                names = "、".join(documents.get(c, c) for c in data["notice_documents"]) or "—"
                channel = dict(NoticeChannel.choices).get(data.get("notice_channel", ""), "")
                item.lines.append(_("一次性告知（%(how)s）：%(docs)s") % {"how": channel, "docs": names})
            if item.event.kind == services.KIND_CHANGED:
                _present_kind_change(item, data, steps)
            elif isinstance(data.get("app_kind_changed"), dict):  # a reclassification that changed the kind
                _present_kind_change(item, data["app_kind_changed"], steps)
            if data.get("step"):
                item.lines.append(_("环节：%(step)s") % {"step": steps.get(data["step"], data["step"])})
            if data.get("to_step"):
                item.lines.append(
                    _("退回至：%(step)s") % {"step": steps.get(data["to_step"], data["to_step"])}
                )
                if data.get("reason"):
                    reasons = (
                        reasons
                        if reasons is not None
                        else {r.code: seeded_name(r) for r in ReturnReason.objects.all()}
                    )
                    item.lines.append(
                        _("退回原因：%(reason)s") % {"reason": reasons.get(data["reason"], data["reason"])}
                    )
            for started in data.get("started") or data.get("steps") or []:
                if isinstance(started, dict):
                    item.lines.append(
                        _("开始环节「%(step)s」，到期 %(due)s")
                        % {
                            "step": steps.get(started.get("step", ""), ""),
                            "due": str(started.get("due_at", ""))[:16],
                        }
                    )
            if data.get("document"):
                item.lines.append(
                    _("资料：%(doc)s") % {"doc": documents.get(data["document"], data["document"])}
                )
                if data.get("on_notice") is False:
                    item.lines.append(_("不在一次性告知清单内"))
            for ended in data.get("app_steps_withdrawn") or []:
                if isinstance(ended, dict):
                    item.lines.append(
                        _("办理环节「%(step)s」已终止") % {"step": steps.get(ended.get("step", ""), "")}
                    )
            for moved in data.get(suspension.EVENT_KEY) or []:
                if isinstance(moved, dict):
                    item.lines.append(
                        _("%(kind)s计时%(state)s，到期 %(due)s")
                        % {
                            "kind": dict(ClockKind.choices).get(moved.get("kind", ""), ""),
                            "state": dict(ClockState.choices).get(moved.get("to", ""), ""),
                            "due": str(moved.get("due_at", ""))[:16],
                        }
                    )
            if data.get("missing_documents"):
                item.lines.append(
                    _("资料未收齐即办结：%(docs)s；原因：%(reason)s")
                    % {
                        "docs": "、".join(documents.get(c, c) for c in data["missing_documents"]),
                        "reason": data.get("document_reason", ""),
                    }
                )
            if data.get("completed"):
                item.lines.append(_("业务办理已办结"))
            for moved in data.get("retimed") or []:
                if isinstance(moved, dict):
                    item.lines.append(
                        _("%(kind)s到期：%(before)s → %(after)s")
                        % {
                            "kind": dict(ClockKind.choices).get(moved.get("kind", ""), ""),
                            "before": str(moved.get("due_before", ""))[:16],
                            "after": str(moved.get("due_after", ""))[:16],
                        }
                    )


def register() -> None:
    ext.order_panels.register(
        OWNER,
        "applications.panel",
        Panel(slot="aside", template="applications/_order_panel.html", context=_panel),
    )
    ext.order_panels.register(
        OWNER,
        "applications.late_documents",
        Panel(slot="complaint", template="applications/_late_documents.html", context=_complaint_panel),
    )
    ext.detail_fields.register(OWNER, "application", DetailField(field=_field, load=_load))
    ext.detail_fields.register(
        OWNER, "late_document_requests", DetailField(field=_late_field, load=_load_late)
    )
    for kind, label in EVENT_KINDS.items():
        ext.event_kinds.register(OWNER, kind, label)
    ext.event_presenters.register(OWNER, "applications.events", present)
    ext.transition_refusals.register(OWNER, "applications.cancel_started", closing.cancel_refusal)
    # Before sla's hook (position 100), which sets the order's due time from the clocks as they are then.
    ext.transition_applied.register(
        OWNER, "applications.steps_end_on_close", closing.steps_end_on_close, position=90
    )
    ext.transition_applied.register(
        OWNER, "applications.clocks_on_suspension", suspension.clocks_on_suspension, position=90
    )
    ext.transition_applied.register(
        OWNER, "applications.kind_on_reclassify", kind_change.kind_on_reclassify, position=90
    )
    for kind in (ClockKind.APP_STEP, ClockKind.APP_PROCESS):  # paused and resumed by the hook above
        own_pauses.register(OWNER, f"applications.{kind}", kind)
    ext.order_accepted.register(OWNER, "applications.open", intake_hook.application_open_at_intake)
    ext.intake_panels.register(
        OWNER, "applications.notice", Panel("form", "applications/_intake_notice.html", _intake_panel)
    )
    ext.intake_hints.register(OWNER, NOTICE_HINT, NOTICE_HINT)
    ext.intake_fields.register(OWNER, NOTICE_HINT, _notice_field)
