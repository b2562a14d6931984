"""A second factor (TOTP) for the roles flagged requires_second_factor, where the deployment turns it on:
enrolment with a QR code, a code after every password sign-in, an administrator's reset, all recorded."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from powerdesk.audit.models import AuditEntry
from powerdesk.org.models import Role
from powerdesk.org.second_factor import second_factor_required
from tests.audit.conftest import kinds_of

pytestmark = pytest.mark.django_db
PASSWORD = "pw-12345"  # the factories' password


def code_of(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift + steps_ahead):06d}"


def sign_in(client, username: str):
    return client.post(reverse("login"), {"username": username, "password": PASSWORD}, follow=True)


@pytest.fixture
def required(settings):
    settings.POWERDESK_REQUIRE_SECOND_FACTOR = True


def confirmed_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


def test_the_seeded_administrator_and_manager_roles_require_it_and_the_others_do_not():
    flagged = set(Role.objects.filter(requires_second_factor=True).values_list("code", flat=True))
    assert flagged == {"admin", "manager"}


def test_with_the_switch_off_nobody_is_asked(client, users, settings):
    settings.POWERDESK_REQUIRE_SECOND_FACTOR = False
    assert not second_factor_required(users["manager"])
    response = sign_in(client, "manager")
    assert response.redirect_chain[-1][0] == reverse("home")
    assert response.status_code == 200


def test_with_the_switch_on_other_roles_are_not_asked(client, users, required):
    assert not second_factor_required(users["agent"])
    response = sign_in(client, "agent")
    assert response.redirect_chain[-1][0] == reverse("home")
    for name in ("second_factor_enrol", "second_factor_verify"):  # nothing for them there
        assert client.get(reverse(name))["Location"] == reverse("home")
    assert not TOTPDevice.objects.exists()


def test_an_htmx_request_of_an_unverified_session_leads_the_whole_page_to_the_code(client, users, required):
    confirmed_device(users["manager"])
    client.force_login(users["manager"])
    response = client.get(reverse("customers:search") + "?q=1381", HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == reverse("second_factor_verify")


def test_a_manager_without_a_device_is_sent_to_enrol_and_reaches_nothing_else(client, users, required):
    response = sign_in(client, "manager")
    assert response.redirect_chain[-1][0].startswith(reverse("second_factor_enrol"))
    body = response.content.decode()
    assert "<svg" in body  # the QR code, inline
    device = TOTPDevice.objects.get(user=users["manager"], confirmed=False)
    assert device.config_url.startswith("otpauth://totp/")
    for url in (reverse("workorders:list"), reverse("admin:index"), reverse("sla:dashboard")):
        assert client.get(url).status_code == 302, url
    answer = client.get("/api/v1/workorders/")
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "second_factor_required"


def test_enrolment_confirmed_with_a_code_verifies_the_session_and_is_recorded(client, users, required):
    sign_in(client, "manager")
    device = TOTPDevice.objects.get(user=users["manager"], confirmed=False)
    response = client.post(
        reverse("second_factor_enrol"), {"code": code_of(device), "next": reverse("workorders:list")}
    )
    assert response.status_code == 302 and response["Location"] == reverse("workorders:list")
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("workorders:list")).status_code == 200
    assert client.get("/api/v1/workorders/").status_code == 200
    entry = AuditEntry.objects.get(kind="second_factor_enrolled")
    assert entry.actor == users["manager"] and entry.subject == "manager"


def test_a_wrong_code_at_enrolment_is_a_field_error_in_chinese_and_recorded(client, users, required):
    sign_in(client, "manager")
    device = TOTPDevice.objects.get(user=users["manager"], confirmed=False)
    wrong = f"{(int(code_of(device)) + 1) % 1_000_000:06d}"
    response = client.post(reverse("second_factor_enrol"), {"code": wrong})
    assert response.status_code == 200
    assert "验证码不正确或已过期" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    entry = AuditEntry.objects.get(kind="second_factor_failed")
    assert entry.data == {"step": "enrol"} and entry.subject == "manager"


@pytest.mark.parametrize("code", ["", "12345", "abcdef", "1234567", "12345٦", "<script>"])
def test_a_malformed_code_is_a_field_error_and_no_attempt(client, users, required, code):
    confirmed_device(users["manager"])
    sign_in(client, "manager")
    response = client.post(reverse("second_factor_verify"), {"code": code})
    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode()
    assert kinds_of(kind="second_factor_failed") == []


def test_after_the_password_a_user_with_a_device_gives_a_code(client, users, required):
    device = confirmed_device(users["manager"])
    response = sign_in(client, "manager")
    assert response.redirect_chain[-1][0].startswith(reverse("second_factor_verify"))
    assert client.get(reverse("second_factor_enrol")).status_code == 302  # enrolled already
    response = client.post(reverse("second_factor_verify"), {"code": code_of(device)})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get(reverse("workorders:list")).status_code == 200


def test_grouped_or_full_width_digits_are_read_as_the_code(client, users, required):
    device = confirmed_device(users["manager"])
    sign_in(client, "manager")
    code = code_of(device)
    typed = "".join(chr(ord(c) + 0xFEE0) for c in code[:3]) + " " + code[3:]  # "１２３ 456"
    response = client.post(reverse("second_factor_verify"), {"code": typed})
    assert response.status_code == 302


def test_a_wrong_code_after_sign_in_is_refused_and_recorded(client, users, required):
    device = confirmed_device(users["manager"])
    sign_in(client, "manager")
    response = client.post(reverse("second_factor_verify"), {"code": code_of(device, steps_ahead=5)})
    assert response.status_code == 200
    assert "验证码不正确或已过期" in response.content.decode()
    assert client.get(reverse("workorders:list")).status_code == 302
    entry = AuditEntry.objects.get(kind="second_factor_failed")
    assert entry.data == {"step": "verify"} and entry.actor == users["manager"]


def test_next_leads_only_to_this_site(client, users, required):
    device = confirmed_device(users["manager"])
    sign_in(client, "manager")
    response = client.post(
        reverse("second_factor_verify"), {"code": code_of(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_the_way_back_after_verifying_is_the_page_first_asked_for(client, users, required):
    confirmed_device(users["manager"])
    client.force_login(users["manager"])
    asked = reverse("sla:dashboard") + "?x=1"
    to_verify = client.get(asked)
    assert to_verify.status_code == 302
    page = client.get(to_verify["Location"])
    assert f'value="{asked}"' in page.content.decode()


def test_an_administrator_resets_a_lost_device_and_the_user_enrols_again(client, users, required):
    from powerdesk.org.models import User

    confirmed_device(users["manager"])
    admin = User.objects.create_superuser("root", password="a-long-admin-pass-2024")
    admin_device = confirmed_device(admin)
    client.force_login(admin)
    # The administrator is asked for a code too (a superuser), and gives it.
    client.post(reverse("second_factor_verify"), {"code": code_of(admin_device)})
    response = client.post(
        reverse("admin:org_user_changelist"),
        {"action": "reset_second_factor", "_selected_action": [users["manager"].pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert not TOTPDevice.objects.filter(user=users["manager"]).exists()
    entry = AuditEntry.objects.get(kind="second_factor_reset")
    assert entry.actor == admin and entry.subject == "manager"
    client.logout()
    again = sign_in(client, "manager")
    assert again.redirect_chain[-1][0].startswith(reverse("second_factor_enrol"))


def test_the_device_secrets_are_not_browsable_in_the_admin(client, required, settings):
    from django.contrib import admin

    assert not admin.site.is_registered(TOTPDevice)


def test_api_tokens_are_not_asked_for_a_code(users, required, api):
    assert api("manager").get("/api/v1/workorders/").status_code == 200


def test_the_audit_trail_reads_the_new_kinds_in_the_readers_language():
    from django.utils import translation

    from powerdesk.audit.kinds import describe, label

    assert label("second_factor_failed") == "双因素验证码错误"
    assert describe("second_factor_failed", {"step": "enrol"}) == "绑定时"
    with translation.override("en"):
        assert label("second_factor_enrolled") == "Set up two-factor authentication"
        assert describe("second_factor_failed", {"step": "verify"}) == "when signing in"
        assert describe("second_factor_reset", {}) == ""
