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

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from django.db.models import Model

from powerdesk.complaints.models import Judgment, Rectification
from powerdesk.core import bulk
from powerdesk.feedback.models import FollowUpTask, SurveyInvitation, SurveyResponse
from powerdesk.outages.models import OutageCall
from powerdesk.privacy import rules
from powerdesk.triage.models import TriageRecord

Known = Mapping[int, tuple[str, ...]]  # the known personal values per order id


@dataclass(frozen=True)
class Copy:
    """Fields of ``model`` that copy an order's personal data, the order found through ``order`` (a
    lookup path to its id). With ``scrub`` each field is rewritten by it with the order's known values;
    without, each is blanked outright. ``skip_blank`` leaves out the rows whose fields are all empty
    already (they are not counted as changed)."""

    model: type[Model]
    order: str
    fields: tuple[str, ...]
    scrub: Callable[[Any, tuple[str, ...]], Any] | None = rules.scrub_text
    skip_blank: bool = False


COPIES = (
    Copy(SurveyInvitation, "order_id", ("phone",), scrub=None, skip_blank=True),
    Copy(SurveyResponse, "order_id", ("comment",), skip_blank=True),
    Copy(FollowUpTask, "order_id", ("detail", "closing_note")),
    Copy(TriageRecord, "order_id", ("suggestion", "chosen"), scrub=rules.scrub_json),
    # A call is the contact of the outage's order (or names the caller's own open order).
    Copy(OutageCall, "contact__order_id", ("phone",), scrub=None, skip_blank=True),
    Copy(Judgment, "record__order_id", ("note",), skip_blank=True),
    Copy(Rectification, "order_id", ("task", "result")),
)


def anonymise_copies(order_ids: Sequence[int], known: Known) -> int:
    """Blank the copies the apps keep of the orders ``order_ids``; how many rows changed."""
    return sum(_anonymise(copy, order_ids, known) for copy in COPIES)


def _anonymise(copy: Copy, order_ids: Sequence[int], known: Known) -> int:
    rows = copy.model.objects.filter(**{f"{copy.order}__in": order_ids})  # type: ignore[attr-defined]
    if copy.skip_blank:
        rows = rows.exclude(**dict.fromkeys(copy.fields, ""))
    if copy.scrub is None:
        return int(rows.update(**dict.fromkeys(copy.fields, "")))
    scrub = copy.scrub
    changed = []
    for pk, order_id, *values in rows.values_list("pk", copy.order, *copy.fields):
        scrubbed = (scrub(value, known[order_id]) for value in values)
        changed.append(SimpleNamespace(id=pk, **dict(zip(copy.fields, scrubbed, strict=True))))
    bulk.bulk_update(copy.model, changed, list(copy.fields))
    return len(changed)
