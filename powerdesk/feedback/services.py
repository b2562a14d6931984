"""Writes of the feedback app: what a callback leads to, survey invitations and answers, follow-up tasks
and opinion-box entries. Each runs in one transaction; side effects (the SMS, the re-open job) are
enqueued in it."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from powerdesk.core import clock
from powerdesk.core.errors import DomainError, NotFound, ValidationFailed
from powerdesk.core.jobs import defer_in_transaction
from powerdesk.notify import customer_messages
from powerdesk.notify.models import MessageAudience, NotifyChannel
from powerdesk.notify.services import notification_enqueue
from powerdesk.org.models import ServiceHall, User
from powerdesk.workorders.choices import Satisfaction, Status
from powerdesk.workorders.events import event_write
from powerdesk.workorders.extensions import TransitionContext
from powerdesk.workorders.models import WorkOrder

from . import rules, selectors
from .models import (
    FollowUpTask,
    OpinionEntry,
    QuestionSet,
    SurveyCampaign,
    SurveyInvitation,
    SurveyOptOut,
    SurveyResponse,
)

SURVEY_SALT = "powerdesk.feedback.survey"
SURVEY_TEMPLATE = "feedback_survey"
CAMPAIGN_TEMPLATE = "feedback_campaign"
SURVEY_EVENT = "survey_answered"


class SurveyLinkInvalid(DomainError):
    """A survey link that cannot be answered: ``reason`` is ``forged``, ``expired`` or ``used``."""

    code = "survey_link_invalid"
    http_status = 400

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


# --- callbacks ------------------------------------------------------------------------------------


def callback_applied(ctx: TransitionContext) -> None:
    """The callback transition, in its transaction (a ``transition_applied`` hook that runs before the
    clocks'): record the attempt, close an order tried often enough as 无法联系, and act on a dissatisfied
    or unresolved callback per the business type's rule."""
    order = ctx.order
    local = ctx.at.astimezone(clock.BUSINESS_TZ)
    if order.satisfaction == Satisfaction.UNREACHABLE:
        bands = selectors.time_bands()
        ctx.event_data["callback_attempt"] = {
            "reached": False,
            "band": rules.band_of(local.time(), bands) or "",
        }
        earlier = selectors.unreached_attempt_times(order, order.replied_at)
        times = [t.astimezone(clock.BUSINESS_TZ).time() for t in earlier] + [local.time()]
        if rules.may_close_unreachable(times, bands, selectors.policy().unreached_attempts):
            # Tried at every time of day the rule asks for: the callback is done (its clock met), and the
            # order may be archived as 无法联系.
            order.status = Status.CALLED_BACK
            ctx.changed.add("status")
            ctx.trigger = "callback"
            ctx.event_data["unreachable_closed"] = True
        return
    ctx.event_data["callback_attempt"] = {"reached": True}
    rule = selectors.callback_rule(order.business_type)
    if rule is None:
        return
    action, reason = rules.callback_outcome(
        satisfaction=order.satisfaction,
        resolved=order.callback_resolved,
        on_dissatisfied=rule.on_dissatisfied,
        on_unresolved=rule.on_unresolved,
    )
    if action == rules.NOTHING:
        return
    ctx.event_data["callback_outcome"] = {"action": action, "reason": reason}
    if action == rules.FOLLOW_UP:
        follow_up_create(order=order, reason=reason, at=ctx.at)
    else:
        from powerdesk.feedback.tasks import reopen_after_callback

        # The re-open is a transition of its own, with its own event and clocks: a job deferred in this
        # transaction runs it once the callback is committed.
        defer_in_transaction(
            reopen_after_callback,
            {"order_id": order.pk, "actor_id": ctx.actor.pk, "version": order.version + 1, "reason": reason},
        )


def callback_reopen(*, order_id: int, actor_id: int, version: int, reason: str) -> WorkOrder | None:
    """Re-open an order after the callback that asked for it (the job's work). Runs once: the request id
    names the callback's version, so a second run finds the re-open already done."""
    from powerdesk.workorders.services import workorder_reopen

    order = WorkOrder.objects.filter(pk=order_id).first()
    actor = User.objects.filter(pk=actor_id).first()
    if order is None or actor is None:
        return None
    if (
        order.status != Status.CALLED_BACK
        and not order.events.filter(request_id=f"feedback-reopen:{order_id}:{version}").exists()
    ):
        return None  # someone moved the order on meanwhile (re-opened or archived it by hand)
    label = {rules.DISSATISFIED: _("回访不满意"), rules.UNRESOLVED: _("回访问题未解决")}.get(reason, reason)
    return workorder_reopen(
        order=order,
        actor=actor,
        reason=_("按回访规则重开：%(reason)s") % {"reason": label},
        request_id=f"feedback-reopen:{order_id}:{version}",
    )


# --- follow-up tasks ------------------------------------------------------------------------------


def follow_up_create(
    *, order: WorkOrder, reason: str, detail: str = "", at: dt.datetime | None = None
) -> FollowUpTask:
    """A follow-up task on ``order`` for the unit that handled it, owned by its handler when there is one."""
    now = at or clock.now()
    unit_id = order.unit_id or order.owner.unit_id
    assert unit_id is not None  # an order always has a unit or an owner with one (intake sets it)
    return FollowUpTask.objects.create(
        order=order,
        unit_id=unit_id,
        owner_id=order.assignee_id,
        reason=reason,
        detail=detail,
        due_at=rules.follow_up_due(now, selectors.policy().follow_up_days),
        created_at=now,
    )


@transaction.atomic
def follow_up_close(*, task_id: int, actor: User, note: str) -> FollowUpTask:
    note = (note or "").strip()
    if not note:
        message = _("请填写处理结果。")
        raise ValidationFailed(message, fields={"note": [message]})
    task = (
        selectors.follow_ups(user=actor, scope="all", state="")
        .select_for_update(of=("self",))
        .filter(pk=task_id)
        .first()
    )
    if task is None:
        raise NotFound(_("找不到该跟进任务。"))
    if task.state == FollowUpTask.State.CLOSED:
        if task.closed_by_id == actor.pk and task.closing_note == note:
            return task  # the same close sent again (a retry): done already
        message = _("该跟进任务已关闭。")
        raise ValidationFailed(message, fields={"note": [message]})
    task.state = FollowUpTask.State.CLOSED
    task.closed_at = clock.now()
    task.closed_by = actor
    task.closing_note = note
    task.save(update_fields=["state", "closed_at", "closed_by", "closing_note"])
    return task


# --- surveys --------------------------------------------------------------------------------------


def survey_url(invitation: SurveyInvitation) -> str:
    token = signing.dumps({"i": invitation.pk, "n": invitation.nonce}, salt=SURVEY_SALT, compress=True)
    path = reverse("feedback_public:survey", args=[token])
    return settings.POWERDESK_PUBLIC_BASE_URL.rstrip("/") + path


def _opted_out(customer_id: int | None) -> bool:
    return customer_id is not None and SurveyOptOut.objects.filter(customer_id=customer_id).exists()


def survey_invite_on_archive(ctx: TransitionContext) -> None:
    """After an order is archived (a ``transition_applied`` hook): one survey per order, by SMS to the
    caller's number, when the business type's rule names a question set."""
    order = ctx.order
    rule = selectors.callback_rule(order.business_type)
    if rule is None or rule.survey is None:
        return
    phone = order.caller_phone if not order.caller_withheld else ""
    if not phone or _opted_out(order.customer_id) or SurveyInvitation.objects.filter(order=order).exists():
        return
    invitation = survey_invitation_create(
        questions=rule.survey, phone=phone, order=order, customer_id=order.customer_id, at=ctx.at
    )
    ctx.event_data["survey_invited"] = True
    closing = customer_messages.step_rule(order, "closed")
    if closing is not None and closing.audience == MessageAudience.CALLER:
        return  # the closure message to the caller carries the link (survey_link_context): one SMS, not two
    notification_enqueue(
        channel=NotifyChannel.SMS,
        template_code=SURVEY_TEMPLATE,
        context={"order_number": order.number, "survey_url": survey_url(invitation)},
        recipient_address=phone,
        order=order,
        dedupe_key=f"survey:{invitation.pk}",
    )


def survey_link_context(order: WorkOrder, step: str) -> dict[str, str]:
    """The closure message's ``survey_url``: the order's survey link, written by the archive's hook just
    before (notify's ``customer_message_context``)."""
    if step != "closed":
        return {}
    invitation = SurveyInvitation.objects.filter(order=order, campaign__isnull=True).order_by("-pk").first()
    return {"survey_url": survey_url(invitation)} if invitation is not None else {}


def survey_invitation_create(
    *,
    questions: QuestionSet,
    phone: str,
    at: dt.datetime,
    order: WorkOrder | None = None,
    customer_id: int | None = None,
    campaign: SurveyCampaign | None = None,
) -> SurveyInvitation:
    """A survey link's row: a random nonce (what the signed token names with the id), valid for the
    policy's hours. The caller sends it (:func:`survey_url`) in the same transaction."""
    return SurveyInvitation.objects.create(
        order=order,
        campaign=campaign,
        customer_id=customer_id,
        questions=questions,
        phone=phone,
        nonce=secrets.token_hex(16),
        created_at=at,
        expires_at=at + dt.timedelta(hours=selectors.policy().survey_valid_hours),
    )


def survey_open(token: str) -> SurveyInvitation:
    """The invitation a link stands for, if it may still be answered (else :class:`SurveyLinkInvalid`)."""
    return _invitation(token, lock=False)


def _invitation(token: str, *, lock: bool) -> SurveyInvitation:
    try:
        payload = signing.loads(token, salt=SURVEY_SALT)
        pk, nonce = int(payload["i"]), str(payload["n"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise SurveyLinkInvalid("forged") from None
    qs = SurveyInvitation.objects.select_related("questions", "order")
    if lock:
        qs = qs.select_for_update(of=("self",))
    invitation = qs.filter(pk=pk, nonce=nonce).first()
    if invitation is None:
        raise SurveyLinkInvalid("forged")
    if invitation.used_at is not None:
        raise SurveyLinkInvalid("used")
    if invitation.expired(clock.now()):
        raise SurveyLinkInvalid("expired")
    return invitation


@transaction.atomic
def survey_answer(
    *,
    token: str,
    score: int | None = None,
    resolved: bool | None = None,
    restoration_right: bool | None = None,
    comment: str = "",
) -> SurveyResponse:
    """Store the answer of a survey link, once. On an order: a timeline event, and a follow-up task when
    the score is low. A forged, expired or used link stores nothing."""
    invitation = _invitation(token, lock=True)
    questions = invitation.questions
    now = clock.now()
    response = SurveyResponse.objects.create(
        invitation=invitation,
        order=invitation.order,
        campaign_id=invitation.campaign_id,
        score=score if questions.ask_score else None,
        resolved=resolved if questions.ask_resolved else None,
        restoration_right=restoration_right if questions.ask_restoration else None,
        comment=(comment or "").strip() if questions.ask_comment else "",
        created_at=now,
    )
    invitation.used_at = now
    invitation.save(update_fields=["used_at"])
    order = invitation.order
    if order is not None:
        low = rules.is_low_score(response.score, selectors.policy().low_score)
        event_write(
            order=order,
            kind=SURVEY_EVENT,
            note=response.comment,
            data={
                "survey": response.pk,
                "score": response.score,
                "resolved": response.resolved,
                "restoration_right": response.restoration_right,
                "follow_up": low,
            },
            at=now,
        )
        if low:
            follow_up_create(
                order=order, reason=FollowUpTask.Reason.LOW_SCORE, detail=response.comment, at=now
            )
    return response


# --- the opinion box ------------------------------------------------------------------------------


def opinion_add(*, hall: ServiceHall, text: str, name: str = "", phone: str = "") -> OpinionEntry:
    text = (text or "").strip()
    if not text:
        message = _("请填写意见内容。")
        raise ValidationFailed(message, fields={"text": [message]})
    return OpinionEntry.objects.create(
        hall=hall, text=text, name=(name or "").strip(), phone=(phone or "").strip(), created_at=clock.now()
    )
