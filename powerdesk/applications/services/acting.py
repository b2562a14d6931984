"""Who may complete or send back a step: the one rule the console, the API and the dispatcher's view
share (:func:`step_refusal`, :func:`step_actors`).

Two conditions, both from the step template (data): the role (a utility-side step's template names it;
a customer-side step is recorded by whoever may annotate the order; a role that sees all units acts for
any role), and the unit level (``unit_level``): the actor's unit must be the unit of that level on the
order's unit path (:func:`rules.acting_units`), or, with no level, the order's unit or one above it.
Superusers pass both.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from powerdesk.applications import rules
from powerdesk.applications.models import ApplicationStep, StepSide, StepTemplate
from powerdesk.core.seeded_names import seeded_name
from powerdesk.org.models import Role, RoleScope, Unit, UnitKind, User
from powerdesk.org.selectors import user_may, user_role
from powerdesk.workorders.models import WorkOrder

RECORD_RIGHT = "note"  # who may record a 补件 request, a document or a customer step: who may annotate


@dataclass(frozen=True)
class StepActors:
    """Who may move a step of an order: the role (None: whoever may annotate the order), the unit level
    (blank: the order's unit or above) and the units of the order's path that qualify (empty: the order
    has not been dispatched down to that level yet)."""

    role: Role | None
    level: str
    units: list[Unit]

    @property
    def level_label(self) -> str:
        return str(dict(UnitKind.choices).get(self.level, "")) if self.level else ""

    def describe(self) -> str:
        """In the console's words: "东桥供电所 · 处理人员", or what is still missing."""
        role = seeded_name(self.role) if self.role is not None else _("可记录工单的岗位")
        if not self.units:
            return _("待派至%(level)s后由%(role)s办理") % {"level": self.level_label, "role": role}
        if not self.level:
            return _("%(unit)s及上级单位 · %(role)s") % {"unit": self.units[-1].name, "role": role}
        return f"{'、'.join(u.name for u in self.units)} · {role}"


def _path_ids(order: WorkOrder) -> list[int]:
    """The ids of the order's unit and those above it, root first (read from the unit's path)."""
    unit = order.unit
    return [int(part) for part in (unit.path or "").strip("/").split("/") if part] or [unit.pk]


def _actors(template: StepTemplate, path: list[Unit]) -> StepActors:
    allowed = set(rules.acting_units(template.unit_level, [(u.pk, u.kind) for u in path]))
    role = template.role if template.side == StepSide.UTILITY else None
    return StepActors(role=role, level=template.unit_level, units=[u for u in path if u.pk in allowed])


def step_actors(order: WorkOrder, template: StepTemplate) -> StepActors:
    ids = _path_ids(order)
    by_id = Unit.objects.in_bulk(ids)
    return _actors(template, [by_id[i] for i in ids if i in by_id])


def steps_actors(steps: Iterable[ApplicationStep]) -> dict[int, StepActors]:
    """:func:`step_actors` of many running steps (a page of the dispatcher's view), with one query for
    all the units on their orders' paths; keyed by the step's id."""
    steps = list(steps)
    paths = {s.pk: _path_ids(s.application.order) for s in steps}
    by_id = Unit.objects.in_bulk({i for ids in paths.values() for i in ids})
    return {s.pk: _actors(s.template, [by_id[i] for i in paths[s.pk] if i in by_id]) for s in steps}


def _role_fits(actor: User, template: StepTemplate) -> bool:
    role = user_role(actor)
    if role is None:
        return False
    if template.side == StepSide.CUSTOMER or template.role_id is None:
        return user_may(actor, RECORD_RIGHT)
    # Service management sees every unit and may act for any role; a read-only role (the auditor) may not.
    return role.pk == template.role_id or (role.scope == RoleScope.ALL and user_may(actor, RECORD_RIGHT))


def step_refusal(actor: User, order: WorkOrder, template: StepTemplate) -> str | None:
    """Why ``actor`` may not complete or send back a step of ``template`` on ``order`` (a sentence for
    the form or the API's error body), or None when they may."""
    if actor.is_superuser:
        return None
    if not _role_fits(actor, template):
        return _("该环节应由「%(role)s」办理。") % {
            "role": seeded_name(template.role) if template.role else "—"
        }
    actors = step_actors(order, template)
    if actor.unit_id not in {u.pk for u in actors.units}:
        if not actors.units:
            return _("该环节应由%(level)s办理，工单尚未派至%(level)s。") % {"level": actors.level_label}
        if not template.unit_level:
            return _("该环节应由工单所在单位或其上级单位的人员办理。")
        return _("该环节应由%(units)s（%(level)s）的人员办理。") % {
            "units": "、".join(u.name for u in actors.units),
            "level": actors.level_label,
        }
    return None


def may_act_on(actor: User, order: WorkOrder, template: StepTemplate) -> bool:
    return step_refusal(actor, order, template) is None
