"""How the early warning plugs into the order (:mod:`powerdesk.workorders.extensions`) and the customer
page; registered once, from ``RiskConfig.ready()``.

- every contact counted on an order and every transition re-score the order and its customer
  (:func:`powerdesk.risk.services.order_risk_refresh`); the first time the score reaches the threshold the
  unit head is told, recorded on the contact's or the transition's own event;
- a sensitive customer's field order cannot be 处理完成 without photo or recording evidence (a
  transition validator; 回退 and 挂起 stay possible), and its attachments are held from retention;
- the order page shows the score and its reasons; the API's order detail carries them (``risk``); the
  customer page shows the customer's score.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from powerdesk.core.errors import ValidationFailed
from powerdesk.core.extensions import DetailField, Panel
from powerdesk.customers.extensions import customer_panels
from powerdesk.customers.models import Customer
from powerdesk.risk import presenting, reference, services
from powerdesk.risk.models import CustomerRisk, OrderRisk
from powerdesk.sla.extension import planned_clocks
from powerdesk.workorders import extensions as ext
from powerdesk.workorders.choices import FIELD_TYPES
from powerdesk.workorders.models import Attachment, WorkOrder

OWNER = "risk"
# After the clocks moved (sla's hook, position 100): the score reads them.
AFTER_CLOCKS = 200


def _on_contact(ctx: ext.ContactContext) -> None:
    c = ctx.contact
    services.order_risk_refresh(
        order=ctx.order,
        actor=c.actor,
        at=c.now,
        texts=[c.description],
        event_data=ctx.event_data,
        opened=ctx.opened,
        # the emotion of the suggestion this contact's form posted (triage's hook runs first), if any;
        # a repeat call without one reads the order's latest
        emotion=(ctx.event_data.get("triage") or {}).get("emotion") or (None if not ctx.opened else ""),
        clocks=planned_clocks(ctx.opening) if ctx.opened else None,
    )


def _on_transition(ctx: ext.TransitionContext) -> None:
    services.order_risk_refresh(order=ctx.order, actor=ctx.actor, at=ctx.at, event_data=ctx.event_data)


def require_evidence(check: ext.TransitionCheck) -> None:
    """处理完成 of a sensitive customer's field order needs a photo or a recording on the order first
    (the kinds are the policy's ``evidence_kinds``)."""
    order = check.order
    if check.code != "resolve" or order.business_type not in FIELD_TYPES:
        return
    customer = order.customer
    policy = reference.policy()
    if customer is None or not customer.is_sensitive or policy is None:
        return
    kinds = policy.evidence_kind_list()
    if kinds and not Attachment.objects.filter(order_id=order.pk, kind__in=kinds).exists():
        message = _("敏感客户的现场工单须先上传现场照片或录音，才能处理完成。")
        raise ValidationFailed(message, code="evidence_required")


def sensitive_hold() -> Q:
    """A sensitive customer's orders keep their attachments (evidence in a likely dispute)."""
    return Q(order__customer__is_sensitive=True)


def order_risk(order: WorkOrder) -> OrderRisk | None:
    return OrderRisk.objects.filter(order_id=order.pk).first()


def _panel(request: HttpRequest, order: WorkOrder) -> dict[str, Any] | None:
    risk = order_risk(order) if order.is_open else None
    if risk is None or risk.score <= 0:
        return None
    policy = reference.policy()
    threshold = policy.threshold if policy is not None else 0
    return {
        "risk": risk,
        "reasons": presenting.reasons_text(risk.reasons),
        "threshold": threshold,
        "above": bool(threshold) and risk.score >= threshold,
    }


class RiskOutputSerializer(serializers.Serializer):
    score = serializers.IntegerField()
    reasons = serializers.ListField(child=serializers.DictField(), help_text="Codes, counts and points.")
    reason_texts = serializers.ListField(child=serializers.CharField())
    computed_at = serializers.DateTimeField()
    alerted_at = serializers.DateTimeField(allow_null=True)

    class Meta:
        ref_name = "OrderRiskSummary"


def _detail_field() -> serializers.Field:
    return RiskOutputSerializer(allow_null=True, read_only=True, help_text="The complaint-risk score.")


def _detail_load(order: WorkOrder, request: Any) -> dict[str, Any] | None:
    risk = order_risk(order)
    if risk is None:
        return None
    return {
        "score": risk.score,
        "reasons": risk.reasons,
        "reason_texts": presenting.reasons_text(risk.reasons),
        "computed_at": risk.computed_at,
        "alerted_at": risk.alerted_at,
    }


def _customer_panel(request: HttpRequest, customer: Customer) -> dict[str, Any] | None:
    risk = CustomerRisk.objects.filter(customer=customer).first()
    if risk is None or risk.score <= 0:
        return None
    threshold = reference.policy()
    level = threshold.threshold if threshold is not None else 0
    return {
        "risk": risk,
        "reasons": presenting.reasons_text(risk.reasons),
        "above": bool(level) and risk.score >= level,
    }


def present_alerts(events: Sequence[ext.PresentedEvent], viewer: ext.Viewer) -> None:
    """An alert recorded on the event that raised it (a contact, a transition) or on its own (a
    re-scoring): the score against the threshold, the reasons, whether the head was told."""
    for item in events:
        alert = item.data.get(services.ALERT_EVENT)
        if not isinstance(alert, dict):
            continue
        item.lines.append(
            _("投诉风险预警：风险分 %(score)s（预警阈值 %(threshold)s）")
            % {"score": alert.get("score", ""), "threshold": alert.get("threshold", "")}
        )
        item.lines.extend(presenting.reasons_text(alert.get("reasons") or []))
        item.lines.append(_("已通知单位负责人") if alert.get("notified") else _("没有可通知的单位负责人"))


def register() -> None:
    ext.contact_counted.register(OWNER, "risk.score", _on_contact)
    ext.transition_applied.register(OWNER, "risk.score", _on_transition, position=AFTER_CLOCKS)
    ext.transition_validators.register(OWNER, "risk.sensitive_evidence", require_evidence)
    ext.attachment_holds.register(OWNER, "risk.sensitive_customer", sensitive_hold)
    ext.order_panels.register(
        OWNER, "risk.score", Panel(slot="aside", template="risk/_order_risk.html", context=_panel)
    )
    ext.detail_fields.register(OWNER, "risk", DetailField(field=_detail_field, load=_detail_load))
    customer_panels.register(
        OWNER,
        "risk.customer",
        Panel(slot="main", template="risk/_customer_risk.html", context=_customer_panel),
        position=1,
    )
    ext.event_kinds.register(OWNER, services.ALERT_EVENT, gettext_lazy("投诉风险预警"))
    ext.event_presenters.register(OWNER, "risk.alerts", present_alerts)
