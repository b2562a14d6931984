"""The breach sweep: run every 30 s by the worker (in slices swept at once: :mod:`powerdesk.sla.cycle`),
safe with several workers at once.

Steps of :func:`sweep`, all in one transaction and two prepared statements (:data:`_LOCK` for steps 1–2,
:data:`_WRITE` for 3–4), set-wise in SQL (Python only orchestrates; no row of the batch becomes a Python
object, so the cost per escalation step is the database's):

1. read up to ``batch`` clocks whose ``next_check_at`` has passed (:data:`DUE_CLOCKS`, an index range
   scan of the partial index ``clock_next_check``: the cost follows the clocks that are due, not the open
   orders; with slices, of the slice's orders only) and lock their orders in id order with
   ``SKIP LOCKED`` — an order a person is changing right now, or that another sweep holds, is left for
   the next cycle;
2. lock those clocks, re-checked under the lock (always order, then clock: the same order the work-order
   services use, so the two never deadlock);
3. compute every escalation step now due (:data:`_STEPS`, a materialised CTE of the write statement):
   for each locked clock, the steps above its level whose time has come, in level order — the warning at
   the policy's ``warn_ratio``, the others at their ``at_ratio`` of the allowed time, paused time added —
   with the recipient of each step (handler → unit head → head of the unit above, per the step's action)
   and the before/after of the order and the clock;
4. write from it, in the same statement: one timeline event per step, the clocks (level, breach
   recorded at the deadline, next check time: so a step is never taken twice), the orders (priority raised
   where the step says so, escalation level and flag, version), and one notification per step that has a
   recipient with an address, with the de-duplication key ``clock:<id>:step:<level>`` and its send jobs
   (the notify app's set-wise enqueue; the text is rendered when it is sent).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import get_language

from powerdesk.core import clock as clock_mod
from powerdesk.core import sql
from powerdesk.notify.services import ENQUEUE_RESULT, enqueue_ctes, enqueue_outcome, enqueue_values
from powerdesk.sla.models import ClockKind, EscalationStep
from powerdesk.workorders.choices import BusinessType, EventKind, Priority


@dataclass
class SweepResult:
    examined: int = 0
    steps_taken: int = 0
    breached: int = 0
    skipped_locked: int = 0
    notifications: int = 0

    def __add__(self, other: SweepResult) -> SweepResult:
        return SweepResult(
            *(getattr(self, f.name) + getattr(other, f.name) for f in dataclasses.fields(SweepResult))
        )


# The due-clock query: an index range scan of the partial index clock_next_check (tests and the benchmark
# check its plan). ORDER BY: the most overdue first, when more than a batch is due. A slice (see
# powerdesk.sla.cycle) takes the clocks of the orders whose id falls to it: the slices of one cycle never
# touch the same order.
DUE_CLOCKS = """
SELECT id, order_id FROM sla_clock
WHERE next_check_at IS NOT NULL AND next_check_at <= %(now)s AND mod(order_id, %(slices)s) = %(slice)s
ORDER BY next_check_at
LIMIT %(batch)s
"""

# Steps 1 and 2, one statement: the due clocks' orders are locked one by one in id order, then their
# clocks, each re-checked on its newest version under the lock (the re-check reads the locked row): a
# clock met or paused since the statement began is no longer due. Each lock is a LATERAL subquery that
# reaches one row by primary key for one row of the CTE before it (a subquery with FOR UPDATE is never
# flattened into a join), so the plan cannot depend on the planner's guess of how many clocks are due.
# That guess comes from the statistics of a table where almost none are (at 30 M clocks: 1 row for
# 1,000), and on it the planner had joined CTE to CTE, or re-read the due index once per clock, as a
# nested loop comparing every due clock with every other (1,000 due: 36 s and 0.14 s, the orders
# locked). The clock ids come back as text (parsing a thousand ids into Python only to send them back
# costs more than the statement).
_LOCK = f"""
WITH due AS MATERIALIZED (
    SELECT * FROM ({DUE_CLOCKS}) AS d
    WHERE EXISTS (SELECT 1 FROM sla_escalationstep)  -- no steps configured: leave the clocks as they are
),
by_order AS MATERIALIZED (SELECT * FROM due ORDER BY order_id, id),  -- the order of the locks below
locked AS MATERIALIZED (  -- one row per due clock whose order this sweep holds, in by_order's order
    SELECT d.id AS clock_id
    FROM by_order AS d
    CROSS JOIN LATERAL (
        SELECT 1 FROM workorders_workorder o WHERE o.id = d.order_id FOR UPDATE OF o SKIP LOCKED
    ) AS o
),
clocks AS MATERIALIZED (  -- next_check_at as of the lock: the newest version of the row
    SELECT c.id, c.next_check_at
    FROM locked
    CROSS JOIN LATERAL (
        SELECT c.id, c.next_check_at FROM sla_clock c WHERE c.id = locked.clock_id FOR UPDATE OF c
    ) AS c
),
still_due AS MATERIALIZED (SELECT id FROM clocks WHERE next_check_at <= %(now)s)
SELECT (SELECT count(*) FROM due),
       (SELECT count(*) FROM due) - (SELECT count(*) FROM locked),
       (SELECT count(*) FROM still_due),
       (SELECT array_agg(id)::text FROM still_due)
"""  # noqa: S608 - two constants

# Step 3. One row per step taken, plus the first step left of each clock (its time is the next check).
# (A CTE of the write statement below.)
# A step is taken when it and every step below it are due; the window columns carry the clock's state and
# the order's priority across the steps of one cycle, in the order the events are written. The
# windows run over narrow rows; what a taken step says and whom it tells (the wide columns: labels, JSON)
# is looked up per taken step through LATERAL … LIMIT 1, i.e. by primary key, whatever the planner
# guesses of the step table (it has no useful statistics): a misestimated join must not become a scan
# of the orders or the users.
_STEPS = """
WITH clock AS MATERIALIZED (
    SELECT c.id AS clock_id, c.order_id, c.kind, c.due_at, c.state AS clock_state, c.level AS clock_level,
           c.breached_at IS NULL AS unbreached, c.started_at, c.paused_seconds, c.allowed_seconds,
           p.warn_ratio, p.name AS policy_name,
           c.state IN ('running', 'breached') AND c.met_at IS NULL AS running
    FROM sla_clock c JOIN sla_slapolicy p ON p.id = c.policy_id
    WHERE c.id = ANY(%(ids)s::bigint[])
),
candidate AS (  -- a clock not running, or with every step taken, keeps one row without a step
    SELECT clock.clock_id, clock.order_id, clock.kind, clock.due_at, clock.policy_name, clock.clock_state,
           clock.clock_level, clock.unbreached, s.level, s.at_ratio < 1 AS is_warning,
           s.at_ratio >= 1 AS at_deadline, s.action, s.raise_priority, s.template_code,
           clock.started_at + (clock.paused_seconds + clock.allowed_seconds
                               * CASE WHEN s.at_ratio < 1 THEN clock.warn_ratio ELSE s.at_ratio END)
                              * interval '1 second' AS step_at
    FROM clock LEFT JOIN sla_escalationstep s ON s.level > clock.clock_level AND clock.running
),
marked AS (  -- "waiting": the steps up to this one not due yet; none: taken
    SELECT candidate.*,
           count(*) FILTER (WHERE step_at > %(now)s) OVER w AS waiting,
           count(*) FILTER (WHERE at_deadline) OVER w AS deadline_steps,
           coalesce(lag(level) OVER w, clock_level) AS level_before
    FROM candidate
    -- partitioned by order too, so one sort serves this window and the order's below
    WINDOW w AS (PARTITION BY order_id, clock_id ORDER BY level)
),
taken AS (  -- the steps taken, the first one left (its time is the clock's next check), the step-less rows
    SELECT marked.*, waiting = 0 AND level IS NOT NULL AS taken
    FROM marked
    WHERE waiting = 0 OR (waiting = 1 AND step_at > %(now)s)
),
stepped AS (
    SELECT taken.*,
           -- the first step at or past the deadline records the breach, once per clock
           taken AND at_deadline AND deadline_steps = 1 AND unbreached AS is_breach,
           CASE WHEN unbreached AND deadline_steps - at_deadline::int > 0 THEN 'breached'
                ELSE clock_state END AS state_before,
           coalesce(sum(raise_priority::int) FILTER (WHERE taken)
                    OVER (PARTITION BY order_id ORDER BY clock_id, level), 0) AS raises
    FROM taken
)
SELECT st.clock_id, st.order_id, st.kind, st.due_at, st.level, st.action, st.template_code,
       st.raise_priority, st.step_at, st.taken, st.is_breach, d.*
FROM stepped st
LEFT JOIN LATERAL (
    SELECT o.status AS order_status,
           CASE WHEN st.is_breach THEN %(kind_breach)s
                WHEN st.is_warning THEN %(kind_warning)s ELSE %(kind_escalation)s END AS event_kind,
           coalesce(%(kind_labels)s::jsonb ->> st.kind, st.kind) || '：' || st.policy_name AS note,
           jsonb_build_object(
               'priority', CASE WHEN o.priority >= %(urgent)s THEN o.priority
                                ELSE least(%(urgent)s, o.priority + st.raises - st.raise_priority::int) END,
               'clock_state', st.state_before, 'level', st.level_before) AS before,
           jsonb_build_object(
               'priority', CASE WHEN o.priority >= %(urgent)s THEN o.priority
                                ELSE least(%(urgent)s, o.priority + st.raises) END,
               'clock_state', CASE WHEN st.is_breach THEN 'breached' ELSE st.state_before END,
               'level', st.level) AS after,
           u.id AS recipient_user_id, u.username AS recipient_username,
           CASE WHEN btrim(u.phone) <> '' THEN 'sms' WHEN btrim(u.email) <> '' THEN 'email' END AS channel,
           CASE WHEN btrim(u.phone) <> '' THEN u.phone ELSE u.email END AS recipient_address,
           -- all text: jsonb_object(keys, values) builds it at a third of jsonb_build_object's cost
           jsonb_object(
               ARRAY['order_number', 'clock', 'policy', 'due_at', 'unit', 'recipient', 'business_type'],
               ARRAY[o.number, coalesce(%(kind_labels)s::jsonb ->> st.kind, st.kind), st.policy_name,
                     to_char(st.due_at AT TIME ZONE %(tz)s, 'YYYY-MM-DD HH24:MI'), coalesce(un.name, ''),
                     coalesce(nullif(u.full_name, ''), u.username, ''),
                     coalesce(%(business_type_labels)s::jsonb ->> o.business_type, o.business_type)]
           ) AS context
    FROM workorders_workorder o
    LEFT JOIN org_unit un ON un.id = o.unit_id
    LEFT JOIN org_user u ON u.id = CASE st.action
        WHEN %(notify_handler)s THEN coalesce(o.assignee_id, o.owner_id)
        WHEN %(notify_unit_head)s THEN (SELECT h.user_id FROM sla_unithead h WHERE h.unit_id = o.unit_id)
        ELSE (SELECT h.user_id FROM sla_unithead h WHERE h.unit_id = un.parent_id)
    END
    WHERE st.taken AND o.id = st.order_id
    LIMIT 1
) AS d ON true
"""

# Step 4: the writes, data-modifying CTEs of one statement with the step computation (so nothing is
# stored between statements and the whole cycle is one prepared plan): the events and notifications in
# the order the steps were taken (order, clock, level).
_EVENTS = """
INSERT INTO workorders_workorderevent (order_id, kind, actor_id, at, from_status, to_status, note, data,
                                       request_id)
SELECT order_id, event_kind, NULL, %(now)s, order_status, order_status, note,
       jsonb_build_object(
           'clock', kind,
           'due_at', to_char(due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'),
           'step', level, 'action', action, 'recipient', recipient_username,
           'notified', channel IS NOT NULL, 'before', before, 'after', after),
       ''
FROM sweep_step WHERE taken
ORDER BY order_id, clock_id, level
RETURNING kind
"""

# Every locked clock has a row in the step table. Clocks without a step left (all taken, or no longer
# running) get no next check. Driven by the aggregate (estimated small) so that each clock is fetched by
# primary key, whatever the planner guesses of the step table.
_CLOCKS = """
UPDATE sla_clock c
SET level = coalesce(s.level, c.level),
    state = CASE WHEN s.breach THEN 'breached' ELSE c.state END,
    breached_at = CASE WHEN s.breach THEN c.due_at ELSE c.breached_at END,
    next_check_at = s.next_check_at
FROM (
    SELECT clock_id, max(level) FILTER (WHERE taken) AS level, bool_or(is_breach) AS breach,
           min(step_at) FILTER (WHERE NOT taken) AS next_check_at
    FROM sweep_step GROUP BY clock_id
) AS s
WHERE c.id = s.clock_id
"""

# Only orders whose row changes (priority, escalation level, flag) are written and get a new version: a
# warning or a breach adds an event and changes the clock, not the order, and must not make a person's
# edit of the order fail its version check. due_at (the earliest due time of the running and breached
# clocks) cannot change: the sweep only turns running clocks into breached ones, and no due time moves.
_ORDERS = """
UPDATE workorders_workorder o
SET priority = CASE WHEN o.priority >= %(urgent)s THEN o.priority
                    ELSE least(%(urgent)s, o.priority + s.raises) END,
    escalation_level = o.escalation_level + s.escalations,
    is_flagged = o.is_flagged OR s.escalations > 0,
    version = o.version + 1,
    updated_at = %(now)s
FROM (
    SELECT order_id, count(*) FILTER (WHERE raise_priority) AS raises,
           count(*) FILTER (WHERE action <> %(notify_handler)s) AS escalations
    FROM sweep_step WHERE taken GROUP BY order_id
    HAVING bool_or(raise_priority OR action <> %(notify_handler)s)
) AS s
WHERE o.id = s.order_id
"""

_NOTIFICATIONS = """
SELECT channel, template_code, context, recipient_user_id, recipient_address, order_id,
       'clock:' || clock_id || ':step:' || level AS dedupe_key
FROM sweep_step WHERE taken AND channel IS NOT NULL
ORDER BY order_id, clock_id, level
"""

_WRITE = f"""
WITH sweep_step AS MATERIALIZED ({_STEPS}),
sweep_events AS ({_EVENTS}),
sweep_clocks AS ({_CLOCKS}),
sweep_orders AS ({_ORDERS}),
{enqueue_ctes(_NOTIFICATIONS)}
SELECT (SELECT count(*) FROM sweep_events),
       (SELECT count(*) FROM sweep_events WHERE kind = %(kind_breach)s),
       {ENQUEUE_RESULT}
"""  # noqa: S608 - constants


def sweep(
    *, now: dt.datetime | None = None, batch: int = 1000, slice_no: int = 0, slices: int = 1
) -> SweepResult:
    """Take every escalation step due at ``now`` on up to ``batch`` due clocks (see the module doc), in one
    transaction; with ``slices`` > 1, only on the clocks of the orders whose id modulo ``slices`` is
    ``slice_no`` (:func:`powerdesk.sla.cycle.sweep_cycle` sweeps the slices at once)."""
    if not 0 <= slice_no < slices:
        raise ValueError(f"slice {slice_no} of {slices}")
    now = now or clock_mod.now()
    result = SweepResult()
    with transaction.atomic(), sql.cursor() as cur:
        cur.execute(_LOCK, {"now": now, "batch": batch, "slice": slice_no, "slices": slices}, prepare=True)
        _due, result.skipped_locked, result.examined, clock_ids = _row(cur)
        if not result.examined:
            return result
        cur.execute(_WRITE, enqueue_values({"ids": clock_ids, "now": now, **_constants()}), prepare=True)
        result.steps_taken, result.breached, *outcome = _row(cur)
        result.notifications = len(enqueue_outcome(*outcome))
    return result


def _row(cur: Any) -> tuple[Any, ...]:
    """The one row both statements return."""
    row = cur.fetchone()
    assert row is not None
    return tuple(row)


def _constants() -> dict[str, object]:
    """The labels (in the active language) and codes the step statements need, resolved once per language."""
    lang = get_language() or ""
    cached = _CONSTANTS.get(lang)
    if cached is None:
        cached = _CONSTANTS[lang] = {
            "kind_labels": json.dumps({k: str(v) for k, v in ClockKind.choices}, ensure_ascii=False),
            "business_type_labels": json.dumps(
                {k: str(v) for k, v in BusinessType.choices}, ensure_ascii=False
            ),
            "tz": str(clock_mod.BUSINESS_TZ),
            "urgent": int(Priority.URGENT),
            "notify_handler": EscalationStep.Action.NOTIFY_HANDLER.value,
            "notify_unit_head": EscalationStep.Action.NOTIFY_UNIT_HEAD.value,
            "kind_breach": EventKind.SLA_BREACH.value,
            "kind_warning": EventKind.SLA_WARNING.value,
            "kind_escalation": EventKind.SLA_ESCALATION.value,
        }
    return cached


_CONSTANTS: dict[str, dict[str, object]] = {}
