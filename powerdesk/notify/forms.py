from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from powerdesk.notify.opt_outs import CUSTOMER_CHANNELS


class OptOutForm(forms.Form):
    channels = forms.MultipleChoiceField(
        label=_("不接收以下渠道的通知"),
        choices=[(c.value, c.label) for c in CUSTOMER_CHANNELS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={"invalid_choice": _("请选择有效的渠道。")},
        help_text=_("抢修复电、安全提示、法定停电通知和验证码仍会发送"),
    )
    note = forms.CharField(
        label=_("说明"),
        max_length=200,
        required=False,
        error_messages={"max_length": _("说明不能超过 %(limit_value)d 个字。")},
    )
