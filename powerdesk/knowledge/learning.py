"""Writes of 以案普法: assigning a published case version for learning, and a person confirming it.

- ``assignment_create`` resolves the people at once (a unit, with or without its subunits; a role; or
  a role within a unit — always inside the assigner's units), writes the assignment and one
  ``LearningRecipient`` per person, tells each person (notify's staff path: SMS, else e-mail, as for
  every staff message; category ``staff``), appends an audit entry and, when an order prompted it, a
  ``learning_assigned`` event on that order — all in one transaction. The form's one-time key makes a
  double post one assignment.
- ``assignment_confirm`` records the time once: confirming again answers the first confirmation.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from powerdesk.audit import record
from powerdesk.complaints.models import Rectification
from powerdesk.complaints.selectors import rectification_get
from powerdesk.core import clock
from powerdesk.core.errors import NotFound, NotPermitted, ValidationFailed
from powerdesk.knowledge import rules
from powerdesk.knowledge.learning_selectors import user_may_assign
from powerdesk.knowledge.models import CaseState, CaseVersion, LearningAssignment, LearningRecipient
from powerdesk.notify.services import notification_enqueue_many
from powerdesk.org.models import Role, Unit, User
from powerdesk.org.selectors import user_sees_unit, visible_units_filter
from powerdesk.sla.rules import channel
from powerdesk.workorders.events import event_write
from powerdesk.workorders.models import WorkOrder
from powerdesk.workorders.selectors import order_visible

ASSIGNED_EVENT = "learning_assigned"
ASSIGNED_TEMPLATE = "learning_assigned"


def recipients_of(*, actor: User, unit: Unit | None, include_subunits: bool, role: Role | None) -> list[User]:
    """The active staff an assignment reaches: of ``unit`` (its subtree with ``include_subunits``), of
    ``role``, or both; never outside the actor's units. The system account has no unit and no
    console: left out by being inactive."""
    people = User.objects.filter(is_active=True).select_related("unit")
    if unit is not None:
        people = (
            people.filter(unit__path__startswith=unit.path) if include_subunits else people.filter(unit=unit)
        )
    if role is not None:
        people = people.filter(role=role)
    visible = visible_units_filter(actor, "unit_id")
    if visible is not None:
        people = people.filter(visible)
    return list(people.order_by("unit_id", "username"))


def _check(
    *,
    actor: User,
    version: CaseVersion,
    unit: Unit | None,
    role: Role | None,
    due_date: dt.date | None,
    order: WorkOrder | None,
    rectification: Rectification | None,
) -> None:
    errors: dict[str, list[str]] = {}
    if version.state != CaseState.PUBLISHED:
        errors["version"] = [_("只能布置已发布的案例版本。")]
    if unit is None and role is None:
        errors["unit"] = [_("请选择单位或岗位（或两者）。")]
    if unit is not None and not user_sees_unit(actor, unit):
        errors["unit"] = [_("超出管辖范围。")]
    if due_date is None:
        errors["due_date"] = [_("请填写完成期限。")]
    elif not rules.due_date_allowed(due_date=due_date, today=clock.local_date()):
        errors["due_date"] = [_("完成期限不能早于今天。")]
    if order is not None and not order_visible(actor).filter(pk=order.pk).exists():
        errors["order"] = [_("找不到该工单。")]
    if rectification is not None:
        if rectification_get(user=actor, pk=rectification.pk) is None:
            errors["rectification"] = [_("找不到该整改任务。")]
        elif order is not None and rectification.order_id != order.pk:
            errors["rectification"] = [_("整改任务不属于该工单。")]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], fields=errors)


@transaction.atomic
def assignment_create(
    *,
    actor: User,
    version: CaseVersion,
    due_date: dt.date | None,
    unit: Unit | None = None,
    include_subunits: bool = True,
    role: Role | None = None,
    reason: str = "",
    order: WorkOrder | None = None,
    rectification: Rectification | None = None,
    request_id: str = "",
) -> LearningAssignment:
    """Assign ``version`` for learning; see the module. Refuses a version not published, a unit outside
    the actor's, a past due date, an order or rectification the actor cannot see, and a choice that
    reaches nobody."""
    if not user_may_assign(actor):
        raise NotPermitted(_("您的角色不能布置案例学习。"))
    request_id = (request_id or "").strip()[:64]
    if request_id:
        earlier = LearningAssignment.objects.filter(created_by=actor, request_id=request_id).first()
        if earlier is not None:  # the same form posted again: what it made the first time
            return earlier
    if rectification is not None and order is None:
        order = rectification.order
    _check(
        actor=actor,
        version=version,
        unit=unit,
        role=role,
        due_date=due_date,
        order=order,
        rectification=rectification,
    )
    assert due_date is not None
    people = recipients_of(actor=actor, unit=unit, include_subunits=include_subunits, role=role)
    if not people:
        message = _("所选单位和岗位下没有在岗员工。")
        raise ValidationFailed(message, fields={"unit": [message]})
    now = clock.now()
    assignment = LearningAssignment.objects.create(
        version=version,
        unit=unit,
        include_subunits=include_subunits if unit is not None else False,
        role=role,
        due_date=due_date,
        reason=(reason or "").strip()[:500],
        order=order,
        rectification=rectification,
        created_by=actor,
        created_at=now,
        request_id=request_id,
    )
    LearningRecipient.objects.bulk_create(
        LearningRecipient(assignment=assignment, user=p, unit_id=p.unit_id) for p in people
    )
    _tell(assignment, people)
    data = {
        "assignment": assignment.pk,
        "case": version.case_id,
        "version": version.number,
        "unit": unit.code if unit is not None else "",
        "subunits": assignment.include_subunits,
        "role": role.code if role is not None else "",
        "due_date": due_date.isoformat(),
        "recipients": len(people),
        "order": order.number if order is not None else "",
        "rectification": rectification.pk if rectification is not None else None,
    }
    record("learning_assigned", actor, target=assignment, reason=assignment.reason, data=data)
    if order is not None:
        event_write(
            order=order,
            kind=ASSIGNED_EVENT,
            actor=actor,
            note=assignment.reason,
            data={k: data[k] for k in ("assignment", "case", "version", "recipients", "due_date")},
            at=now,
        )
    return assignment


def _tell(assignment: LearningAssignment, people: list[User]) -> None:
    """Each person with a phone or e-mail gets the ``learning_assigned`` message (once per person and
    assignment); the home page lists the assignment for everyone regardless."""
    version = assignment.version
    requests = []
    for person in people:
        how = channel(person.phone or "", person.email or "")
        if how is None:
            continue
        requests.append(
            {
                "channel": how[0],
                "recipient_address": how[1],
                "recipient_user": person,
                "template_code": ASSIGNED_TEMPLATE,
                "dedupe_key": f"learning:{assignment.pk}:{person.pk}",
                "context": {
                    "recipient": person.display_name,
                    "title": version.title,
                    "version": version.number,
                    "due_date": assignment.due_date.isoformat(),
                    "assignment": assignment.pk,
                },
            }
        )
    notification_enqueue_many(requests)


@transaction.atomic
def assignment_confirm(*, actor: User, assignment_id: int) -> LearningRecipient:
    """The actor confirms having read the case version of assignment ``assignment_id`` (the version
    assigned, even if the case was revised since). Once: a second confirmation changes nothing."""
    row = (
        LearningRecipient.objects.select_for_update(of=("self",))
        .select_related("assignment__version")
        .filter(assignment_id=assignment_id, user_id=actor.pk)
        .first()
    )
    if row is None:
        raise NotFound(_("找不到该学习任务。"))
    if row.confirmed_at is not None:
        return row
    row.confirmed_at = clock.now()
    row.save(update_fields=["confirmed_at"])
    version = row.assignment.version
    record(
        "learning_confirmed",
        actor,
        target=row.assignment,
        data={"assignment": assignment_id, "case": version.case_id, "version": version.number},
    )
    return row
