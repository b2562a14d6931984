"""The masking policy as a function of its rows (org.masking) and the masks it applies (core.masking)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from powerdesk.core.masking import mask_account, mask_text
from powerdesk.org.masking import present
from powerdesk.org.models import FieldPolicy, Role
from tests.factories import UserFactory


def test_every_seeded_role_has_a_rule_for_every_field(db):
    fields = {choice for choice, _label in FieldPolicy._meta.get_field("field").choices}
    for role in Role.objects.all():
        assert set(role.field_policies.values_list("field", flat=True)) == fields, role.code


def test_full_masked_and_hidden(users):
    manager = users["manager"]
    assert present(users["agent"], "address", "青溪县城关镇和平路88号").text == "青溪县城关镇和平路88号"
    shown = present(manager, "address", "青溪县城关镇和平路88号")
    assert shown.text == "青溪县城关镇****" and shown.revealable
    # Saved as the admin saves it: the per-process cache of the policy is cleared by the save.
    rule = FieldPolicy.objects.get(role__code="manager", field="address")
    rule.disclosure = "hidden"
    rule.save()
    assert present(manager, "address", "青溪县城关镇和平路88号").text == ""


def test_a_role_without_a_rule_a_user_without_a_role_and_no_user_see_it_masked(users, county):
    Role.objects.create(code="new", name="新角色")
    for user in (UserFactory.with_role("new", county.county), users["norole"], None):
        shown = present(user, "phone", "13812345678")
        assert shown.text == "138****5678" and not shown.revealable


def test_the_superuser_sees_everything(db):
    full = "330100199001011234"
    assert present(UserFactory(is_superuser=True), "id_number", full).text == full


def test_an_unknown_field_is_a_programming_error(users):
    with pytest.raises(ValueError):
        present(users["agent"], "salary", "1")


def test_free_text_keeps_its_words_and_masks_id_and_phone_numbers():
    text = mask_text("客户张三，身份证330100199001011234，电话13812345678，变压器编号T-0012")
    assert "330100199001011234" not in text and "3301**********1234" in text
    assert "13812345678" not in text and "138****5678" in text
    assert text.startswith("客户张三") and "T-0012" in text
    assert mask_account("3300000123") == "33******23"


def test_a_role_given_masked_descriptions_sees_the_contacts_summary_masked(client, users, customer):
    from tests.console.conftest import intake

    intake(users["agent"], customer, description="户主身份证330100199001011234，停电")
    FieldPolicy.objects.filter(role__code="agent", field="description").update(disclosure="masked")
    client.force_login(users["agent"])
    body = client.get(reverse("customers:detail", args=[customer.account_no])).content.decode()
    assert "3301**********1234，停电" in body and "330100199001011234，停电" not in body


def test_the_admin_edits_the_policy_on_the_role(client, db):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    manager = Role.objects.get(code="manager")
    assert client.get(reverse("admin:org_fieldpolicy_changelist")).status_code == 200
    page = client.get(reverse("admin:org_role_change", args=[manager.pk])).content.decode()
    assert "field_policies-TOTAL_FORMS" in page
