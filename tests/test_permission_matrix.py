"""The permission matrix (#12): every seeded role × where its user sits (the order's own unit, another
county, the province) × every console page and every API endpoint, each answer checked against one table.

The pages and endpoints are enumerated from the URLconf: a new page or endpoint without a row here fails
``test_every_page_and_endpoint_has_a_row``, a new role without a row fails ``test_every_role_has_a_row``.
What a role may do is written out below, not read from the ``org.Role`` rows: a change of the seed data
that widens or narrows a role shows up here as a failing check.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client, TestCase, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from powerdesk.org.models import Role, UnitKind, User
from powerdesk.workorders import services as s
from powerdesk.workorders.attachments import attachment_add
from powerdesk.workorders.transitions import TRANSITIONS
from tests.api.conftest import client_for
from tests.factories import AreaFactory, CustomerFactory, UnitFactory, UserFactory, topic
from tests.seed import ensure_seeded
from tests.standby_guard import module_wide_transaction

pytestmark = pytest.mark.django_db

# --- the table: roles ---------------------------------------------------------------------------------

# The customer's own withdrawal (the portal's account fires it) is no staff role's.
ALL_TRANSITIONS = frozenset(TRANSITIONS) - {"cancel_by_customer"}


@dataclass(frozen=True)
class RoleSpec:
    sees_all: bool  # scope "all": every unit; otherwise the user's unit and those below it
    creates: bool  # takes calls (受理)
    may: frozenset[str]  # the transitions it may fire
    audit: bool = False  # reads the audit trail
    reveals: bool = False  # sees personal data masked, and may reveal it with a reason (org 0011)
    writes_cases: bool = False  # writes case library drafts (knowledge 0002)
    reviews_cases: bool = False  # reviews, publishes and retires cases (knowledge 0002)
    assigns_cases: bool = False  # assigns cases for learning and follows who confirmed (knowledge 0006)


ROLES: dict[str, RoleSpec] = {
    "agent": RoleSpec(
        False, True, frozenset({"answer", "chase", "escalate", "merge", "note", "reclassify", "call_out"})
    ),
    "dispatcher": RoleSpec(
        False,
        True,
        frozenset(
            {"dispatch", "transfer", "suspend", "resume", "chase", "escalate", "merge", "reopen", "note"}
            | {"reclassify", "call_out"}
        ),
    ),
    "repair": RoleSpec(
        False,
        False,
        frozenset({"take", "arrive", "resolve", "reply", "return", "suspend", "resume", "note", "call_out"}),
    ),
    "handler": RoleSpec(
        False,
        False,
        frozenset(
            {"take", "resolve", "reply", "return", "suspend", "resume", "note", "reclassify", "call_out"}
        ),
        writes_cases=True,
    ),
    "callback": RoleSpec(False, False, frozenset({"callback", "archive", "reopen", "note", "call_out"})),
    "manager": RoleSpec(
        True, True, ALL_TRANSITIONS, reveals=True, writes_cases=True, reviews_cases=True, assigns_cases=True
    ),
    "admin": RoleSpec(True, True, ALL_TRANSITIONS, writes_cases=True, reviews_cases=True, assigns_cases=True),
    "auditor": RoleSpec(True, False, frozenset(), audit=True),
}

# Where the user sits, relative to the order (dispatched to a station of county C1, its customer there).
POSITIONS = ("own", "other_county", "province")


def sees_order(role: RoleSpec, position: str) -> bool:
    return role.sees_all or position in ("own", "province")


# --- the table: pages and endpoints -------------------------------------------------------------------

OK, FORBIDDEN, MISSING, LOGIN = 200, 403, 404, 302


@dataclass(frozen=True)
class Row:
    """One page or endpoint: how to call it, and the answer a role in a position gets."""

    url: Callable[[Any], str]  # from the scene
    expect: Callable[[RoleSpec, str], int]
    method: str = "get"
    body: dict[str, Any] | Callable[[Any], dict[str, Any]] | None = None  # a dict, or one from the scene
    format: str = "json"  # of an API body


def everyone(status: int = OK) -> Callable[[RoleSpec, str], int]:
    return lambda role, position: status


def the_order(status: int = OK) -> Callable[[RoleSpec, str], int]:
    """Visible: ``status``; otherwise 404, whatever the role (another unit's order does not exist)."""
    return lambda role, position: status if sees_order(role, position) else MISSING


def the_transition(code: str, allowed: int) -> Callable[[RoleSpec, str], int]:
    """404 for an order not visible, then 403 for a role without the transition, then ``allowed``."""

    def expect(role: RoleSpec, position: str) -> int:
        if not sees_order(role, position):
            return MISSING
        return allowed if code in role.may else FORBIDDEN

    return expect


def takes_calls(status: int) -> Callable[[RoleSpec, str], int]:
    return lambda role, position: status if role.creates else FORBIDDEN


def reads_audit(role: RoleSpec, position: str) -> int:
    return OK if role.audit else FORBIDDEN


def administers(role: RoleSpec, position: str) -> int:
    """Pages of the system administrator only (the grid topology's import and export)."""
    return OK if role is ROLES["admin"] else FORBIDDEN


def sees_all_units(role: RoleSpec, position: str) -> int:
    return OK if role.sees_all else FORBIDDEN


def reads_reports(status: int) -> Callable[[RoleSpec, str], int]:
    """The quality view's readers get ``status`` (no such report: 404); the others 403."""
    return lambda role, position: status if role.sees_all else FORBIDDEN


def sees_reliability(role: RoleSpec, position: str) -> int:
    """The reliability indices: service management (every unit) and the roles that may dispatch (their
    unit's subtree); the others 403."""
    return OK if role.sees_all or "dispatch" in role.may else FORBIDDEN


def writes_cases(status: int) -> Callable[[RoleSpec, str], int]:
    """The case library's drafts: authors and reviewers (wherever they sit), the others 403."""
    return lambda role, position: status if role.writes_cases or role.reviews_cases else FORBIDDEN


def assigns_cases(role: RoleSpec, position: str) -> int:
    """The learning assignments' manager pages: who may assign (no scene user heads a unit)."""
    return OK if role.assigns_cases else FORBIDDEN


def assigned(status: int) -> Callable[[RoleSpec, str], int]:
    """The scene's learning assignment names the staff of the order's station: they get ``status``;
    for everyone else it does not exist."""
    return lambda role, position: status if position == "own" else MISSING


def reviews_cases(role: RoleSpec, position: str) -> int:
    return OK if role.reviews_cases else FORBIDDEN


def acts_on_step(status: int) -> Callable[[RoleSpec, str], int]:
    """The scene application's running step is a 处理人员's at the 供电所 (现场勘查): 404 for an order not
    visible, then the step's role or a role that sees all and may annotate, sitting at the order's station
    (the step's unit level on the order's path), gets ``status``, the others 403."""

    def expect(role: RoleSpec, position: str) -> int:
        if not sees_order(role, position):
            return MISSING
        if (role is ROLES["handler"] or (role.sees_all and "note" in role.may)) and position == "own":
            return status
        return FORBIDDEN

    return expect


# The roles that confirm the portal's proofs in the hall (portal 0005: the 客服专员).
HALL_ROLES = {"agent"}


def staffs_hall(status: int, *, scoped: bool = True) -> Callable[[RoleSpec, str], int]:
    """The hall clerk's proofs page: 403 for a role that does not staff a hall, then (``scoped``: one
    proof of the scene's customer) 404 for a clerk who does not see its unit, else ``status``."""

    def expect(role: RoleSpec, position: str) -> int:
        if not any(role is ROLES[code] for code in HALL_ROLES):
            return FORBIDDEN
        if scoped and not sees_order(role, position):
            return MISSING
        return status

    return expect


def manages_outages(status: int) -> Callable[[RoleSpec, str], int]:
    """Registering and changing outages: the roles that may dispatch (an outage is read by everyone)."""
    return lambda role, position: status if "dispatch" in role.may else FORBIDDEN


CONSOLE: dict[str, Row] = {
    "home": Row(lambda sc: reverse("home"), everyone()),
    "login": Row(lambda sc: reverse("login"), everyone()),
    # Logging out is a POST (Django 5); a GET is refused. Not called with POST: it would end the session.
    "logout": Row(lambda sc: reverse("logout"), everyone(405)),
    # The probes answer everyone alike (no login): the process is up; not ready, since no job worker runs
    # in the tests (tests/ops). The scrape answers only its token or allowed addresses, none set here.
    "ops:healthz": Row(lambda sc: reverse("ops:healthz"), everyone()),
    "ops:readyz": Row(lambda sc: reverse("ops:readyz"), everyone(503)),
    "ops:metrics": Row(lambda sc: reverse("ops:metrics"), everyone(FORBIDDEN)),
    "set_language": Row(
        lambda sc: reverse("set_language"), everyone(LOGIN), method="post", body={"language": "zh-hans"}
    ),
    "customers:search": Row(
        lambda sc: reverse("customers:search") + f"?q={sc.customer.account_no}", everyone()
    ),
    "customers:detail_id": Row(lambda sc: reverse("customers:detail_id", args=[sc.customer.pk]), the_order()),
    "customers:detail": Row(
        lambda sc: reverse("customers:detail", args=[sc.customer.account_no]), the_order()
    ),
    # A customer's opt-outs are changed by those who take calls: the role first, then the customer.
    "notify:customer_opt_outs": Row(
        lambda sc: reverse("notify:customer_opt_outs", args=[sc.customer.pk]),
        lambda role, position: (OK if sees_order(role, position) else MISSING) if role.creates else FORBIDDEN,
    ),
    # Failed messages and their resend: the roles that may write on an order (note); then the order's
    # visibility (another unit's message does not exist); a resend goes back to the list (302).
    "notify:failed": Row(
        lambda sc: reverse("notify:failed"), lambda role, position: OK if "note" in role.may else FORBIDDEN
    ),
    "notify:resend": Row(
        lambda sc: reverse("notify:resend", args=[_failed_notification(sc.order).pk]),
        lambda role, position: (
            (LOGIN if sees_order(role, position) else MISSING) if "note" in role.may else FORBIDDEN
        ),
        method="post",
    ),
    "workorders:list": Row(lambda sc: reverse("workorders:list") + "?queue=all", everyone()),
    "workorders:new": Row(lambda sc: reverse("workorders:new"), takes_calls(OK)),
    "workorders:queue_counts": Row(lambda sc: reverse("workorders:queue_counts"), everyone()),
    "workorders:repeat_check": Row(
        lambda sc: (
            reverse("workorders:repeat_check") + f"?customer={sc.customer.account_no}&topic=fault_repair"
        ),
        the_order(),
    ),
    "workorders:customer_orders": Row(
        lambda sc: (
            reverse("workorders:customer_orders") + f"?customer={sc.customer.account_no}&topic=fault_repair"
        ),
        the_order(),
    ),
    # One click from the customer's panel: the role first, then the order; an empty form goes back to
    # the page it came from with the field's message (302).
    "workorders:add_contact": Row(
        lambda sc: reverse("workorders:add_contact", args=[sc.order.number]),
        lambda role, position: (
            (LOGIN if sees_order(role, position) else MISSING) if role.creates else FORBIDDEN
        ),
        method="post",
        body={},
    ),
    "workorders:detail": Row(lambda sc: reverse("workorders:detail", args=[sc.order.number]), the_order()),
    # An empty form: a role that may is shown the order page with the form's errors (200).
    **{
        f"workorders:transition:{code}": Row(
            lambda sc, code=code: reverse("workorders:transition", args=[sc.order.number, code]),
            the_transition(code, OK),
            method="post",
            body={},
        )
        for code in TRANSITIONS
    },
    # The dispatch form's handler options for a unit (htmx): the order, then the role's dispatch right.
    "workorders:dispatch_staff": Row(
        lambda sc: reverse("workorders:dispatch_staff", args=[sc.order.number]) + f"?unit={sc.order.unit_id}",
        the_transition("dispatch", OK),
    ),
    "workorders:attachment_add": Row(
        lambda sc: reverse("workorders:attachment_add", args=[sc.order.number]),
        the_transition("note", OK),
        method="post",
        body={},
    ),
    "workorders:attachment": Row(
        lambda sc: reverse("workorders:attachment", args=[sc.order.number, sc.attachment.pk]), the_order()
    ),
    "sla:dashboard": Row(lambda sc: reverse("sla:dashboard"), everyone()),
    # Applications (an application of the scene's customer, dispatched to the order's station).
    "applications:steps": Row(lambda sc: reverse("applications:steps"), everyone()),
    "applications:start": Row(lambda sc: reverse("applications:start"), takes_calls(OK)),
    # Empty forms: a role that may goes back to the order page with the form's message (302).
    "applications:step_complete": Row(
        lambda sc: reverse("applications:step_complete", args=[sc.application.order.number, sc.app_step.pk]),
        acts_on_step(LOGIN),
        method="post",
        body={},
    ),
    "applications:step_return": Row(
        lambda sc: reverse("applications:step_return", args=[sc.application.order.number, sc.app_step.pk]),
        acts_on_step(LOGIN),
        method="post",
        body={},
    ),
    "applications:document_receive": Row(
        lambda sc: reverse(
            "applications:document_receive", args=[sc.application.order.number, sc.app_step.pk]
        ),
        the_transition("note", LOGIN),
        method="post",
        body={},
    ),
    "applications:document_request": Row(
        lambda sc: reverse("applications:document_request", args=[sc.application.order.number]),
        the_transition("note", LOGIN),
        method="post",
        body={},
    ),
    "applications:notice": Row(
        lambda sc: reverse("applications:notice", args=[sc.application.order.number]), the_order()
    ),
    "applications:kind_change": Row(
        lambda sc: reverse("applications:kind_change", args=[sc.application.order.number]),
        the_transition("dispatch", LOGIN),
        method="post",
        body={},
    ),
    # Complaints (a complaint order of the scene): the order first (404), then the role (403).
    "complaints:record": Row(
        lambda sc: reverse("complaints:record", args=[sc.complaint.number]), the_transition("note", OK)
    ),
    "complaints:judge": Row(
        lambda sc: reverse("complaints:judge", args=[sc.complaint.number]), the_transition("reclassify", OK)
    ),
    # A complaint is not a 表扬: whoever may edit gets 404 there too.
    "complaints:praise": Row(
        lambda sc: reverse("complaints:praise", args=[sc.complaint.number]),
        lambda role, position: MISSING if "note" in role.may or not sees_order(role, position) else FORBIDDEN,
    ),
    "complaints:rectifications": Row(lambda sc: reverse("complaints:rectifications"), everyone()),
    # An empty form: a role that may close is sent back to the list with the message (302).
    "complaints:rectification_close": Row(
        lambda sc: reverse("complaints:rectification_close", args=[sc.rectification.pk]),
        the_transition("reclassify", LOGIN),
        method="post",
        body={},
    ),
    "sla:at_risk": Row(lambda sc: reverse("sla:at_risk"), everyone()),
    # Feedback (#13): the lists are scoped by unit, so every role gets the page; closing a task of a unit
    # out of sight is a 404, an empty result goes back to the list with the message (302).
    "feedback:follow_ups": Row(lambda sc: reverse("feedback:follow_ups") + "?scope=unit", everyone()),
    "feedback:follow_up_close": Row(
        lambda sc: reverse("feedback:follow_up_close", args=[sc.follow_up.pk]),
        the_order(LOGIN),
        method="post",
        body={},
    ),
    "feedback:opinions": Row(lambda sc: reverse("feedback:opinions"), everyone()),
    "feedback:hall_qr": Row(lambda sc: reverse("feedback:hall_qr", args=[sc.hall.pk]), the_order()),
    # Campaigns reach whole units' customers: only roles that see every unit create one (an empty form:
    # 200 with its errors); everyone sees the list and the progress of those in their scope.
    "feedback:campaigns": Row(lambda sc: reverse("feedback:campaigns"), everyone()),
    "feedback:campaigns:post": Row(
        lambda sc: reverse("feedback:campaigns"),
        lambda role, position: OK if role.sees_all else FORBIDDEN,
        method="post",
        body={},
    ),
    "feedback:campaign": Row(lambda sc: reverse("feedback:campaign", args=[sc.campaign.pk]), the_order()),
    # The public pages answer the same to everyone, signed in or not: a forged survey link is refused
    # with its page (400), the opinion box of a hall opens.
    "feedback_public:survey": Row(
        lambda sc: reverse("feedback_public:survey", args=["forged"]), everyone(400)
    ),
    "feedback_public:opinion": Row(
        lambda sc: reverse("feedback_public:opinion", args=[sc.hall.pk]), everyone()
    ),
    "risk:orders": Row(lambda sc: reverse("risk:orders"), everyone()),
    # The customer portal: its sign-in pages open for everyone; a staff session is no portal session,
    # so every customer page leads to the portal's sign-in (302), the POST-only ones refuse a GET.
    "portal:sign_in": Row(lambda sc: reverse("portal:sign_in"), everyone()),
    "portal:verify": Row(lambda sc: reverse("portal:verify"), everyone(405)),
    "portal:sign_out": Row(lambda sc: reverse("portal:sign_out"), everyone(405)),
    "portal:home": Row(lambda sc: reverse("portal:home"), everyone(LOGIN)),
    "portal:consent": Row(lambda sc: reverse("portal:consent"), everyone(LOGIN)),
    "portal:bind": Row(lambda sc: reverse("portal:bind"), everyone(LOGIN)),
    "portal:report": Row(lambda sc: reverse("portal:report"), everyone(LOGIN)),
    "portal:account": Row(
        lambda sc: reverse("portal:account", args=[sc.customer.account_no]), everyone(LOGIN)
    ),
    "portal:order": Row(lambda sc: reverse("portal:order", args=[sc.order.number]), everyone(LOGIN)),
    "portal:cancel": Row(
        lambda sc: reverse("portal:cancel", args=[sc.order.number]), everyone(LOGIN), method="post"
    ),
    "portal:order_document": Row(
        lambda sc: reverse("portal:order_document", args=[sc.order.number]), everyone(LOGIN), method="post"
    ),
    "portal:unbind": Row(lambda sc: reverse("portal:unbind", args=[sc.customer.account_no]), everyone(LOGIN)),
    "portal:apply_kinds": Row(lambda sc: reverse("portal:apply_kinds"), everyone(LOGIN)),
    # The hall clerk's page for the proofs customers registered in the portal (a proof of the scene's
    # customer waits): the list for the hall roles (scoped to their units); a confirmation with a note too
    # long and a refusal without a reason are sent back (302 with a message, 400 with the field's error)
    # without deciding anything.
    "hall:proofs": Row(lambda sc: reverse("hall:proofs"), staffs_hall(OK, scoped=False)),
    "hall:proof_confirm": Row(
        lambda sc: reverse("hall:proof_confirm", args=[sc.proof.pk]),
        staffs_hall(LOGIN),
        method="post",
        body=lambda sc: {f"c{sc.proof.pk}-note": "x" * 201},
    ),
    "hall:proof_reject": Row(
        lambda sc: reverse("hall:proof_reject", args=[sc.proof.pk]), staffs_hall(400), method="post", body={}
    ),
    "portal:apply": Row(lambda sc: reverse("portal:apply", args=["lv_resident"]), everyone(LOGIN)),
    "portal:apply_proof": Row(
        lambda sc: reverse("portal:apply_proof", args=["transfer"]), everyone(LOGIN), method="post"
    ),
    "portal:apply_proof_code": Row(
        lambda sc: reverse("portal:apply_proof_code", args=["transfer"]), everyone(LOGIN), method="post"
    ),
    # The intake form's suggestion: those who take calls; an empty text answers a hint (200).
    "triage:suggest": Row(lambda sc: reverse("triage:suggest"), takes_calls(OK), method="post", body={}),
    # The model page and its actions: the system administrator only.
    "triage:models": Row(lambda sc: reverse("triage:models"), administers),
    "triage:train": Row(
        lambda sc: reverse("triage:train"),
        lambda role, position: LOGIN if role is ROLES["admin"] else FORBIDDEN,
        method="post",
        body={},
    ),
    "triage:activate": Row(
        lambda sc: reverse("triage:activate", args=[999999]),
        lambda role, position: MISSING if role is ROLES["admin"] else FORBIDDEN,
        method="post",
        body={},
    ),
    "grid:tree": Row(lambda sc: reverse("grid:tree"), everyone()),
    "grid:children": Row(lambda sc: reverse("grid:children", args=[sc.device.pk]), everyone()),
    "grid:exchange": Row(lambda sc: reverse("grid:exchange"), administers),
    # An upload without a file: the form's errors for the administrator, refused for everyone else.
    "grid:exchange:post": Row(lambda sc: reverse("grid:exchange"), administers, method="post"),
    "grid:export": Row(lambda sc: reverse("grid:export"), administers),
    # Data-subject requests and retention holds: the system administrator only; an empty form is the
    # page again with its errors, an unknown hold a 404.
    "privacy:requests": Row(lambda sc: reverse("privacy:requests"), administers),
    "privacy:requests:subject": Row(
        lambda sc: reverse("privacy:requests") + f"?account_no={sc.customer.account_no}", administers
    ),
    "privacy:export": Row(lambda sc: reverse("privacy:export"), administers, method="post", body={}),
    "privacy:correct": Row(lambda sc: reverse("privacy:correct"), administers, method="post", body={}),
    "privacy:erase": Row(lambda sc: reverse("privacy:erase"), administers, method="post", body={}),
    "privacy:hold_place": Row(lambda sc: reverse("privacy:hold_place"), administers, method="post", body={}),
    "privacy:hold_release": Row(
        lambda sc: reverse("privacy:hold_release", args=[999999]),
        lambda role, position: MISSING if role is ROLES["admin"] else FORBIDDEN,
        method="post",
        body={},
    ),
    # The quality view: the roles that see every unit (and unit heads, none in this scene: see
    # tests/analytics), the others 403; the export answers the same table as CSV.
    "analytics:quality": Row(lambda sc: reverse("analytics:quality"), sees_all_units),
    "analytics:quality_export": Row(lambda sc: reverse("analytics:quality_export"), sees_all_units),
    # The monthly reports: the quality view's readers; an empty issue form is the page again with errors.
    "analytics:reports": Row(lambda sc: reverse("analytics:reports"), sees_all_units),
    "analytics:reports:post": Row(
        lambda sc: reverse("analytics:reports"), sees_all_units, method="post", body={}
    ),
    "analytics:report": Row(lambda sc: reverse("analytics:report", args=[999999]), reads_reports(MISSING)),
    "analytics:report_pdf": Row(
        lambda sc: reverse("analytics:report_pdf", args=[999999]), reads_reports(MISSING)
    ),
    # The dashboards: as the quality view (a unit head sees their subtree: tests/analytics).
    "analytics:dashboard": Row(lambda sc: reverse("analytics:dashboard"), sees_all_units),
    "analytics:unit_dashboard": Row(lambda sc: reverse("analytics:unit_dashboard"), sees_all_units),
    # The malicious-demand flag: 404 for an order not visible, 403 for roles that neither reply nor
    # resolve, else back to the order page (set, or refused with a message when already set).
    "analytics:malicious": Row(
        lambda sc: reverse("analytics:malicious", args=[sc.order.number]),
        lambda role, position: (
            MISSING
            if not sees_order(role, position)
            else LOGIN
            if {"reply", "resolve"} & role.may
            else FORBIDDEN
        ),
        method="post",
        body={"action": "set", "reason": "反复提出无理要求"},
    ),
    "reliability:report": Row(lambda sc: reverse("reliability:report"), sees_reliability),
    # Exports: every role may export the order list (its own scope: a short list is the file itself);
    # a job is its requester's (or an administrator's): no such job is a 404 for everyone.
    "exports:list": Row(lambda sc: reverse("exports:list"), everyone()),
    "exports:start": Row(
        lambda sc: reverse("exports:start", args=["orders"]),
        everyone(),
        method="post",
        body={"query": "queue=all"},
    ),
    "exports:detail": Row(lambda sc: reverse("exports:detail", args=[999999]), everyone(MISSING)),
    "exports:status": Row(lambda sc: reverse("exports:status", args=[999999]), everyone(MISSING)),
    "exports:download": Row(lambda sc: reverse("exports:download", args=[999999]), everyone(MISSING)),
    "outages:list": Row(lambda sc: reverse("outages:list"), everyone()),
    "outages:detail": Row(lambda sc: reverse("outages:detail", args=[sc.outage.number]), everyone()),
    "outages:place": Row(lambda sc: reverse("outages:place") + "?address=城东路", everyone()),
    "outages:new": Row(lambda sc: reverse("outages:new"), manages_outages(OK)),
    "outages:event_new": Row(lambda sc: reverse("outages:event_new"), manages_outages(OK)),
    # No such event: the role first (403), then the event (404).
    "outages:event_close": Row(
        lambda sc: reverse("outages:event_close", args=[999999]), manages_outages(MISSING), method="post"
    ),
    # Invalid forms: the page again with the errors for a role that may, refused for the others.
    "outages:etr": Row(
        lambda sc: reverse("outages:etr", args=[sc.outage.number]),
        manages_outages(OK),
        method="post",
        body={},
    ),
    "outages:restore": Row(
        lambda sc: reverse("outages:restore", args=[sc.outage.number]),
        manages_outages(OK),
        method="post",
        body={"devices": "NO-SUCH-DEVICE"},
    ),
    # Already confirmed: nothing changes, back to its page.
    "outages:confirm": Row(
        lambda sc: reverse("outages:confirm", args=[sc.outage.number]), manages_outages(LOGIN), method="post"
    ),
    # A confirmed outage cannot be rejected: the refusal is shown on its page.
    "outages:reject": Row(
        lambda sc: reverse("outages:reject", args=[sc.outage.number]), manages_outages(LOGIN), method="post"
    ),
    "outages:proofs": Row(lambda sc: reverse("outages:proofs"), everyone()),
    "outages:storm": Row(lambda sc: reverse("outages:storm"), everyone()),
    "outages:storm_end": Row(
        lambda sc: reverse("outages:storm_end", args=[999999]), manages_outages(MISSING), method="post"
    ),
    # The case library: published cases for everyone; a draft (sc.draft) is read by authors and
    # reviewers only (404 for the others), written by them (403); empty forms go back to the case (302).
    "knowledge:search": Row(lambda sc: reverse("knowledge:search") + "?q=起火", everyone()),
    "knowledge:new": Row(lambda sc: reverse("knowledge:new"), writes_cases(OK)),
    "knowledge:review": Row(lambda sc: reverse("knowledge:review"), reviews_cases),
    "knowledge:detail": Row(lambda sc: reverse("knowledge:detail", args=[sc.case.case_id]), everyone()),
    "knowledge:version": Row(
        lambda sc: reverse("knowledge:version", args=[sc.draft.case_id, sc.draft.number]),
        lambda role, position: OK if role.writes_cases or role.reviews_cases else MISSING,
    ),
    "knowledge:edit": Row(
        lambda sc: reverse("knowledge:edit", args=[sc.draft.case_id, sc.draft.number]), writes_cases(OK)
    ),
    "knowledge:step": Row(
        lambda sc: reverse("knowledge:step", args=[sc.case.case_id, sc.case.number]),
        writes_cases(LOGIN),
        method="post",
        body={},
    ),
    # A draft cannot be revised: the refusal is shown on the case page.
    "knowledge:revise": Row(
        lambda sc: reverse("knowledge:revise", args=[sc.draft.case_id]), writes_cases(LOGIN), method="post"
    ),
    "knowledge:attachment_add": Row(
        lambda sc: reverse("knowledge:attachment_add", args=[sc.case.case_id]),
        writes_cases(LOGIN),
        method="post",
        body={},
    ),
    "knowledge:attachment": Row(
        lambda sc: reverse("knowledge:attachment", args=[sc.case.case_id, sc.case_attachment.pk]), everyone()
    ),
    # 以案普法: the scene's assignment names everyone at the order's station.
    "knowledge:learning_mine": Row(lambda sc: reverse("knowledge:learning_mine"), everyone()),
    "knowledge:learning_read": Row(
        lambda sc: reverse("knowledge:learning_read", args=[sc.assignment.pk]), assigned(OK)
    ),
    "knowledge:learning_confirm": Row(
        lambda sc: reverse("knowledge:learning_confirm", args=[sc.assignment.pk]),
        assigned(LOGIN),
        method="post",
    ),
    "knowledge:learning_manage": Row(lambda sc: reverse("knowledge:learning_manage"), assigns_cases),
    "knowledge:learning_new": Row(lambda sc: reverse("knowledge:learning_new"), assigns_cases),
    "knowledge:learning_progress": Row(
        lambda sc: reverse("knowledge:learning_progress", args=[sc.assignment.pk]), assigns_cases
    ),
    # Scripts (话术): the same rights as the cases; sc.script is a seeded published one, sc.script_draft a
    # draft. The intake form's panel: the role takes calls (403), then the customer is in sight (404).
    "knowledge:scripts": Row(lambda sc: reverse("knowledge:scripts") + "?q=停电", everyone()),
    "knowledge:script_new": Row(lambda sc: reverse("knowledge:script_new"), writes_cases(OK)),
    "knowledge:script_review": Row(lambda sc: reverse("knowledge:script_review"), reviews_cases),
    "knowledge:script_detail": Row(
        lambda sc: reverse("knowledge:script_detail", args=[sc.script.script_id]), everyone()
    ),
    "knowledge:script_version": Row(
        lambda sc: reverse("knowledge:script_version", args=[sc.script_draft.script_id, 1]),
        lambda role, position: OK if role.writes_cases or role.reviews_cases else MISSING,
    ),
    "knowledge:script_edit": Row(
        lambda sc: reverse("knowledge:script_edit", args=[sc.script_draft.script_id, 1]), writes_cases(OK)
    ),
    "knowledge:script_step": Row(
        lambda sc: reverse("knowledge:script_step", args=[sc.script.script_id, sc.script.number]),
        writes_cases(LOGIN),
        method="post",
        body={},
    ),
    "knowledge:script_revise": Row(
        lambda sc: reverse("knowledge:script_revise", args=[sc.script_draft.script_id]),
        writes_cases(LOGIN),
        method="post",
    ),
    "knowledge:intake_scripts": Row(
        lambda sc: (
            reverse("knowledge:intake_scripts")
            + f"?customer={sc.customer.account_no}&business_type=repair&topic=fault_repair"
        ),
        lambda role, position: (OK if sees_order(role, position) else MISSING) if role.creates else FORBIDDEN,
    ),
    "audit:list": Row(lambda sc: reverse("audit:list"), reads_audit),
    "audit:export": Row(lambda sc: reverse("audit:export"), reads_audit),
    # The 显示 control's form: only a role the policy lets reveal the field is asked for a reason.
    "audit:reveal": Row(
        lambda sc: reverse("audit:reveal") + f"?target=order&ref={sc.order.number}&field=contact_phone",
        lambda role, position: OK if role.reveals else FORBIDDEN,
    ),
    # The second factor's pages, with the deployment's switch off (the default): nobody has anything to
    # verify or enrol, so each sends the user home (tests/security/test_second_factor.py: switched on).
    "second_factor_enrol": Row(lambda sc: reverse("second_factor_enrol"), everyone(LOGIN)),
    "second_factor_verify": Row(lambda sc: reverse("second_factor_verify"), everyone(LOGIN)),
    # The admin: staff only (none of these users is staff), guarded by the admin site as a whole.
    "admin:index": Row(lambda sc: reverse("admin:index"), everyone(LOGIN)),
    "admin:org_user_changelist": Row(lambda sc: reverse("admin:org_user_changelist"), everyone(LOGIN)),
    # The API's schema and documentation pages: readable by any logged-in user.
    "api-schema": Row(lambda sc: reverse("api-schema"), everyone()),
    "api-docs": Row(lambda sc: reverse("api-docs"), everyone()),
    "api-redoc": Row(lambda sc: reverse("api-redoc"), everyone()),
}

BAD_VERSION = {"version": 0}  # refused by every transition's input check, after the order and the role

API: dict[str, Row] = {
    # The role first (403), then the order (404: another unit's order does not exist), then the value.
    "api-v1-reveal:post": Row(
        lambda sc: reverse("api-v1-reveal"),
        lambda role, position: (OK if sees_order(role, position) else MISSING) if role.reveals else FORBIDDEN,
        method="post",
        body=lambda sc: {"target": "order", "ref": sc.order.number, "field": "address", "reason": "核实地址"},
    ),
    "api-v1-workorders": Row(lambda sc: reverse("api-v1-workorders"), everyone()),
    # An empty intake: a role that takes calls gets the field errors (400), another one 403.
    "api-v1-workorders:post": Row(
        lambda sc: reverse("api-v1-workorders"), takes_calls(400), method="post", body={}
    ),
    "api-v1-workorder-dispatch-suggestion": Row(
        lambda sc: reverse("api-v1-workorder-dispatch-suggestion", args=[sc.order.number]), the_order()
    ),
    "api-v1-workorder-detail": Row(
        lambda sc: reverse("api-v1-workorder-detail", args=[sc.order.number]), the_order()
    ),
    "api-v1-workorder-attachments": Row(
        lambda sc: reverse("api-v1-workorder-attachments", args=[sc.order.number]),
        the_transition("note", 400),
        method="post",
        body={"kind": "photo"},  # no file: a field error for a role that may
        format="multipart",
    ),
    **{
        f"api-v1-workorder-{code}": Row(
            lambda sc, code=code: reverse(f"api-v1-workorder-{code}", args=[sc.order.number]),
            the_transition(code, 400),
            method="post",
            body=BAD_VERSION,
        )
        for code in TRANSITIONS
    },
    "api-v1-customers": Row(
        lambda sc: reverse("api-v1-customers") + f"?q={sc.customer.account_no}", everyone()
    ),
    "api-v1-applications": Row(lambda sc: reverse("api-v1-applications"), everyone()),
    # An empty application: a role that takes calls gets the field errors (400), another one 403.
    "api-v1-applications:post": Row(
        lambda sc: reverse("api-v1-applications"), takes_calls(400), method="post", body={}
    ),
    "api-v1-application-detail": Row(
        lambda sc: reverse("api-v1-application-detail", args=[sc.application.order.number]), the_order()
    ),
    "api-v1-application-step-complete": Row(
        lambda sc: reverse(
            "api-v1-application-step-complete", args=[sc.application.order.number, sc.app_step.pk]
        ),
        acts_on_step(400),
        method="post",
        body=BAD_VERSION,
    ),
    "api-v1-application-step-return": Row(
        lambda sc: reverse(
            "api-v1-application-step-return", args=[sc.application.order.number, sc.app_step.pk]
        ),
        acts_on_step(400),
        method="post",
        body=BAD_VERSION,
    ),
    "api-v1-application-kind-change": Row(
        lambda sc: reverse("api-v1-application-kind-change", args=[sc.application.order.number]),
        the_transition("dispatch", 400),
        method="post",
        body=BAD_VERSION,
    ),
    "api-v1-customer-detail": Row(
        lambda sc: reverse("api-v1-customer-detail", args=[sc.customer.account_no]), the_order()
    ),
    "api-v1-clocks": Row(lambda sc: reverse("api-v1-clocks"), everyone()),
    "api-v1-complaint": Row(lambda sc: reverse("api-v1-complaint", args=[sc.complaint.number]), the_order()),
    # An unknown severity: a role that may edit gets the field error (400).
    "api-v1-complaint:post": Row(
        lambda sc: reverse("api-v1-complaint", args=[sc.complaint.number]),
        the_transition("note", 400),
        method="post",
        body={"severity": "nope"},
    ),
    "api-v1-complaint-judgment": Row(
        lambda sc: reverse("api-v1-complaint-judgment", args=[sc.complaint.number]), the_order()
    ),
    "api-v1-complaint-judgment:post": Row(
        lambda sc: reverse("api-v1-complaint-judgment", args=[sc.complaint.number]),
        the_transition("reclassify", 400),
        method="post",
        body={},
    ),
    "api-v1-praise": Row(lambda sc: reverse("api-v1-praise", args=[sc.praise.number]), the_order()),
    # Nobody named: a role that may edit gets the field error (400).
    "api-v1-praise:post": Row(
        lambda sc: reverse("api-v1-praise", args=[sc.praise.number]),
        the_transition("note", 400),
        method="post",
        body={},
    ),
    "api-v1-rectifications": Row(lambda sc: reverse("api-v1-rectifications"), everyone()),
    "api-v1-rectification-close:post": Row(
        lambda sc: reverse("api-v1-rectification-close", args=[sc.rectification.pk]),
        the_transition("reclassify", 400),
        method="post",
        body={},
    ),
    "api-v1-risk-orders": Row(lambda sc: reverse("api-v1-risk-orders"), everyone()),
    "api-v1-triage": Row(
        lambda sc: reverse("api-v1-triage"), takes_calls(OK), method="post", body={"text": "家里没电了"}
    ),
    "api-v1-quality": Row(lambda sc: reverse("api-v1-quality"), sees_all_units),
    "api-v1-analytics-dashboard": Row(lambda sc: reverse("api-v1-analytics-dashboard"), sees_all_units),
    "api-v1-reliability": Row(lambda sc: reverse("api-v1-reliability"), sees_reliability),
    "api-v1-outages": Row(lambda sc: reverse("api-v1-outages"), everyone()),
    "api-v1-outages:post": Row(
        lambda sc: reverse("api-v1-outages"), manages_outages(400), method="post", body={}
    ),
    "api-v1-known-events": Row(lambda sc: reverse("api-v1-known-events"), everyone()),
    "api-v1-known-events:post": Row(
        lambda sc: reverse("api-v1-known-events"), manages_outages(400), method="post", body={}
    ),
    "api-v1-known-event-close:post": Row(
        lambda sc: reverse("api-v1-known-event-close", args=[999999]),
        manages_outages(MISSING),
        method="post",
        body={},
    ),
    "api-v1-outage-detail": Row(
        lambda sc: reverse("api-v1-outage-detail", args=[sc.outage.number]), everyone()
    ),
    "api-v1-outage-etr:post": Row(
        lambda sc: reverse("api-v1-outage-etr", args=[sc.outage.number]),
        manages_outages(400),
        method="post",
        body={},
    ),
    "api-v1-outage-restore:post": Row(
        lambda sc: reverse("api-v1-outage-restore", args=[sc.outage.number]),
        manages_outages(400),
        method="post",
        body={"devices": ["NO-SUCH-DEVICE"]},
    ),
    # The SMS gateway's delivery receipts: signed with the shared secret, not a user's; unsigned: 403.
    "api-v1-notify-receipts:post": Row(
        lambda sc: reverse("api-v1-notify-receipts"), everyone(FORBIDDEN), method="post", body={}
    ),
    # Already confirmed: confirming again changes nothing; rejecting it is refused.
    "api-v1-outage-confirm:post": Row(
        lambda sc: reverse("api-v1-outage-confirm", args=[sc.outage.number]),
        manages_outages(OK),
        method="post",
    ),
    "api-v1-outage-reject:post": Row(
        lambda sc: reverse("api-v1-outage-reject", args=[sc.outage.number]),
        manages_outages(400),
        method="post",
        body={},
    ),
    # Which role may record depends on the kind: without one, everyone gets the field error.
    "api-v1-outage-proofs:post": Row(
        lambda sc: reverse("api-v1-outage-proofs"), everyone(400), method="post", body={}
    ),
    "api-v1-outage-storm": Row(lambda sc: reverse("api-v1-outage-storm"), everyone()),
    "api-v1-outage-storm:post": Row(
        lambda sc: reverse("api-v1-outage-storm"),
        manages_outages(400),
        method="post",
        body={"unit": "NO-SUCH"},
    ),
    "api-v1-outage-storm-end:post": Row(
        lambda sc: reverse("api-v1-outage-storm-end", args=[999999]), manages_outages(MISSING), method="post"
    ),
    "api-v1-audit": Row(lambda sc: reverse("api-v1-audit"), reads_audit),
    "api-v1-cases": Row(lambda sc: reverse("api-v1-cases") + "?q=起火&area=fault_repair", everyone()),
    "api-v1-case-detail": Row(lambda sc: reverse("api-v1-case-detail", args=[sc.case.case_id]), everyone()),
    "api-v1-learning-assignments": Row(lambda sc: reverse("api-v1-learning-assignments"), everyone()),
    "api-v1-learning-assignment-confirm:post": Row(
        lambda sc: reverse("api-v1-learning-assignment-confirm", args=[sc.assignment.pk]),
        assigned(OK),
        method="post",
    ),
    "api-v1-scripts": Row(lambda sc: reverse("api-v1-scripts") + "?kind=outage", everyone()),
    # Filled from an order: the order must be in sight (404 otherwise), like the order itself.
    "api-v1-script-detail": Row(
        lambda sc: reverse("api-v1-script-detail", args=[sc.script.script_id]) + f"?order={sc.order.number}",
        the_order(),
    ),
    "api-v1-follow-ups": Row(lambda sc: reverse("api-v1-follow-ups") + "?scope=unit", everyone()),
    # No note: a task in sight gets the field error (400), one out of sight does not exist (404).
    "api-v1-follow-up-close:post": Row(
        lambda sc: reverse("api-v1-follow-up-close", args=[sc.follow_up.pk]),
        the_order(400),
        method="post",
        body={},
    ),
    "api-v1-surveys": Row(lambda sc: reverse("api-v1-surveys"), everyone()),
}

# Routes with no page of their own to check: the admin's other pages share admin:index's guard; the
# favicon is a redirect to a static file; media is served only with DEBUG.
NOT_PAGES = {"favicon", "media"}


# --- the scene ----------------------------------------------------------------------------------------


def _failed_notification(order: Any) -> Any:
    """A message about ``order`` the gateway never took (one per check: a resend makes it pending)."""
    from powerdesk.core import clock
    from powerdesk.notify.models import Notification, NotificationState, NotificationTemplate

    return Notification.objects.create(
        recipient_address="13800000009",
        channel="sms",
        template=NotificationTemplate.objects.get(code="sla_warning"),
        text="—",
        order=order,
        state=NotificationState.FAILED,
        permanent_error=True,
        created_at=clock.now(),
    )


@dataclass
class Scene:
    order: Any
    customer: Any
    attachment: Any
    users: dict[tuple[str, str], User]
    complaint: Any = None  # a complaint order beside ``order``, dispatched to the same station
    rectification: Any = None  # of ``complaint``, owned by the scene's dispatcher
    follow_up: Any = None
    hall: Any = None
    campaign: Any = None
    praise: Any = None  # a 表扬 order, dispatched to the same station
    device: Any = None  # a grid substation with a feeder below it
    outage: Any = None  # a fault outage on that feeder
    case: Any = None  # a published case version (seeded), with an attachment
    case_attachment: Any = None
    draft: Any = None  # a draft case version
    assignment: Any = None  # the published case assigned for learning to the order's station
    script: Any = None  # a published script version (seeded)
    script_draft: Any = None  # a draft script version
    application: Any = None  # a 低压居民新装 of the customer, dispatched to the order's station
    app_step: Any = None  # its running step (现场勘查, a 处理人员's)
    proof: Any = None  # a proof of the customer (销户) registered in the portal, waiting for the hall


@pytest.fixture(scope="module")
def scene(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[Scene]:
    """Built once for the module (it takes seconds) inside a transaction that is rolled back when the
    module is done. Each user's checks are a test of their own in a savepoint of it (the ``db`` fixture),
    so what one user's requests change (a resend, an export, a flag) is gone before the next user's."""
    overrides = override_settings(
        MEDIA_ROOT=tmp_path_factory.mktemp("media"),
        # Every user here calls the public pages from one address: the throttle is tested on its own
        # (tests/feedback/test_surveys.py), not here.
        POWERDESK_PUBLIC_RATE=100_000,
        # The autouse fast-hasher fixture is function-scoped: the same hasher for the module's users.
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    )
    with django_db_blocker.unblock(), overrides, module_wide_transaction():
        # Django's own test-case transaction (what setUpTestData runs in): the services' durable blocks
        # (an attachment's) are allowed inside it, as inside each test's.
        atomics = TestCase._enter_atomics()
        try:
            ensure_seeded()  # a transactional test before this module may have flushed the seed data
            yield _build_scene()
        finally:
            TestCase._rollback_atomics(atomics)


def _build_scene() -> Scene:
    province = UnitFactory(code="P", name="省公司", kind=UnitKind.PROVINCE)
    c1 = UnitFactory(code="P-C1", name="青溪县供电公司", kind=UnitKind.COUNTY, parent=province)
    c2 = UnitFactory(code="P-C2", name="远山县供电公司", kind=UnitKind.COUNTY, parent=province)
    east = UnitFactory(code="P-C1-E", name="东桥供电所", parent=c1)
    area = AreaFactory(code="P-C1-E-01", name="和平路1号台区", parent=east)
    customer = CustomerFactory(area=area, name="张三")
    where = {"own": east, "other_county": c2, "province": province}
    users = {
        (code, position): UserFactory.with_role(code, unit, username=f"{code}-{position}")
        for code in ROLES
        for position, unit in where.items()
    }
    agent = UserFactory.with_role("agent", c1, username="scene-agent")
    dispatcher = UserFactory.with_role("dispatcher", c1, username="scene-dispatcher")
    order = s.workorder_intake(
        actor=agent,
        business_type="repair",
        topic=topic("fault_repair"),
        channel="95598",
        description="整栋楼停电",
        customer=customer,
        caller_phone="13812345678",
    ).order
    order = s.workorder_dispatch(order=order, actor=dispatcher, unit=east)
    from tests.workorders.test_attachments import upload

    attachment = attachment_add(order=order, actor=agent, kind="photo", upload=upload())
    complaint = s.workorder_intake(
        actor=agent,
        business_type="complaint",
        topic=topic("communication"),
        channel="95598",
        description="抢修人员态度差",
        customer=customer,
        caller_phone="13812345678",
        force_new=True,
        override_reason="另一事件",
    ).order
    complaint = s.workorder_dispatch(order=complaint, actor=dispatcher, unit=east)
    praise = s.workorder_intake(
        actor=agent,
        business_type="praise",
        topic=topic("hall_service"),
        channel="95598",
        description="表扬营业厅",
        customer=customer,
        caller_phone="13812345678",
        force_new=True,
        override_reason="另一事件",
    ).order
    praise = s.workorder_dispatch(order=praise, actor=dispatcher, unit=east)
    from powerdesk.complaints.models import Rectification

    rectification = Rectification.objects.create(
        order=complaint,
        unit=east,
        owner=dispatcher,
        task="整改",
        due_date=complaint.created_at.date(),
        created_at=complaint.created_at,
    )
    scene = Scene(
        order=order,
        customer=customer,
        attachment=attachment,
        users=users,
        complaint=complaint,
        rectification=rectification,
        praise=praise,
    )
    _feedback_scene(scene, east, agent)
    _application_scene(scene, agent, dispatcher, east)
    _portal_scene(scene)
    _knowledge_scene(scene, c1)
    from powerdesk.grid.services import device_create

    scene.device = device_create(code="S1", name="城东变", kind="substation")
    feeder = device_create(code="F1", name="城东线", kind="feeder", parent=scene.device)
    from powerdesk.outages.services import outage_create

    scene.outage = outage_create(actor=dispatcher, kind="fault", title="城东线跳闸", devices=[feeder])
    return scene


def _application_scene(scene: Scene, agent: Any, dispatcher: Any, east: Any) -> None:
    from powerdesk.applications.models import ApplicationKind
    from powerdesk.applications.services import application_start

    scene.application = application_start(
        actor=agent,
        kind=ApplicationKind.objects.get(code="lv_resident"),
        customer=scene.customer,
        channel="hall",
        notice_channel="printed",
    )
    s.workorder_dispatch(order=scene.application.order, actor=dispatcher, unit=east)
    scene.app_step = scene.application.steps.get()


def _portal_scene(scene: Scene) -> None:
    from powerdesk.core import clock
    from powerdesk.portal.models import AccountBinding, PortalAccount
    from powerdesk.portal.services import proof_start

    account = PortalAccount.objects.create(phone="13812345678", created_at=clock.now())
    AccountBinding.objects.create(
        account=account, customer=scene.customer, method="name", bound_at=clock.now()
    )
    scene.proof = proof_start(account=account, customer=scene.customer, kind="app_close", address=None)


def _knowledge_scene(scene: Scene, county: Any) -> None:
    from powerdesk.knowledge import services
    from powerdesk.knowledge.models import CaseVersion, ScriptVersion
    from tests.workorders.test_attachments import upload

    author = UserFactory.with_role("manager", county, username="scene-case-author")
    scene.case = CaseVersion.objects.filter(state="published").order_by("id").first()
    scene.case_attachment = services.case_attachment_add(
        version=scene.case, actor=author, kind="photo", upload=upload()
    )
    scene.draft = services.case_create(actor=author, title="草稿", area=topic(), situation="经过")
    from powerdesk.core import clock
    from powerdesk.knowledge.learning import assignment_create
    from powerdesk.org.models import Unit

    scene.assignment = assignment_create(
        actor=author, version=scene.case, unit=Unit.objects.get(code="P-C1-E"), due_date=clock.local_date()
    )
    scene.script = ScriptVersion.objects.filter(state="published").order_by("id").first()
    scene.script_draft = services.script_create(actor=author, title="草稿话术", kind="opening", body="您好")


def _feedback_scene(scene: Scene, east: Any, agent: User) -> None:
    """A follow-up task on the order, a service hall and a survey campaign, all of the order's station."""
    from powerdesk.core import clock
    from powerdesk.feedback.models import FollowUpTask, QuestionSet, SurveyCampaign
    from powerdesk.org.models import ServiceHall

    now = clock.now()
    scene.follow_up = FollowUpTask.objects.create(
        order=scene.order, unit=east, reason="low_score", due_at=now, created_at=now
    )
    scene.hall = ServiceHall.objects.create(
        unit=east, name="东桥营业厅", address="东桥镇", opening_hours="8:30"
    )
    scene.campaign = SurveyCampaign.objects.create(
        name="季度调查",
        unit=east,
        questions=QuestionSet.objects.get(code="relationship"),
        starts_on=now.date(),
        ends_on=now.date(),
        created_by=agent,
        created_at=now,
    )


# --- the checks ---------------------------------------------------------------------------------------


def _route_names(patterns: list[Any], prefix: str = "") -> set[str]:
    names: set[str] = set()
    for p in patterns:
        if isinstance(p, URLResolver):
            names |= _route_names(p.url_patterns, f"{prefix}{p.namespace}:" if p.namespace else prefix)
        elif isinstance(p, URLPattern) and p.name:
            names.add(prefix + p.name)
    return names


# The system account's role: its one user is inactive and has no password, so it never signs in; it
# dispatches fault repairs inside the intake when a routing rule says so (tests/workorders/test_routing.py).
# The portal's role: its users (one per accepting unit) are inactive too; they take customers' reports and
# fire the customer's cancellation (tests/portal).
NOT_SIGNING_IN = {"system", "portal"}


def test_every_role_has_a_row():
    assert set(Role.objects.values_list("code", flat=True)) - NOT_SIGNING_IN == set(ROLES)


def test_the_system_account_cannot_sign_in(client):
    system = User.objects.get(username="system")
    assert not system.is_active and not system.has_usable_password()
    client.force_login(system)
    assert client.get(reverse("home")).status_code == LOGIN


def test_every_page_and_endpoint_has_a_row():
    routes = {n for n in _route_names(get_resolver().url_patterns) if not n.startswith("admin:")}
    rows = {n.split(":post")[0] for n in API} | {
        n.rsplit(":", 1)[0] if n.startswith("workorders:transition:") else n for n in CONSOLE
    }
    missing = routes - rows - NOT_PAGES
    assert not missing, f"add a row to the permission matrix for {sorted(missing)}"


def _answer(client: Any, row: Row, scene: Scene) -> int:
    url = row.url(scene)
    if row.method == "get":
        return client.get(url).status_code
    api = hasattr(client, "credentials")  # DRF's APIClient: the body in the row's format
    body = row.body(scene) if callable(row.body) else row.body
    return client.post(url, body or {}, **({"format": row.format} if api else {})).status_code


USERS = [(code, position) for code in ROLES for position in POSITIONS]


# One test per user, so that pytest-xdist spreads the users over its workers.
@pytest.mark.parametrize(("code", "position"), USERS, ids=[f"{c}@{p}" for c, p in USERS])
def test_the_matrix(scene, code, position):
    """One role in one position × every page and endpoint; all mismatches are reported at once."""
    wrong: list[str] = []
    role, user = ROLES[code], scene.users[(code, position)]
    browser = Client()
    browser.force_login(user)
    api = client_for(user)
    for name, row in CONSOLE.items():
        got, want = _answer(browser, row, scene), row.expect(role, position)
        if got != want:
            wrong.append(f"console {name} as {code}@{position}: {got}, expected {want}")
    for name, row in API.items():
        got, want = _answer(api, row, scene), row.expect(role, position)
        if got != want:
            wrong.append(f"api {name} as {code}@{position}: {got}, expected {want}")
    assert not wrong, "\n".join(wrong)


def test_the_matrix_has_a_test_for_every_user_of_the_scene(scene):
    assert sorted(scene.users) == sorted(USERS)
