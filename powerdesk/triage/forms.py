"""The text a suggestion is asked for, checked once for the console and the API."""

from __future__ import annotations

from django.utils.translation import gettext as _

from powerdesk.core.errors import ValidationFailed

# As long as an order's description may be (the intake form's limit): longer is not a caller's words.
TEXT_MAX = 4000


def clean_text(value: object) -> str:
    """The text, stripped; empty, not a string, or longer than ``TEXT_MAX`` is refused (field ``text``)."""
    if not isinstance(value, str):
        message = _("请提供客户诉求文本。")
        raise ValidationFailed(message, fields={"text": [message]})
    text = value.strip()
    if not text:
        message = _("客户诉求文本不能为空。")
        raise ValidationFailed(message, fields={"text": [message]})
    if len(text) > TEXT_MAX:
        message = _("文本过长：最多%(max)s字。") % {"max": TEXT_MAX}
        raise ValidationFailed(message, fields={"text": [message]})
    return text
