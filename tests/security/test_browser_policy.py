"""Every console page is served under a Content-Security-Policy that allows no inline script, and none
needs one: no inline <script> (JSON data blocks aside), no on…= handlers, no javascript: URLs, no hx-on.

The pages are found by walking the URL configuration, so a page added later is swept too; a page whose URL
takes arguments needs an entry in ``ARGUMENTS`` (the test says so)."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.console.conftest import intake
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# URL names that are not pages a browser opens with GET (posts, downloads, fragments are swept with their
# page), each with why.
NOT_PAGES = {
    "workorders:transition": "POST only",
    "workorders:attachment_add": "POST only",
    "workorders:attachment": "a download, not HTML",
    "workorders:repeat_check": "an htmx fragment of the intake form",
    "workorders:queue_counts": "an htmx fragment of the order list",
    "workorders:customer_orders": "an htmx fragment of the intake form",
    "workorders:add_contact": "POST only",
    "workorders:dispatch_staff": "an htmx fragment of the dispatch form",
    "feedback:follow_up_close": "POST only",
    "audit:export": "CSV",
    "grid:export": "CSV or Excel",
    "analytics:quality_export": "CSV",
    "analytics:malicious": "POST only",
    "complaints:rectification_close": "POST only",
    "outages:etr": "POST only",
    "outages:restore": "POST only",
    "outages:confirm": "POST only",
    "outages:event_close": "POST only",
    "outages:reject": "POST only",
    "outages:storm_end": "POST only",
    "triage:suggest": "POST only: an htmx fragment of the intake form (checked in tests/triage)",
    "triage:train": "POST only",
    "triage:activate": "POST only",
    "audit:reveal": "needs its field and record: swept with them below",
    "logout": "POST only",
    "set_language": "POST only",
    "favicon.ico": "a redirect to a static file",
    "knowledge:step": "POST only",
    "knowledge:revise": "POST only",
    "knowledge:attachment_add": "POST only",
    "knowledge:attachment": "a download, not HTML",
    "exports:start": "POST only: answers the file or leads to the job's page",
    "exports:status": "an htmx fragment of the export job's page",
    "exports:download": "a download, not HTML",
    "analytics:report_pdf": "a PDF download, not HTML",
    "knowledge:learning_confirm": "POST only",
    "knowledge:script_step": "POST only",
    "knowledge:script_revise": "POST only",
    "notify:resend": "POST only",
    "portal:verify": "POST only",
    "portal:sign_out": "POST only",
    "portal:cancel": "POST only",
    "portal:order_document": "POST only",
    "portal:apply_proof": "POST only",
    "portal:apply_proof_code": "POST only",
    "ops:healthz": "JSON for probes, not HTML",
    "ops:readyz": "JSON for probes, not HTML",
    "ops:metrics": "Prometheus text for the scraper, not HTML",
    "applications:step_complete": "POST only",
    "applications:step_return": "POST only",
    "applications:document_receive": "POST only",
    "applications:document_request": "POST only",
    "applications:kind_change": "POST only",
    "privacy:export": "POST only: a JSON or Excel download",
    "privacy:correct": "POST only",
    "privacy:erase": "POST only",
    "privacy:hold_place": "POST only",
    "privacy:hold_release": "POST only",
    "hall:proof_confirm": "POST only",
    "hall:proof_reject": "POST only",
}
# Namespaces and names outside the console (their own policy or none of ours).
OUTSIDE = ("admin:", "api-", "v1:", "api:")


def _console_patterns(resolver: URLResolver | None = None, prefix: str = "") -> list[tuple[str, URLPattern]]:
    found: list[tuple[str, URLPattern]] = []
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            found += _console_patterns(entry, ns)
        elif entry.name:
            found.append((f"{prefix}{entry.name}", entry))
    return [(name, p) for name, p in found if not name.startswith(OUTSIDE)]


def _is_console_view(pattern: URLPattern) -> bool:
    module = getattr(pattern.callback, "__module__", "") or ""
    return module.startswith("powerdesk.") or module.startswith("django.contrib.auth")


@pytest.fixture
def console_urls(users, customer):
    order = intake(users["agent"], customer)
    complaint = intake(
        users["agent"], customer, business_type="complaint", topic_code="communication", description="态度差"
    )
    praise = intake(
        users["agent"], customer, business_type="praise", topic_code="hall_service", description="表扬抢修班"
    )
    # An application's order (the application panel and its step forms) and its printed notice.
    application = _application(users, customer)
    arguments = {
        "applications:notice": [application.order.number],
        "customers:detail": [customer.account_no],
        "customers:detail_id": [customer.pk],
        "notify:customer_opt_outs": [customer.pk],
        "workorders:detail": [order.number],
        "complaints:record": [complaint.number],
        "complaints:judge": [complaint.number],
        "complaints:praise": [praise.number],
        **_feedback_arguments(order, users),
        "grid:children": [_grid_substation().pk],
        "outages:detail": [_outage(users).number],
        **_knowledge_arguments(users),
        "exports:detail": [_export_job(users["manager"]).pk],
        "analytics:report": [_monthly_report(users["manager"]).pk],
        # The portal's pages lead a staff member (no portal session) to the portal's sign-in page.
        "portal:account": [customer.account_no],
        "portal:order": [order.number],
        "portal:apply": ["lv_resident"],
        "portal:unbind": [customer.account_no],
    }
    urls = []
    for name, pattern in _console_patterns():
        if name in NOT_PAGES or not _is_console_view(pattern):
            continue
        if pattern.pattern.regex.groups:
            assert name in arguments, f"{name}: add its arguments to this test (or to NOT_PAGES, saying why)"
            urls.append(reverse(name, args=arguments[name]))
        else:
            urls.append(reverse(name))
    urls.append(reverse("workorders:new") + f"?customer={customer.account_no}")
    urls.append(reverse("customers:search") + f"?q={customer.account_no}")
    urls.append(reverse("outages:place") + f"?address={customer.address}")
    # The data-subject page with a person found: its summary and every action's form.
    urls.append(reverse("privacy:requests") + f"?account_no={customer.account_no}")
    # The reliability page with its filters: a feeder and the 10 kV user unit.
    urls.append(reverse("reliability:report") + f"?user_unit=10kv&feeder={_feeder_id()}&date_from=2026-01-01")
    # The 显示 control's reason form, as a page of its own (the manager may reveal a customer's phone).
    urls.append(reverse("audit:reveal") + f"?target=customer&ref={customer.pk}&field=phone")
    # The hall clerk's proofs page with a proof waiting: its confirm and refuse forms.
    _hall_proof(customer)
    urls.append(reverse("workorders:detail", args=[application.order.number]))
    return urls


def _hall_proof(customer):
    from powerdesk.core import clock
    from powerdesk.portal.models import AccountBinding, PortalAccount
    from powerdesk.portal.services import proof_start

    account = PortalAccount.objects.create(phone="13812345678", created_at=clock.now())
    AccountBinding.objects.create(account=account, customer=customer, method="name", bound_at=clock.now())
    return proof_start(account=account, customer=customer, kind="app_close", address=None)


def _application(users, customer):
    from powerdesk.applications.models import ApplicationKind
    from powerdesk.applications.services import application_start

    return application_start(
        actor=users["agent"],
        kind=ApplicationKind.objects.get(code="hv_single"),
        customer=customer,
        channel="hall",
        notice_channel="printed",
    )


def _knowledge_arguments(users) -> dict[str, list]:
    """A published case (seeded), a draft and a learning assignment: the case pages' arguments."""
    from powerdesk.core import clock
    from powerdesk.knowledge import services
    from powerdesk.knowledge.learning import assignment_create
    from powerdesk.knowledge.models import CaseVersion, ScriptVersion
    from tests.factories import topic

    published = CaseVersion.objects.filter(state="published").first()
    # Assigned to the repair crew's station: the repair user reads it, the manager follows it.
    assignment = assignment_create(
        actor=users["manager"], version=published, unit=users["repair"].unit, due_date=clock.local_date()
    )
    script = ScriptVersion.objects.filter(state="published").first()
    script_draft = services.script_create(
        actor=users["manager"],
        title="草稿<script>x()</script>",
        kind="opening",
        body="<b onclick=x()>您好</b>",
    )
    draft = services.case_create(
        actor=users["manager"],
        title="草稿<script>x()</script>",
        area=topic(),
        situation="<b onclick=x()>经过</b>",
    )
    return {
        "knowledge:detail": [published.case_id],
        "knowledge:version": [draft.case_id, draft.number],
        "knowledge:edit": [draft.case_id, draft.number],
        "knowledge:learning_read": [assignment.pk],
        "knowledge:learning_progress": [assignment.pk],
        "knowledge:script_detail": [script.script_id],
        "knowledge:script_version": [script_draft.script_id, script_draft.number],
        "knowledge:script_edit": [script_draft.script_id, script_draft.number],
    }


def _export_job(user):
    """A background export still running (its page polls for the progress), the manager's."""
    from powerdesk.exports.models import ExportJob

    return ExportJob.objects.create(user=user, exporter="orders", params=[["queue", "all"]], rows_total=20000)


def _monthly_report(user):
    """Last month's report of the manager's unit, issued now."""
    from powerdesk.analytics.reports import month_start, previous_month, report_issue
    from powerdesk.core import clock

    month = previous_month(month_start(clock.local_date()))
    report, _new = report_issue(user=user, unit=user.unit, month=month)
    return report


def _grid_substation():
    from powerdesk.grid.services import device_create

    substation = device_create(code="S1", name="城东变", kind="substation")
    device_create(code="F1", name="城东线", kind="feeder", parent=substation)
    return substation


def _feeder_id() -> int:
    from powerdesk.grid.models import Device

    return Device.objects.get(code="F1").pk


def _outage(users):
    from powerdesk.grid.models import Device
    from powerdesk.outages.services import outage_create

    feeder = Device.objects.get(code="F1")
    return outage_create(actor=users["dispatcher"], kind="fault", title="城东线跳闸", devices=[feeder])


def _feedback_arguments(order, users) -> dict[str, list]:
    """A service hall, a campaign and a survey link: the feedback pages' arguments (the public ones
    included, which every signed-in user opens too)."""
    from powerdesk.core import clock
    from powerdesk.feedback import services
    from powerdesk.feedback.models import QuestionSet, SurveyCampaign, SurveyInvitation
    from powerdesk.org.models import ServiceHall

    now = clock.now()
    hall = ServiceHall.objects.create(unit=order.unit, name="营业厅", address="人民路", opening_hours="8:30")
    questions = QuestionSet.objects.get(code="outage")
    campaign = SurveyCampaign.objects.create(
        name="调查",
        unit=order.unit,
        questions=questions,
        starts_on=now.date(),
        ends_on=now.date(),
        created_by=users["manager"],
        created_at=now,
    )
    invitation = SurveyInvitation.objects.create(
        order=order,
        questions=questions,
        phone="13812345678",
        nonce="n" * 32,
        created_at=now,
        expires_at=now + dt.timedelta(days=1),
    )
    token = services.survey_url(invitation).rsplit("/s/", 1)[1].rstrip("/")
    return {
        "feedback:hall_qr": [hall.pk],
        "feedback:campaign": [campaign.pk],
        "feedback_public:survey": [token],
        "feedback_public:opinion": [hall.pk],
    }


class InlineCode(HTMLParser):
    """Collects what a policy without 'unsafe-inline' for scripts would refuse."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._in_inline_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        for name, value in attrs:
            if name.startswith("on") or name.startswith("hx-on"):
                self.found.append(f"<{tag} {name}=…>")
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"<{tag} {name}={value}>")
        if tag == "script" and "src" not in names and names.get("type") != "application/json":
            self.found.append(f"<script {names}> inline")


def assert_no_inline_code(html: str, where: str) -> None:
    parser = InlineCode()
    parser.feed(html)
    assert not parser.found, (where, parser.found)


def script_sources(header: str) -> str:
    directives = {}
    for part in header.split(";"):
        name, _sep, sources = part.strip().partition(" ")
        directives[name] = sources
    return directives.get("script-src", directives.get("default-src", ""))


def test_every_console_page_has_a_policy_without_inline_scripts_and_needs_none(
    client, users, county, console_urls
):
    auditor = UserFactory.with_role("auditor", county.county, username="auditor")
    # The administrator: the grid topology's import page is theirs alone.
    admin = UserFactory.with_role("admin", county.county, username="administrator")
    shown: set[str] = set()
    for user in (users["manager"], users["agent"], users["repair"], auditor, admin):
        client.force_login(user)
        for url in console_urls:
            response = client.get(url, follow=True)  # the code page leads to enrolment first
            assert response.status_code in (200, 403, 404), (user.username, url)  # not theirs: a page too
            if response.status_code == 200:
                shown.add(url)
            policy = response.headers["Content-Security-Policy"]
            assert "'self'" in script_sources(policy), url
            assert "unsafe-inline" not in script_sources(policy), url
            assert "unsafe-eval" not in script_sources(policy), url
            assert_no_inline_code(response.content.decode(), url)
    assert shown == set(console_urls)


def test_the_login_and_error_pages_need_no_inline_script(client, users):
    for url, status in [(reverse("login"), 200), ("/no-such-page/", 404)]:
        response = client.get(url)
        assert response.status_code == status
        assert "unsafe-inline" not in script_sources(response.headers["Content-Security-Policy"])
        assert_no_inline_code(response.content.decode(), url)
    client.force_login(users["norole"])
    forbidden = client.get(reverse("workorders:new"))
    assert forbidden.status_code == 403
    assert_no_inline_code(forbidden.content.decode(), "403")


def test_the_console_switches_off_htmx_inline_indicator_styles(client, users):
    client.force_login(users["agent"])
    body = client.get(reverse("home")).content.decode()
    config = re.search(r'<meta name="htmx-config" content=\'([^\']*)\'', body)
    assert config and '"includeIndicatorStyles": false' in config.group(1)
    css = (Path(settings.BASE_DIR) / "powerdesk/static/css/console.css").read_text()
    assert ".htmx-request .htmx-indicator" in css


def test_no_template_holds_inline_script_or_handlers():
    """The templates not rendered above (fragments, error pages, e-mails) are read as files."""
    roots = [
        Path(settings.BASE_DIR) / "powerdesk" / "templates",
        *Path(settings.BASE_DIR, "powerdesk").glob("*/templates"),
    ]
    checked = 0
    for root in roots:
        for path in root.rglob("*.html"):
            if "drf_spectacular" in path.parts:
                continue  # the API docs pages: their own policy (test_api_docs_pages_have_their_own_policy)
            assert_no_inline_code(path.read_text(), str(path))
            checked += 1
    assert checked > 20


def test_api_docs_pages_have_their_own_policy_and_no_inline_script(client, users):
    client.force_login(users["agent"])
    for name in ("api-docs", "api-redoc"):
        response = client.get(reverse(name))
        assert response.status_code == 200
        policy = response.headers["Content-Security-Policy"]
        assert "unsafe-inline" not in script_sources(policy), name
        assert "blob:" in policy  # Redoc's worker
        assert_no_inline_code(response.content.decode(), name)
    start_up = client.get(reverse("api-docs") + "?script=")
    assert start_up.status_code == 200
    assert start_up["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in start_up.content.decode()
