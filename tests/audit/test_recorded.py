"""What the trail records, from where it happens: logins, failures, logouts, role and unit changes, API
tokens, the admin's edits of reference tables (one mechanism for every admin model), reveals, exports."""

from __future__ import annotations

import pytest

from powerdesk import audit
from powerdesk.audit.models import AuditEntry
from powerdesk.org.models import ApiToken, Role
from powerdesk.org.tokens import api_token_create, api_token_revoke
from powerdesk.sla.models import SlaPolicy, SuspendReason
from powerdesk.workorders.models import Topic
from tests.audit.conftest import kinds_of


def last(kind: str) -> AuditEntry:
    return AuditEntry.objects.filter(kind=kind).latest("id")


def test_a_login_is_recorded_with_who_and_from_where(client, users):
    response = client.post("/login/", {"username": "agent", "password": "pw-12345"}, REMOTE_ADDR="192.0.2.7")
    assert response.status_code == 302
    entry = last("login")
    assert (entry.actor, entry.actor_name, entry.subject) == (users["agent"], "agent", "agent")
    assert entry.address == "192.0.2.7" and entry.data == {"path": "/login/"}


def test_a_failed_login_keeps_the_name_tried_and_never_the_password(client, users):
    client.post("/login/", {"username": "agent", "password": "guess-1"}, REMOTE_ADDR="192.0.2.8")
    client.post("/admin/login/", {"username": "nobody", "password": "guess-2"}, REMOTE_ADDR="192.0.2.8")
    failed = AuditEntry.objects.filter(kind="login_failed").order_by("id")
    assert [(e.actor_id, e.actor_name, e.data["path"]) for e in failed] == [
        (None, "agent", "/login/"),
        (None, "nobody", "/admin/login/"),
    ]
    assert not any("guess" in str(e.data) + e.reason for e in failed)


def test_a_logout_is_recorded(client, users):
    client.force_login(users["agent"])
    client.post("/logout/")
    assert last("logout").actor == users["agent"]


def test_a_role_and_unit_change_in_the_admin_is_recorded_with_before_and_after(
    client, superuser, users, county
):
    client.force_login(superuser)
    user = users["agent"]
    form = client.get(f"/admin/org/user/{user.pk}/change/").context["adminform"].form
    data = {
        k: v for k, v in form.initial.items() if v is not None and k not in {"groups", "user_permissions"}
    }
    data.update(
        role=Role.objects.get(code="dispatcher").pk,
        unit=county.east.pk,
        date_joined_0="2025-01-01",
        date_joined_1="08:00:00",
        last_login_0="",
        last_login_1="",
        is_superuser="on",
    )
    data.pop("date_joined", None)
    data.pop("last_login", None)
    response = client.post(f"/admin/org/user/{user.pk}/change/", data, REMOTE_ADDR="192.0.2.9")
    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = last("user_changed")
    assert entry.actor == superuser and entry.subject == "agent" and entry.address == "192.0.2.9"
    assert entry.data["changes"] == {
        "role": ["agent", "dispatcher"],
        "unit": [county.county.code, county.east.code],
        "is_superuser": [False, True],
    }


def test_a_save_that_changes_no_role_unit_or_flag_records_nothing(users):
    before = AuditEntry.objects.count()
    user = users["agent"]
    user.full_name = "新名字"
    user.save()
    user.save(update_fields=["last_login"])
    assert AuditEntry.objects.count() == before


def test_deactivating_a_user_is_recorded(users):
    user = users["repair"]
    user.is_active = False
    user.save()
    assert last("user_changed").data["changes"] == {"is_active": [True, False]}


def test_tokens_made_and_revoked_are_recorded_without_the_secret(users, superuser):
    token, secret = api_token_create(user=users["agent"], name="ivr", actor=superuser)
    api_token_revoke(token=token, actor=superuser)
    created, revoked = last("token_created"), last("token_revoked")
    assert created.target == f"org.apitoken:{token.pk}" and created.subject == "agent"
    assert created.data["prefix"] == token.prefix and revoked.actor == superuser
    assert secret not in str(created.data) and secret not in str(revoked.data)
    assert not api_token_revoke(token=token, actor=superuser)  # once
    assert kinds_of(kind="token_revoked") == ["token_revoked"]


@pytest.mark.parametrize(
    ("model", "url"),
    [
        (SuspendReason, "/admin/sla/suspendreason/"),
        (Topic, "/admin/workorders/topic/"),
        (SlaPolicy, "/admin/sla/slapolicy/"),
    ],
)
def test_an_admin_edit_of_a_reference_table_is_recorded(client, superuser, model, url):
    client.force_login(superuser)
    row = model.objects.order_by("pk").first()
    form = client.get(f"{url}{row.pk}/change/").context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in data.items()}
    data = {k: ("on" if v is True else v) for k, v in data.items() if v is not False}
    data = {k: (",".join(v) if isinstance(v, list) else v) for k, v in data.items()}
    data["name"] = row.name + "（改）"
    response = client.post(f"{url}{row.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = last("admin_change")
    assert entry.actor == superuser and entry.target == f"{model._meta.label_lower}:{row.pk}"
    assert entry.data["model"] == model._meta.label_lower


def test_deleting_several_rows_in_the_admin_records_each(client, superuser, users):
    tokens = [api_token_create(user=users["agent"], name=f"t{i}")[0] for i in range(3)]
    reasons = [SuspendReason.objects.create(code=f"tmp{i}", name=f"临时原因{i}") for i in range(2)]
    client.force_login(superuser)
    response = client.post(
        "/admin/sla/suspendreason/",
        {"action": "delete_selected", "_selected_action": [r.pk for r in reasons], "post": "yes"},
    )
    assert response.status_code == 302
    deleted = AuditEntry.objects.filter(kind="admin_delete").order_by("id")
    assert sorted(e.target for e in deleted) == sorted(f"sla.suspendreason:{r.pk}" for r in reasons)
    assert ApiToken.objects.filter(pk__in=[t.pk for t in tokens]).count() == 3


def test_reveal_and_export_for_later_callers(users):
    audit.record_reveal(
        users["agent"], field="customers.customer.phone", subject="3300000001", reason="客户来电核实身份"
    )
    audit.record_export(users["manager"], what="workorders", rows=120, filters={"status": "received"})
    reveal, export = last("reveal"), last("export")
    assert (reveal.subject, reveal.reason, reveal.data) == (
        "3300000001",
        "客户来电核实身份",
        {"field": "customers.customer.phone"},
    )
    assert export.data == {"rows": 120, "filters": {"status": "received"}} and export.target == "workorders"


def test_an_unknown_kind_is_a_programming_error(users):
    with pytest.raises(ValueError, match="unknown audit kind"):
        audit.record("looked_around", users["agent"])
