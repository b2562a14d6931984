from __future__ import annotations

import re
import unicodedata

from django import forms
from django.utils.translation import gettext_lazy as _


class SecondFactorCodeForm(forms.Form):
    """The six digits an authenticator app shows. Spaces (some apps group the digits) are ignored, and
    full-width digits, which a Chinese input method may type, are read as digits."""

    code = forms.CharField(
        label=_("动态验证码"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True, "size": 8}
        ),
    )

    def clean_code(self) -> str:
        code = "".join(unicodedata.normalize("NFKC", self.cleaned_data["code"]).split())
        if not re.fullmatch(r"[0-9]{6}", code):
            raise forms.ValidationError(_("请输入身份验证器应用显示的6位数字。"), code="format")
        return code

    def reject(self) -> None:
        self.add_error("code", _("验证码不正确或已过期，请输入应用中当前显示的验证码。"))
