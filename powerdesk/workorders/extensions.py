"""How the apps above ``workorders`` extend the order without ``workorders`` importing them.

One mechanism (:mod:`powerdesk.core.extensions`): small registries, filled by the extending apps in
their ``AppConfig.ready()`` and read by the order's services, views and API at run time. ``workorders``
knows only the registries; an app plugs in by registering (``sla`` is the first:
:mod:`powerdesk.sla.extension`). Every registration names its owner, so
``tests/workorders/test_extensions.py`` can check that each app is connected.

The points, in the order an order meets them:

``intake_resolvers``
    Ordered deciders of what a contact becomes: a link to an existing order (a repeat call, a known
    outage …) or a new order. The first resolver with an answer wins; none → a new order.
``order_opening`` / ``order_opened``
    Called when a new order is written, in its transaction: *opening* before the row is inserted (set
    fields such as ``due_at``, add to the 受理 event's data), *opened* after (write rows of your own that
    point at the order, e.g. its clocks).
``transition_inputs``
    Extra input fields of a transition (a suspend reason code, a checklist, a cited case): each with its
    console form field, its API serializer field and its check; the forms and the API endpoints are
    generated with them, and the service receives them in ``inputs``.
``transition_validators``
    Checks that may refuse a transition of one order (``ValidationFailed``, ``TransitionNotAllowed``):
    called on the locked order after the state machine allowed it and before the change is applied. The
    risk app refuses 处理完成 of a sensitive customer's field order without photo or recording evidence.
``transition_refusals``
    Rules of an app that keep a transition off an order although its status allows it (the
    applications app: a customer cannot cancel an application whose steps are under way). Read by
    :func:`powerdesk.workorders.selectors.transition_refusal`, so the services, the console, the API and
    the portal all hide and refuse the transition by the same rule.
``transition_applied``
    Called inside every transition's transaction after the change is applied to the locked order and
    before it is saved and its one event written: move clocks, set ``due_at``, escalate, add to the event.
    A reclassification of the order (its business type, sub-type or topic: the ``reclassify``
    transition) reaches the extensions here too, so what depends on the classification is re-planned.
``contact_counted``
    Called in the intake's transaction when a contact opens an order or is counted on one as a repeat
    call, after the order is written and before the contact's event (受理 or 重复来电): add to that event's
    data. (A contact that re-opens an order goes through the ``reopen`` transition and its hooks.) The
    risk app re-scores the order here.
``order_accepted``
    Called in the intake's transaction once a new order's 受理 event and its contact are written (the
    order's first event stays 受理): write what follows the acceptance, with events of your own. The
    applications app opens a 业务办理 order's application here.
``attachment_holds``
    Conditions (``Q`` objects on ``Attachment``) under which an order's attachments must be kept: a
    retention job deletes only what :func:`powerdesk.workorders.selectors.attachments_retainable`
    leaves in.
``order_panels``
    Panels on the order page (:class:`powerdesk.core.extensions.Panel`), by slot (``due``: beside the due
    time in the header; ``aside``: the side column; ``complaint``: what a complaint handler reads beside
    a complaint, in the side column and on the complaint judgment page). Each renders its own template
    with its own context.
``detail_fields``
    Fields of ``GET /api/v1/workorders/{number}/`` (:class:`powerdesk.core.extensions.DetailField`): a
    serializer field (for the schema and the answer) and how to load its value for one order.
``event_kinds`` / ``event_presenters``
    Labels of timeline event kinds an app writes, and presenters that turn an event's stored codes and
    data into readable lines in the reader's language (events store codes, not sentences).

``intake_panels`` / ``intake_hints`` / ``intake_answered``
    The intake form's own panels (rendered inside the form, with or without a customer: the triage
    suggestion); the names of extra form fields an app's panel posts, handed to the contact as
    ``IntakeContact.hints`` (the hooks of ``contact_counted`` read them), and, with ``intake_fields``,
    the same fields on the API intake (a serializer field each, its value handed to the hints alike);
    and what the API intake adds to
    its answer's ``intake.extra`` *after* the intake's transaction (a suggestion asked for with
    ``?triage=1``), each hook given the request and the ``IntakeResult``.

``dissatisfied_handled``
    Whether an app took charge of a dissatisfied callback (a follow-up task), so the order may be archived
    without a re-open.

The order list's filters and sort keys are registered on the list's FilterSet
(:mod:`powerdesk.workorders.filters`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise

from powerdesk.core.extensions import DetailField, Panel, Registry, panels_for
from powerdesk.core.masking import mask_phone

if TYPE_CHECKING:
    from django import forms
    from django.http import HttpRequest
    from rest_framework import serializers

    from powerdesk.org.models import User
    from powerdesk.workorders.models import WorkOrder, WorkOrderEvent

# --- intake ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Resolution:
    """What a resolver decided for a contact (an ``IntakeContact`` of :mod:`.services.intake`).

    With ``write``, the contact is linked to ``order`` by that function (``write(contact, resolution)``
    writes the link, the event and the contact, and returns the ``IntakeResult``). Without it, a new
    order is opened; when ``order`` is set, the new order's 受理 event names it under ``relation``
    with ``data``. With ``link`` (a ``LinkKind``), the new order is also linked to ``order`` by an
    ``OrderLink`` of that kind, with an event on both timelines recording ``decision`` (the rule's
    suggestion, the action taken, the agent's reason). ``no_dispatch`` vetoes the automatic dispatch of
    the new order (the crew is already on a known outage); ``extra`` is handed back to the caller in
    ``IntakeResult.extra`` (the API answers it), e.g. the outage the call was linked to. With
    ``decides=False`` the resolution only adds its ``extra`` (e.g. the script of a known event in the
    caller's area) and the next resolvers still decide the contact."""

    order: WorkOrder | None = None
    write: Callable[[Any, Resolution], Any] | None = None
    relation: str = ""
    data: Mapping[str, Any] = field(default_factory=dict)
    link: str = ""
    decision: Mapping[str, Any] = field(default_factory=dict)
    no_dispatch: bool = False
    extra: Mapping[str, Any] = field(default_factory=dict)
    decides: bool = True


IntakeResolver = Callable[[Any], Resolution | None]
intake_resolvers: Registry[IntakeResolver] = Registry("intake_resolvers")


@dataclass
class OpenContext:
    """A new order being written: ``order`` is unsaved in ``order_opening`` and saved in ``order_opened``."""

    order: WorkOrder
    actor: User
    at: dt.datetime
    event_data: dict[str, Any] = field(default_factory=dict)
    # what an extension computed while opening and writes once the order has its id
    state: dict[str, Any] = field(default_factory=dict)


OpenHook = Callable[[OpenContext], None]
order_opening: Registry[OpenHook] = Registry("order_opening")
order_opened: Registry[OpenHook] = Registry("order_opened")


# --- transitions ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TransitionInput:
    """An extra input of one transition, declared once for the console and the API."""

    name: str
    form_field: Callable[[], forms.Field]
    api_field: Callable[[], serializers.Field]
    # cleans the value the service received (console, API or a direct call) or raises ValidationFailed
    clean: Callable[[Any], Any] = lambda value: value
    # fits the console field to one order (choices ranked for it …), given the form's field, the order and
    # the user; the form is built without an order too, so ``form_field`` alone must make a working field
    shape: Callable[[forms.Field, Any, Any], None] | None = None


transition_inputs: dict[str, Registry[TransitionInput]] = {}


def register_transition_input(owner: str, code: str, spec: TransitionInput, *, position: int = 100) -> None:
    transition_inputs.setdefault(code, Registry(f"transition_inputs[{code}]")).register(
        owner, spec.name, spec, position=position
    )


def inputs_of(code: str) -> list[TransitionInput]:
    registry = transition_inputs.get(code)
    return list(registry) if registry is not None else []


@dataclass
class TransitionContext:
    """One transition inside its transaction, after the change was applied to the locked order.

    ``trigger`` is what the clocks and other extensions see: the transition's code, or what the service
    says it amounts to (an unreachable callback is ``callback_unreachable``). A hook that changes fields
    of the order names them in ``changed`` so they are saved."""

    order: WorkOrder
    actor: User
    code: str
    trigger: str
    at: dt.datetime
    inputs: Mapping[str, Any]
    event_data: dict[str, Any] = field(default_factory=dict)
    changed: set[str] = field(default_factory=set)


TransitionHook = Callable[[TransitionContext], None]
transition_applied: Registry[TransitionHook] = Registry("transition_applied")


@dataclass(frozen=True)
class TransitionCheck:
    """What a transition validator sees: the locked order before the change, who acts, and the
    transition's code and cleaned extra inputs."""

    order: WorkOrder
    actor: User
    code: str
    inputs: Mapping[str, Any]


# A validator raises a domain error (ValidationFailed, TransitionNotAllowed) to refuse the transition;
# nothing has been changed yet, so the refusal rolls back nothing but the lock.
TransitionValidator = Callable[[TransitionCheck], None]
transition_validators: Registry[TransitionValidator] = Registry("transition_validators")

# Why an app's rule keeps ``code`` off ``order`` (a reason shown to the user), or None. Unlike a validator
# it is asked without an actor and before any lock, so the transition can be hidden where it is offered.
TransitionRefusal = Callable[["WorkOrder", str], "str | None"]
transition_refusals: Registry[TransitionRefusal] = Registry("transition_refusals")


# --- contacts and attachments ---------------------------------------------------------------------


@dataclass
class ContactContext:
    """A contact being counted on ``order`` (saved): ``contact`` is the intake's checked input (an
    ``IntakeContact``: what the caller said, who took it, when); ``event_data`` is the data of the event
    about to be written for it."""

    order: WorkOrder
    contact: Any
    event_data: dict[str, Any]
    opened: bool = False  # the contact opens ``order`` (else it is counted on an earlier one)
    # when it opens it: what the extensions computed while opening (``OpenContext.state``), so a hook
    # after them reads what they just wrote from memory, not back from the database
    opening: Mapping[str, Any] = field(default_factory=dict)


ContactHook = Callable[[ContactContext], None]
contact_counted: Registry[ContactHook] = Registry("contact_counted")
# A new order's 受理 event and contact are written: what must follow the acceptance on the timeline (the
# applications app opens a 业务办理 order's application, with its own event), in the intake's transaction.
order_accepted: Registry[ContactHook] = Registry("order_accepted")

# The intake form: panels inside the form (context(request, customer or None)), the extra fields they post
# (names; the view hands their values to the contact's ``hints``), and the API's additions to its answer,
# computed after the intake's transaction: hook(request, result) → a mapping merged into ``intake.extra``.
intake_panels: Registry[Panel] = Registry("intake_panels")
intake_hints: Registry[str] = Registry("intake_hints")
# The same extra fields on the API intake (``POST /api/v1/workorders/``): name → a factory of the DRF
# serializer field (in the schema, validated like the intake's own fields, errors in the stable body); a
# value given is handed to the contact's ``hints`` under that name, as the console form's field is.
IntakeField = Callable[[], Any]
intake_fields: Registry[IntakeField] = Registry("intake_fields")
IntakeAnswerHook = Callable[[Any, Any], Mapping[str, Any] | None]
intake_answered: Registry[IntakeAnswerHook] = Registry("intake_answered")

# Each returns a Q on ``workorders.Attachment`` selecting attachments under a hold (never deleted).
AttachmentHold = Callable[[], Any]
attachment_holds: Registry[AttachmentHold] = Registry("attachment_holds")


# --- the order page and the API -------------------------------------------------------------------


order_panels: Registry[Panel] = Registry("order_panels")
detail_fields: Registry[DetailField] = Registry("detail_fields")


def order_panels_for(request: HttpRequest, order: WorkOrder) -> dict[str, list[dict[str, Any]]]:
    """The panels to render on ``order``'s page, by slot: ``{"aside": [{"template": …, "context": …}]}``."""
    return panels_for(order_panels, request, order)


# --- the timeline ---------------------------------------------------------------------------------


event_kinds: Registry[str | Promise] = Registry("event_kinds")


def kind_label(kind: str) -> str:
    label = event_kinds.get(kind)
    return str(label) if label is not None else kind


@dataclass(frozen=True)
class Viewer:
    """Who reads the timeline, as far as presenting it depends on it."""

    sees_personal_data: bool
    # The reader's masking policy (org.masking.Policy); without one, ``sees_personal_data`` decides.
    masking: Any = None

    def contact_phone(self, value: str) -> str:
        """A caller's number as this reader may see it."""
        if self.masking is not None:
            return str(self.masking.text("contact_phone", value))
        return value if self.sees_personal_data else mask_phone(value)


@dataclass
class Change:
    label: str
    before: str | None  # None: the field had no value before (only "after" is shown)
    after: str


@dataclass
class PresentedEvent:
    """One event as the reader sees it; presenters fill in the readable parts."""

    event: WorkOrderEvent
    data: Mapping[str, Any]
    note: str  # what a person wrote; a presenter writes it for events that store codes only
    changes: list[Change] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return kind_label(self.event.kind)


# A presenter gets every event of a page at once (what it looks up is one query for all of them, or a
# cached table, never a query per event) and adds to each what it knows how to say.
EventPresenter = Callable[[Sequence[PresentedEvent], Viewer], None]
event_presenters: Registry[EventPresenter] = Registry("event_presenters")


# --- archiving a dissatisfied order ---------------------------------------------------------------

# Whether an app took charge of a dissatisfied callback (the feedback app: a follow-up task opened per the
# business type's rule), so the order may be archived with it; with none, a dissatisfied order must be
# re-opened first (``selectors.transition_refusal``). Asked only for a dissatisfied order's 归档.
DissatisfiedHandled = Callable[["WorkOrder"], bool]
dissatisfied_handled: Registry[DissatisfiedHandled] = Registry("dissatisfied_handled")

# Whether a replied order must be called back before it is archived (the feedback app: its business
# type's callback rule, data). With no entry every order must (归档 from 已回访 only); when every entry
# answers False, 归档 runs from 已答复 too (``selectors.transition_refusal``).
CallbackNeeded = Callable[["WorkOrder"], bool]
callback_needed: Registry[CallbackNeeded] = Registry("callback_needed")
