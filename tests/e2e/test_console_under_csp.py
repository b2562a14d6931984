"""In a real browser, under the Content-Security-Policy the server sends: the console's main pages and the
API docs load and work (htmx search, the intake form's filters and repeat check, countdowns) and the
browser reports no violation of the policy and no script error.

The data is made before the browser starts (``desk`` before ``page``) and the browser steps make no
query: an ORM call inside Playwright's event loop gets a connection of its own, which the server's
teardown ends, and a later browser test would be handed that dead connection."""

from __future__ import annotations

import re

import pytest

from powerdesk.workorders import services as s
from powerdesk.workorders.models import SubType, Topic
from tests.e2e.conftest import give_password
from tests.factories import AreaFactory, CustomerFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.e2e
PASSWORD = "e2e-csp-pass-2026"
# Redoc's "API docs by Redocly" logo comes from its CDN; the docs' policy refuses it, by design.
REDOC_LOGO = re.compile(r"https://cdn\.redoc\.ly/")
VIOLATION = re.compile(
    r"Content Security Policy|Refused to (execute|load|apply|evaluate|connect|frame)", re.I
)


@pytest.fixture
def desk(transactional_db):
    county = UnitFactory(code="CSP", name="青溪县供电公司", kind="county")
    east = UnitFactory(code="CSP-E", name="东桥供电所", parent=county)
    area = AreaFactory(code="CSP-E-01", name="和平路1号台区", parent=east)
    customer = CustomerFactory(
        area=area, phone="13812345678", name="周秀英", address="青溪县东桥镇和平路18号"
    )
    agent = UserFactory.with_role("agent", county, username="agent", full_name="客服员工")
    give_password(agent, PASSWORD)
    order = s.workorder_intake(
        actor=agent,
        business_type="repair",
        sub_type=SubType.objects.get(code="repair_lv"),
        topic=Topic.objects.get(code="fault_repair"),
        channel="95598",
        description="整栋楼停电",
        customer=customer,
    ).order
    return customer, order


@pytest.fixture
def reports(page):
    """What the browser says about the page: console messages of violations, uncaught script errors."""
    seen: list[str] = []
    page.on("console", lambda message: VIOLATION.search(message.text) and seen.append(message.text))
    page.on("pageerror", lambda error: seen.append(f"script error: {error}"))
    return seen


def sign_in(page, base):
    page.goto(f"{base}/login/")
    page.fill("#id_username", "agent")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"^(?!.*login).*$"))


def test_the_console_works_under_its_policy_with_no_violation(server, desk, page, reports):
    customer, order = desk
    sign_in(page, server)
    policy = page.request.get(f"{server}/").headers["content-security-policy"]
    assert (
        "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    )

    # htmx: the search answers as one types (a fragment swapped in, the indicator from console.css).
    page.goto(f"{server}/customers/")
    page.fill("#id_q", "13812345678")
    page.locator(f"text={customer.account_no}").first.wait_for()

    # The customer page, then the intake form: the sub-type filter (console.js) and the repeat check (htmx).
    page.goto(f"{server}/customers/{customer.account_no}/")
    page.goto(f"{server}/orders/new/?customer={customer.account_no}")
    page.select_option("[name=business_type]", value="repair")
    hidden = page.locator("[name=sub_type] option[data-type='complaint']").first
    assert hidden.evaluate("o => o.hidden")
    page.select_option("[name=topic]", label="故障抢修")
    page.locator(f"#repeat-warning >> text={order.number}").first.wait_for()

    # The order page with its countdowns (console.js reads their texts from a JSON data block).
    page.goto(f"{server}/orders/{order.number}/")
    page.locator("[data-due]").first.wait_for()

    for path in ("/", "/orders/?queue=all", "/sla/", "/sla/at-risk/", "/no-such-page/"):
        page.goto(f"{server}{path}")

    # The API docs under their own policy: Swagger UI and Redoc render the schema from the sidecar files.
    page.goto(f"{server}/api/docs/")
    page.locator(".swagger-ui .info .title").wait_for()
    page.goto(f"{server}/api/redoc/")
    page.locator("redoc h1, [role=main] h1, .api-content h1").first.wait_for()

    assert [text for text in reports if not REDOC_LOGO.search(text)] == []

    # The listener is not blind: an inline script added to a console page is refused, and reported.
    page.goto(f"{server}/")
    reports.clear()
    with page.expect_console_message(lambda message: bool(VIOLATION.search(message.text))):
        page.evaluate(
            "() => { const s = document.createElement('script'); s.textContent = 'window.x = 1'; "
            "document.body.appendChild(s); }"
        )
    assert reports and page.evaluate("() => window.x") is None


@pytest.fixture
def administrator(transactional_db):
    from powerdesk.org.models import Role, User

    user = User.objects.create_superuser("root", password=PASSWORD)
    give_password(user, PASSWORD)
    return user, Role.objects.get(code="manager")


def test_the_admin_works_under_the_policy_with_no_violation(server, administrator, page, reports):
    user, role = administrator
    page.goto(f"{server}/admin/login/")
    page.fill("#id_username", "root")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))
    for path in (
        "/admin/org/user/",
        f"/admin/org/user/{user.pk}/change/",  # the admin's scripts: filters, date widgets, …
        f"/admin/org/role/{role.pk}/change/",
        "/admin/org/apitoken/add/",  # a raw-id widget (its look-up pop-up is admin JavaScript)
    ):
        page.goto(f"{server}{path}")
        page.locator("#content").wait_for()
    # The changelist's select-all box is admin JavaScript (actions.js): it works.
    page.goto(f"{server}/admin/org/user/")
    page.check("#action-toggle")
    assert page.locator("input.action-select").first.is_checked()
    assert reports == []


@pytest.fixture
def second_factor_on(monkeypatch):
    """The server started after this fixture requires a second factor of the flagged roles."""
    monkeypatch.setenv("POWERDESK_REQUIRE_SECOND_FACTOR", "on")


@pytest.fixture
def manager(transactional_db):
    county = UnitFactory(code="CSP2", name="青溪县供电公司", kind="county")
    user = UserFactory.with_role("manager", county, username="manager", full_name="服务管理员工")
    give_password(user, PASSWORD)
    return user


def test_enrolling_a_second_factor_works_under_the_policy(second_factor_on, server, manager, page, reports):
    from base64 import b32decode

    from django_otp.oath import totp

    page.goto(f"{server}/login/")
    page.fill("#id_username", "manager")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/second-factor/enrol/"))
    assert page.locator(".qr svg").bounding_box()["width"] > 100  # the QR code is drawn
    secret = page.locator("code.secret").inner_text().replace(" ", "")
    key = b32decode(secret + "=" * (-len(secret) % 8))
    page.fill("#id_code", f"{totp(key):06d}")  # what the phone's app would show now
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))
    page.goto(f"{server}/orders/?queue=all")
    assert "/second-factor/" not in page.url
    assert reports == []
