"""No brute force on the logins (django-axes): wrong passwords lock the account, whatever the address,
and the address, whatever the account; the right password is then refused with a message saying for how
long; an administrator unlocks in the admin; every lockout is in the audit trail."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.conf import settings

from powerdesk.audit.models import AuditEntry

LOGIN = "/login/"


def wrong(client, username: str, address: str, path: str = LOGIN):
    return client.post(path, {"username": username, "password": "not-the-password"}, REMOTE_ADDR=address)


def right(client, username: str = "agent", address: str = "192.0.2.200"):
    return client.post(LOGIN, {"username": username, "password": "pw-12345"}, REMOTE_ADDR=address)


def test_wrong_passwords_from_many_addresses_lock_the_account(client, users):
    for i in range(settings.AXES_FAILURE_LIMIT):
        assert wrong(client, "agent", f"198.51.100.{i + 1}").status_code in {200, 429}
    response = right(client, "agent", "192.0.2.200")
    assert response.status_code == 429
    text = response.content.decode()
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    assert "登录失败次数过多" in text and f"锁定 {minutes} 分钟" in text
    assert "_auth_user_id" not in client.session
    # other accounts are not locked
    assert right(client, "dispatcher", "192.0.2.201").status_code == 302


def test_wrong_passwords_for_many_accounts_lock_the_address(client, users):
    for i in range(settings.AXES_FAILURE_LIMIT):
        wrong(client, f"guess{i}", "198.51.100.77")
    assert right(client, "agent", "198.51.100.77").status_code == 429
    assert right(client, "agent", "198.51.100.78").status_code == 302


def test_the_admin_login_is_throttled_too(client, users):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        wrong(client, "agent", "198.51.100.90", path="/admin/login/")
    response = client.post(
        "/admin/login/", {"username": "agent", "password": "pw-12345"}, REMOTE_ADDR="198.51.100.90"
    )
    assert response.status_code == 429 and "登录失败次数过多" in response.content.decode()


def test_a_lockout_is_audited(client, users):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        wrong(client, "agent", "198.51.100.5")
    lockouts = AuditEntry.objects.filter(kind="lockout")
    assert lockouts.count() >= 1
    entry = lockouts.latest("id")
    assert (entry.subject, entry.address) == ("agent", "198.51.100.5")
    assert (
        AuditEntry.objects.filter(kind="login_failed", subject="agent").count() == settings.AXES_FAILURE_LIMIT
    )


def test_an_administrator_unlocks_in_the_admin(client, users):
    from powerdesk.org.models import User

    for _ in range(settings.AXES_FAILURE_LIMIT):
        wrong(client, "agent", "198.51.100.6")
    assert right(client, "agent", "198.51.100.6").status_code == 429
    admin = User.objects.create_superuser("unlocker", password="a-long-admin-pass-2024")
    staff = client.__class__()
    staff.force_login(admin)
    attempts = list(AccessAttempt.objects.filter(username="agent").values_list("pk", flat=True))
    assert attempts
    response = staff.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": attempts, "post": "yes"},
    )
    assert response.status_code == 302
    assert right(client, "agent", "198.51.100.6").status_code == 302


@pytest.mark.parametrize("password", ["1", "12345678901", "password123", "qwertyuiop"])
def test_a_weak_password_is_refused_by_the_admin(client, users, password):
    from powerdesk.org.models import User

    admin = User.objects.create_superuser("pwadmin", password="a-long-admin-pass-2024")
    client.force_login(admin)
    user = users["agent"]
    response = client.post(
        f"/admin/org/user/{user.pk}/password/",
        {"password1": password, "password2": password, "usable_password": "true"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["password2"]
    user.refresh_from_db()
    assert user.check_password("pw-12345")


def test_a_short_password_is_refused_in_chinese(client, users):
    from powerdesk.org.models import User

    admin = User.objects.create_superuser("pwadmin", password="a-long-admin-pass-2024")
    client.force_login(admin)
    response = client.post(
        f"/admin/org/user/{users['agent'].pk}/password/",
        {"password1": "Qx-95598", "password2": "Qx-95598", "usable_password": "true"},
    )
    assert "密码太短，至少需要 10 个字符。" in response.context["form"].errors["password2"]


def test_a_strong_password_is_accepted_by_the_admin(client, users):
    from powerdesk.org.models import User

    admin = User.objects.create_superuser("pwadmin2", password="a-long-admin-pass-2024")
    client.force_login(admin)
    user = users["agent"]
    response = client.post(
        f"/admin/org/user/{user.pk}/password/",
        {"password1": "Qingxi-95598-feeder", "password2": "Qingxi-95598-feeder", "usable_password": "true"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Qingxi-95598-feeder")
