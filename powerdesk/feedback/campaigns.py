"""Survey campaigns (服务调查): a target group of customers (a unit subtree, optionally one customer
type), a question set and a period, sent in batches by a Procrastinate job with the progress on the row.

Each batch claims the campaign row, walks the target group by customer id after the row's cursor, skips
customers who opted out of surveys or were surveyed within the frequency cap (``rules.may_survey``),
invites the rest by SMS, moves the cursor and defers the next batch — all in one transaction, so a batch
that fails leaves nothing half-done and a batch run twice continues from where the first stopped."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils.translation import gettext as _

from powerdesk.core import clock
from powerdesk.core.errors import ValidationFailed
from powerdesk.core.jobs import defer_in_transaction
from powerdesk.customers.models import Customer, CustomerPhone
from powerdesk.notify.models import CustomerOptOut, NotifyChannel
from powerdesk.notify.services import notification_enqueue_many
from powerdesk.org.models import Unit, User

from . import rules, selectors, services
from .models import QuestionSet, SurveyCampaign, SurveyInvitation, SurveyOptOut


def target_group(campaign: SurveyCampaign) -> QuerySet[Customer]:
    """The campaign's customers: those whose 台区 is in the unit's subtree, of its customer type."""
    qs = Customer.objects.filter(area__path__startswith=campaign.unit.path)
    if campaign.customer_type:
        qs = qs.filter(customer_type=campaign.customer_type)
    return qs.order_by("pk")


@transaction.atomic
def campaign_create(
    *,
    actor: User,
    name: str,
    unit: Unit,
    questions: QuestionSet,
    starts_on: Any,
    ends_on: Any,
    customer_type: str = "",
) -> SurveyCampaign:
    if ends_on < starts_on:
        message = _("结束日期不能早于开始日期。")
        raise ValidationFailed(message, fields={"ends_on": [message]})
    campaign = SurveyCampaign(
        name=name.strip(),
        unit=unit,
        customer_type=customer_type,
        questions=questions,
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=actor,
        created_at=clock.now(),
    )
    campaign.targeted = target_group(campaign).count()
    campaign.save()
    return campaign


@transaction.atomic
def campaign_start(*, campaign: SurveyCampaign) -> SurveyCampaign:
    """Start sending: the first batch job is deferred with the state change."""
    locked = SurveyCampaign.objects.select_for_update().get(pk=campaign.pk)
    if locked.state != SurveyCampaign.State.DRAFT:
        raise ValidationFailed(_("该调查已开始发送。"))
    today = clock.local_date()
    if not locked.starts_on <= today <= locked.ends_on:
        raise ValidationFailed(_("不在调查期内，不能发送。"))
    locked.state = SurveyCampaign.State.SENDING
    locked.save(update_fields=["state"])
    _defer_next(locked)
    return locked


def _defer_next(campaign: SurveyCampaign) -> None:
    from powerdesk.feedback.tasks import send_campaign_batch

    defer_in_transaction(send_campaign_batch, {"campaign_id": campaign.pk})


def _phones(customer_ids: list[int]) -> dict[int, str]:
    """The first phone of each customer (the account holder's number: a campaign is about the account)."""
    phones: dict[int, str] = {}
    for customer_id, number in (
        CustomerPhone.objects.filter(customer_id__in=customer_ids)
        .order_by("customer_id", "id")
        .values_list("customer_id", "number")
    ):
        phones.setdefault(customer_id, number)
    return phones


@transaction.atomic
def campaign_send_batch(*, campaign_id: int) -> dict[str, Any]:
    campaign = (
        SurveyCampaign.objects.select_for_update()
        .select_related("unit", "questions")
        .filter(pk=campaign_id)
        .first()
    )
    if campaign is None or campaign.state != SurveyCampaign.State.SENDING:
        return {"sent": 0, "skipped": 0, "done": True}
    policy = selectors.policy()
    now = clock.now()
    batch = list(target_group(campaign).filter(pk__gt=campaign.cursor)[: policy.campaign_batch_size])
    ids = [c.pk for c in batch]
    # Consent: declining surveys, or the campaign's channel (notify's opt-out), leaves the customer out
    # before an invitation is written, so the progress counts them as skipped.
    opted_out = set(SurveyOptOut.objects.filter(customer_id__in=ids).values_list("customer_id", flat=True))
    opted_out |= set(
        CustomerOptOut.objects.filter(customer_id__in=ids, channel=NotifyChannel.SMS).values_list(
            "customer_id", flat=True
        )
    )
    last = dict(
        SurveyInvitation.objects.filter(customer_id__in=ids)
        .values("customer_id")
        .annotate(at=Max("created_at"))
        .values_list("customer_id", "at")
    )
    phones = _phones(ids)
    sent = skipped = 0
    requests = []
    for customer in batch:
        allowed = rules.may_survey(
            opted_out=customer.pk in opted_out,
            last_invited_at=last.get(customer.pk),
            now=now,
            gap_days=policy.campaign_gap_days,
        )
        phone = phones.get(customer.pk, "")
        if not allowed or not phone:
            skipped += 1
            continue
        invitation = services.survey_invitation_create(
            questions=campaign.questions, phone=phone, at=now, customer_id=customer.pk, campaign=campaign
        )
        requests.append(
            {
                "channel": NotifyChannel.SMS,
                "template_code": services.CAMPAIGN_TEMPLATE,
                "context": {"campaign": campaign.name, "survey_url": services.survey_url(invitation)},
                "recipient_address": phone,
                "customer_id": customer.pk,
                "dedupe_key": f"survey:{invitation.pk}",
            }
        )
        sent += 1
    notification_enqueue_many(requests)
    campaign.sent += sent
    campaign.skipped += skipped
    if batch:
        campaign.cursor = batch[-1].pk
    done = len(batch) < policy.campaign_batch_size
    if done:
        campaign.state = SurveyCampaign.State.DONE
    campaign.save(update_fields=["sent", "skipped", "cursor", "state"])
    if not done:
        _defer_next(campaign)
    return {"sent": sent, "skipped": skipped, "done": done}
