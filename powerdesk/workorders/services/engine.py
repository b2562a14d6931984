"""The machinery every transition runs through: lock the order, check visibility, retry, role, version
and state machine, apply the change, move the clocks, and write exactly one timeline event."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from powerdesk.core import clock, idempotency
from powerdesk.core.errors import (
    NotFound,
    NotPermitted,
    TransitionNotAllowed,
    ValidationFailed,
    VersionConflict,
)
from powerdesk.org.models import Unit, UnitKind, User
from powerdesk.org.selectors import user_may, user_sees_unit
from powerdesk.workorders import extensions
from powerdesk.workorders.events import event_write
from powerdesk.workorders.models import WorkOrder
from powerdesk.workorders.selectors import transition_refusal
from powerdesk.workorders.transitions import TRANSITIONS

TRACKED = [
    "status",
    "business_type",
    "sub_type_id",
    "topic_id",
    "unit_id",
    "assignee_id",
    "priority",
    "escalation_level",
    "chase_count",
    "reopen_count",
    "parent_id",
    "result",
    "reply_text",
    "satisfaction",
    "callback_resolved",
    "is_flagged",
    "contact_count",
]


def _snapshot(order: WorkOrder) -> dict[str, Any]:
    return {name: getattr(order, name) for name in TRACKED}


def _diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    keys = [k for k in TRACKED if before[k] != after[k]]
    return {k: before[k] for k in keys}, {k: after[k] for k in keys}


def clean_inputs(code: str, inputs: Mapping[str, Any] | None) -> dict[str, Any]:
    """The extra inputs of transition ``code`` that the extensions declared, each cleaned by its own check
    (``ValidationFailed`` with field errors); an input nobody declared is a programming error."""
    declared = {spec.name: spec for spec in extensions.inputs_of(code)}
    unknown = set(inputs or {}) - set(declared)
    if unknown:
        raise TypeError(f"transition {code!r} takes no input {sorted(unknown)}")
    return {name: spec.clean((inputs or {}).get(name)) for name, spec in declared.items()}


def lock_order(pk: int) -> WorkOrder:
    """The order, its row locked, as it stands once the lock is ours.

    The lock is taken on the order alone, then the order is read again with its customer, 台区 and unit
    (a transition that starts a clock reads the customer type and the region class for its policy).
    Locking the row joined with its unit would lose it: when a transfer, return or dispatch commits while
    we wait, PostgreSQL re-checks the join against the moved row, finds the old unit no longer matches
    and drops the row, and ``get()`` would raise ``DoesNotExist`` (a 500 under concurrent transitions).
    The second statement sees everything committed before the lock was granted (READ COMMITTED)."""
    if not WorkOrder.objects.select_for_update().filter(pk=pk).values_list("pk", flat=True):
        raise NotFound(_("找不到该工单。"))
    return WorkOrder.objects.select_related("customer", "area", "unit").get(pk=pk)


def apply_transition(
    *,
    order: WorkOrder,
    actor: User,
    code: str,
    expected_version: int | None,
    request_id: str,
    change: Callable[[WorkOrder], tuple[list[str], str]],
    request_fingerprint: str = "",
    data: dict[str, Any] | None = None,
    trigger: str | None = None,
    inputs: Mapping[str, Any] | None = None,
) -> WorkOrder:
    """Run one transition. ``change`` mutates the locked order and returns (changed fields, note).

    Before the change, the ``transition_validators`` of the extensions may refuse it (a domain error).
    Then the ``transition_applied`` hooks of the extensions run on the locked order (the SLA app moves
    its clocks and the due time); they see ``trigger`` (the code, unless the service says what the
    transition amounts to, e.g. an unreachable callback) and the transition's extra ``inputs``. Finally
    the order is saved with a new version and exactly one timeline event is written.

    With a ``request_id`` (the caller's Idempotency-Key, or the console form's submission id), a request
    already applied to this order answers the order as it stands and writes nothing, provided it is the
    same request: the same caller, transition, expected version and input (``request_fingerprint``, the
    digest of the input the API or form received). Anything else under that id is a 409
    (:mod:`powerdesk.core.idempotency`)."""
    spec = TRANSITIONS[code]
    inputs = clean_inputs(code, inputs)
    fingerprint = idempotency.fingerprint(
        {
            "actor": actor.pk,
            "code": code,
            "version": expected_version,
            "inputs": inputs,
            "request": request_fingerprint,
        }
    )
    with transaction.atomic():
        locked = lock_order(order.pk)
        if not user_sees_unit(actor, locked.unit):
            raise NotFound(_("找不到该工单。"))
        if request_id:
            earlier = locked.events.filter(request_id=request_id).values_list("request_fingerprint").first()
            if earlier is not None:
                idempotency.require_same_request(earlier[0], fingerprint)
                return locked  # a retry of a request already applied
        if not user_may(actor, code):
            raise NotPermitted(_("您的角色不能执行“%(action)s”。") % {"action": spec.label})
        if expected_version is not None and locked.version != expected_version:
            raise VersionConflict(
                _("工单已被他人修改（当前版本 %(current)s，您提交的版本 %(yours)s），请刷新后重试。")
                % {"current": locked.version, "yours": expected_version}
            )
        if locked.status not in spec.sources:
            raise TransitionNotAllowed(
                _("工单当前状态为“%(status)s”，不能执行“%(action)s”。")
                % {"status": locked.get_status_display(), "action": spec.label}
            )
        check = extensions.TransitionCheck(order=locked, actor=actor, code=code, inputs=inputs)
        for validate in extensions.transition_validators:
            validate(check)
        from_status = locked.status
        before = _snapshot(locked)
        changed, note = change(locked)
        if spec.target is not None and "status" not in changed:
            locked.status = spec.target
            changed.append("status")
        now = clock.now()
        context = extensions.TransitionContext(
            order=locked, actor=actor, code=code, trigger=trigger or code, at=now, inputs=inputs
        )
        for hook in extensions.transition_applied:
            hook(context)
        locked.version += 1
        locked.updated_at = now
        locked.save(update_fields=sorted({*changed, *context.changed, "version", "updated_at"}))
        old, new = _diff(before, _snapshot(locked))
        event_write(
            order=locked,
            kind=spec.event,
            actor=actor,
            from_status=from_status,
            to_status=locked.status,
            note=note,
            data={"before": old, "after": new, **(data or {}), **context.event_data},
            request_id=request_id,
            request_fingerprint=fingerprint,
            at=now,
        )
    return locked


def refuse_unless_applies(order: WorkOrder, code: str) -> None:
    reason = transition_refusal(order, code)
    if reason is not None:
        raise TransitionNotAllowed(reason)


def require_text(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed(message, fields={field: [message]})
    return value


def require_unit(unit: Unit | None) -> Unit:
    if unit is None:
        message = _("请选择处理单位。")
        raise ValidationFailed(message, fields={"unit": [message]})
    return unit


def check_dispatch_unit(actor: User, unit: Unit) -> Unit:
    if unit.kind == UnitKind.AREA or not unit.is_active:
        raise ValidationFailed(
            _("只能派往供电所、班组或公司，不能派往台区。"), fields={"unit": [_("请选择有效的处理单位。")]}
        )
    if not user_sees_unit(actor, unit):
        raise ValidationFailed(
            _("不能派往本单位管辖范围以外的单位。"), fields={"unit": [_("超出管辖范围。")]}
        )
    return unit


def check_assignee(unit: Unit, assignee: User | None) -> None:
    if assignee is None:
        return
    if assignee.unit_id is None or assignee.unit_id not in Unit.objects.subtree_ids(unit.pk):
        raise ValidationFailed(
            _("指定的处理人不属于派往单位。"), fields={"assignee": [_("处理人不属于该单位。")]}
        )
