"""Password rules beside Django's validators (``AUTH_PASSWORD_VALIDATORS``): the minimum length says so
in Chinese (Django's Simplified Chinese catalogue lacks its plural message, so the admin showed it in
English)."""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.utils.translation import gettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return gettext("密码太短，至少需要 %(min_length)d 个字符。") % {"min_length": self.min_length}

    def get_help_text(self) -> str:
        return gettext("密码至少需要 %(min_length)d 个字符。") % {"min_length": self.min_length}
