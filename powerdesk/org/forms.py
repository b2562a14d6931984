from __future__ import annotations

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _


class SecondFactorCodeForm(forms.Form):
    """The six digits an authenticator app shows (spaces, as some apps group them, are ignored)."""

    code = forms.CharField(
        label=_("动态验证码"),
        max_length=12,
        validators=[RegexValidator(r"^\d{3} ?\d{3}$", _("请输入身份验证器应用显示的6位数字。"))],
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True, "size": 8}
        ),
    )

    def clean_code(self) -> str:
        return "".join(self.cleaned_data["code"].split())

    def reject(self) -> None:
        self.add_error("code", _("验证码不正确或已过期，请输入应用中当前显示的验证码。"))
