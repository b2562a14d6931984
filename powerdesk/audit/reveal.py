"""The 显示 control: a masked field shown in full to a role the policy lets reveal it, for a reason given,
and recorded in the audit trail (who, what, whose, when, from where, why).

The policy is ``org.masking``'s; the full value is read by the app that owns the record
(``org.masking.revealers``), which applies its own visibility: a record the user may not open is not
found. The console form (``views.reveal``) and the API (``api.RevealApi``) both call :func:`reveal`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from powerdesk.audit.services import record_reveal
from powerdesk.core.errors import NotFound, NotPermitted, ValidationFailed
from powerdesk.org.masking import MASKERS, policy_for, revealers
from powerdesk.org.models import PersonalField, User

REASON_MIN = 4  # characters: "查询" alone says nothing


@dataclass(frozen=True)
class RevealResult:
    value: str
    field: str
    target: str
    ref: str


def reveal(*, actor: User, target: str, ref: str, field: str, reason: str) -> RevealResult:
    """The full value of ``field`` of the record ``target``/``ref``, recorded with ``reason``."""
    reason = (reason or "").strip()
    if field not in MASKERS or revealers.get(target) is None:
        raise NotFound(_("没有这项信息。"))
    if not policy_for(actor).may_reveal(field):
        raise NotPermitted(_("您的角色不能查看该信息的完整内容。"))
    if len(reason) < REASON_MIN:
        raise ValidationFailed(
            _("请填写查看原因（至少%(count)d个字）。") % {"count": REASON_MIN},
            fields={"reason": [_("请填写查看原因（至少%(count)d个字）。") % {"count": REASON_MIN}]},
        )
    read = revealers.get(target)
    assert read is not None
    found = read(actor, str(ref), field)
    if found is None:
        raise NotFound(_("没有这项信息。"))
    with transaction.atomic():
        record_reveal(
            actor, field=f"{target}.{field}", subject=found.subject, reason=reason, target=f"{target}:{ref}"
        )
    return RevealResult(value=found.value, field=field, target=target, ref=str(ref))


class RevealForm(forms.Form):
    """What the 显示 control posts: which field of which record, and why."""

    target = forms.CharField(widget=forms.HiddenInput, max_length=32)
    ref = forms.CharField(widget=forms.HiddenInput, max_length=64)
    field = forms.ChoiceField(widget=forms.HiddenInput, choices=PersonalField.choices)
    reason = forms.CharField(
        label=gettext_lazy("查看原因"),
        max_length=500,
        min_length=REASON_MIN,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("例如：客户来电核实身份")}),
        error_messages={
            "required": gettext_lazy("请填写查看原因。"),
            "min_length": gettext_lazy("查看原因太短，请写明用途。"),
        },
    )
