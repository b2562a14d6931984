"""The demo's satisfaction data: answers to some of the survey links the archived orders sent (through the
survey service, at a plausible moment after each link went out), and an entry in a service hall's 意见簿.
The callbacks themselves are part of the orders' replay (the feedback app's hooks record their attempts)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from powerdesk.core import clock
from powerdesk.feedback import services
from powerdesk.feedback.models import SurveyInvitation
from powerdesk.org.models import ServiceHall

ANSWERED_SHARE = 0.4
MAX_ANSWERS = 60
COMMENTS = [
    "",
    "",
    "师傅来得挺快，态度也好。",
    "电是来了，但等的时间比说的长。",
    "希望下次停电能提前发个短信。",
    "处理得很细致，谢谢。",
    "电话打了好几次才有人回复。",
]
OPINIONS = [
    ("营业厅里的自助缴费机有一台总是卡纸，麻烦修一下。", "陈女士"),
]


def build_feedback(rng: random.Random, now: dt.datetime, progress: Callable[[str], None]) -> int:
    """Answer some survey links and fill one opinion box; how many surveys were answered."""
    answered = 0
    # By order number, not row id: a parallel load archives (and invites) in another order, and the same
    # seed must answer the same orders.
    for invitation in (
        SurveyInvitation.objects.filter(order__isnull=False)
        .select_related("questions")
        .order_by("order__number")
    ):
        if answered >= MAX_ANSWERS or rng.random() > ANSWERED_SHARE:
            continue
        moment = invitation.created_at + dt.timedelta(hours=rng.uniform(0.2, 30))
        if moment >= min(now, invitation.expires_at):
            continue
        score = rng.choices([5, 4, 3, 2, 1], weights=[55, 25, 10, 6, 4])[0]
        questions = invitation.questions
        with clock.at(moment):
            services.survey_answer(
                token=services.survey_url(invitation).rsplit("/s/", 1)[1].rstrip("/"),
                score=score,
                resolved=score >= 3 or rng.random() < 0.3,
                restoration_right=rng.random() < 0.8 if questions.ask_restoration else None,
                comment=rng.choice(COMMENTS),
            )
        answered += 1
    hall = ServiceHall.objects.order_by("id").first()
    if hall is not None:
        for text, name in OPINIONS:
            with clock.at(now - dt.timedelta(days=1, hours=rng.uniform(0, 8))):
                services.opinion_add(hall=hall, text=text, name=name)
    progress(f"satisfaction: {answered} survey answers, {len(OPINIONS) if hall else 0} opinion-box entries")
    return answered
