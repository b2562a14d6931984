"""The copies of a closed order's personal data that other apps keep beside the order, blanked with it.

The order anonymisation (``services._anonymise_orders``) rewrites the order, its timeline, contacts and
customer messages; what the apps above the order wrote about the same person lives in their own tables:

* feedback: the survey invitation's number, the survey answer's comment (the customer's own words), the
  follow-up tasks' detail and closing note (what the callback agent wrote down);
* triage: the suggestion stored for the caller's words (the words that drove each target, which can
  be a name or a number the caller said) and what the agent chose;
* outages: the number each call under an outage came from;
* complaints: the judgments' notes and the rectifications' task and result texts.

Each is blanked or scrubbed with the order's known values (``rules.scrub_text``), in the caller's
transaction. Statistics stay: scores, resolved flags, verdicts, states, times and links are not touched,
and no row is removed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import SimpleNamespace

from powerdesk.complaints.models import Judgment, Rectification
from powerdesk.core import bulk
from powerdesk.feedback.models import FollowUpTask, SurveyInvitation, SurveyResponse
from powerdesk.outages.models import OutageCall
from powerdesk.privacy import rules
from powerdesk.triage.models import TriageRecord

Known = Mapping[int, tuple[str, ...]]  # the known personal values per order id


def anonymise_copies(order_ids: Sequence[int], known: Known) -> int:
    """Blank the copies the apps keep of the orders ``order_ids``; how many rows changed."""
    return sum(
        step(order_ids, known)
        for step in (_surveys, _follow_ups, _triage_records, _outage_calls, _judgments, _rectifications)
    )


def _surveys(order_ids: Sequence[int], known: Known) -> int:
    invitations = SurveyInvitation.objects.filter(order_id__in=order_ids).exclude(phone="").update(phone="")
    answers = [
        SimpleNamespace(id=pk, comment=rules.scrub_text(comment, known[order_id]))
        for pk, order_id, comment in SurveyResponse.objects.filter(order_id__in=order_ids)
        .exclude(comment="")
        .values_list("pk", "order_id", "comment")
    ]
    bulk.bulk_update(SurveyResponse, answers, ["comment"])
    return invitations + len(answers)


def _follow_ups(order_ids: Sequence[int], known: Known) -> int:
    tasks = [
        SimpleNamespace(
            id=pk,
            detail=rules.scrub_text(detail, known[order_id]),
            closing_note=rules.scrub_text(closing_note, known[order_id]),
        )
        for pk, order_id, detail, closing_note in FollowUpTask.objects.filter(
            order_id__in=order_ids
        ).values_list("pk", "order_id", "detail", "closing_note")
    ]
    bulk.bulk_update(FollowUpTask, tasks, ["detail", "closing_note"])
    return len(tasks)


def _triage_records(order_ids: Sequence[int], known: Known) -> int:
    records = [
        SimpleNamespace(
            id=pk,
            suggestion=rules.scrub_json(suggestion, known[order_id]),
            chosen=rules.scrub_json(chosen, known[order_id]),
        )
        for pk, order_id, suggestion, chosen in TriageRecord.objects.filter(
            order_id__in=order_ids
        ).values_list("pk", "order_id", "suggestion", "chosen")
    ]
    bulk.bulk_update(TriageRecord, records, ["suggestion", "chosen"])
    return len(records)


def _outage_calls(order_ids: Sequence[int], known: Known) -> int:
    # A call is the contact of the outage's order (or names the caller's own open order).
    return OutageCall.objects.filter(contact__order_id__in=order_ids).exclude(phone="").update(phone="")


def _judgments(order_ids: Sequence[int], known: Known) -> int:
    judgments = [
        SimpleNamespace(id=pk, note=rules.scrub_text(note, known[order_id]))
        for pk, order_id, note in Judgment.objects.filter(record__order_id__in=order_ids)
        .exclude(note="")
        .values_list("pk", "record__order_id", "note")
    ]
    bulk.bulk_update(Judgment, judgments, ["note"])
    return len(judgments)


def _rectifications(order_ids: Sequence[int], known: Known) -> int:
    rows = [
        SimpleNamespace(
            id=pk,
            task=rules.scrub_text(task, known[order_id]),
            result=rules.scrub_text(result, known[order_id]),
        )
        for pk, order_id, task, result in Rectification.objects.filter(order_id__in=order_ids).values_list(
            "pk", "order_id", "task", "result"
        )
    ]
    bulk.bulk_update(Rectification, rows, ["task", "result"])
    return len(rows)
