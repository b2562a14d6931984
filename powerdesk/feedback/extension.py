"""How the feedback app plugs into the work order (:mod:`powerdesk.workorders.extensions`); registered
once, from ``FeedbackConfig.ready()``.

- the callback transition records each attempt with its time of day, closes an order tried often enough
  as 无法联系, and acts on a dissatisfied or unresolved callback (re-open or follow-up task, per rule);
- archiving an order sends its survey link (``transition_applied``);
- the order page shows the callback panel (script, attempts, survey result, follow-up tasks);
- the API's order detail carries ``callback_attempts``, ``survey`` and ``follow_ups``;
- the timeline presents the attempts, the outcome and the survey's answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from powerdesk.core.clock import BUSINESS_TZ
from powerdesk.core.extensions import DetailField, Panel
from powerdesk.core.seeded_names import seeded_name
from powerdesk.notify.extensions import customer_message_context
from powerdesk.workorders import extensions as ext
from powerdesk.workorders.choices import Status
from powerdesk.workorders.models import WorkOrder

from . import rules, selectors, services
from .models import FollowUpTask, SurveyResponse

OWNER = "feedback"
EVENT_KINDS = {services.SURVEY_EVENT: gettext_lazy("满意度调查结果")}
OUTCOME_LABELS = {
    rules.REOPEN: gettext_lazy("按回访规则将重开工单"),
    rules.FOLLOW_UP: gettext_lazy("按回访规则已生成跟进任务"),
}
REASON_LABELS = {rules.DISSATISFIED: gettext_lazy("回访不满意"), rules.UNRESOLVED: gettext_lazy("问题未解决")}


def on_transition(ctx: ext.TransitionContext) -> None:
    if ctx.code == "callback":
        services.callback_applied(ctx)
    elif ctx.code == "archive":
        services.survey_invite_on_archive(ctx)


# --- the order page and the API -------------------------------------------------------------------


def attempts_of(order: WorkOrder) -> list[dict[str, Any]]:
    bands = selectors.time_bands()
    names = {b.code: seeded_name(b) for b in bands}
    out = []
    for at in selectors.unreached_attempt_times(order, order.replied_at):
        code = rules.band_of(at.astimezone(BUSINESS_TZ).time(), bands) or ""
        out.append({"at": at, "band": code, "band_name": names.get(code, "")})
    return out


def survey_of(order: WorkOrder) -> SurveyResponse | None:
    return SurveyResponse.objects.filter(order=order).order_by("-id").first()


def _panel(request: HttpRequest, order: WorkOrder) -> dict[str, Any] | None:
    rule = selectors.callback_rule(order.business_type)
    tasks = list(FollowUpTask.objects.filter(order=order).select_related("owner").order_by("-id"))
    survey = survey_of(order)
    waiting = order.status == Status.REPLIED and (rule is None or rule.needs_callback)
    if not (waiting or tasks or survey or order.satisfaction):
        return None
    attempts = attempts_of(order) if order.status in (Status.REPLIED, Status.CALLED_BACK) else []
    policy = selectors.policy()
    return {
        "waiting": waiting,
        "script": rules.script_for(selectors.callback_scripts(), order.business_type, order.sub_type_id)
        if waiting
        else None,
        "attempts": attempts,
        "required": policy.unreached_attempts,
        "bands_left": max(
            0,
            policy.unreached_attempts - len({a["band"] for a in attempts if a["band"]}),
        ),
        "survey": survey,
        "tasks": tasks,
    }


class AttemptSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    band = serializers.CharField(help_text="Time-of-day band code (feedback.TimeBand).")

    class Meta:
        ref_name = "CallbackAttempt"


class SurveySerializer(serializers.Serializer):
    score = serializers.IntegerField(allow_null=True)
    resolved = serializers.BooleanField(allow_null=True)
    restoration_right = serializers.BooleanField(allow_null=True)
    comment = serializers.CharField()
    created_at = serializers.DateTimeField()

    class Meta:
        ref_name = "OrderSurveyResult"


class FollowUpBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reason = serializers.CharField()
    state = serializers.CharField()
    due_at = serializers.DateTimeField()

    class Meta:
        ref_name = "FollowUpBrief"


# --- the timeline ----------------------------------------------------------------------------------


def present(events: Sequence[ext.PresentedEvent], viewer: ext.Viewer) -> None:
    names = {b.code: seeded_name(b) for b in selectors.time_bands()}
    for item in events:
        data = item.data
        attempt = data.get("callback_attempt")
        if isinstance(attempt, dict) and attempt.get("reached") is False:
            band = names.get(str(attempt.get("band") or ""), "")
            item.lines.append(_("回访未接通（%(band)s）") % {"band": band or _("时段外")})
        if data.get("unreachable_closed"):
            item.lines.append(_("已在不同时段多次联系未果，可按“无法联系”归档"))
        outcome = data.get("callback_outcome")
        if isinstance(outcome, dict):
            item.lines.append(
                _("%(outcome)s：%(reason)s")
                % {
                    "outcome": OUTCOME_LABELS.get(str(outcome.get("action")), ""),
                    "reason": REASON_LABELS.get(str(outcome.get("reason")), ""),
                }
            )
        if data.get("survey_invited"):
            item.lines.append(_("已发送满意度调查短信"))
        if item.event.kind == services.SURVEY_EVENT:
            if data.get("score") is not None:
                item.lines.append(_("评分：%(score)s / 5") % {"score": data["score"]})
            for key, label in (("resolved", _("问题已解决")), ("restoration_right", _("告知的复电时间准确"))):
                if data.get(key) is not None:
                    item.lines.append(f"{label}：{_('是') if data[key] else _('否')}")
            if data.get("follow_up"):
                item.lines.append(_("低分，已生成跟进任务"))


def dissatisfied_handled(order: WorkOrder) -> bool:
    """A dissatisfied order whose rule opened a follow-up task may be archived: the task carries the rest."""
    return FollowUpTask.objects.filter(order=order, reason=FollowUpTask.Reason.DISSATISFIED).exists()


def callback_needed(order: WorkOrder) -> bool:
    """The business type's callback rule (data); a type without a rule is called back."""
    rule = selectors.callback_rule(order.business_type)
    return rule is None or rule.needs_callback


def register() -> None:
    ext.callback_needed.register(OWNER, "feedback.callback_rule", callback_needed)
    customer_message_context.register(OWNER, "feedback.survey_url", services.survey_link_context)
    ext.dissatisfied_handled.register(OWNER, "feedback.follow_up", dissatisfied_handled)
    # Before the clocks (position 100): closing an unreachable callback tells them the callback is done.
    ext.transition_applied.register(OWNER, "feedback.transitions", on_transition, position=50)
    ext.order_panels.register(
        OWNER,
        "feedback.callback",
        Panel(slot="aside", template="feedback/_order_callback.html", context=_panel),
    )
    ext.detail_fields.register(
        OWNER,
        "callback_attempts",
        DetailField(
            field=lambda: AttemptSerializer(
                many=True, read_only=True, help_text="Unreached callback attempts."
            ),
            load=lambda order, request: attempts_of(order),
        ),
    )
    ext.detail_fields.register(
        OWNER,
        "survey",
        DetailField(
            field=lambda: SurveySerializer(read_only=True, allow_null=True, help_text="The survey's answer."),
            load=lambda order, request: survey_of(order),
        ),
    )
    ext.detail_fields.register(
        OWNER,
        "follow_ups",
        DetailField(
            field=lambda: FollowUpBriefSerializer(many=True, read_only=True, help_text="Follow-up tasks."),
            load=lambda order, request: list(FollowUpTask.objects.filter(order=order).order_by("id")),
        ),
    )
    for kind, label in EVENT_KINDS.items():
        ext.event_kinds.register(OWNER, kind, label)
    ext.event_presenters.register(OWNER, "feedback.present", present)
