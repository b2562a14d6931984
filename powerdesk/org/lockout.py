"""What a login refused by the throttle (django-axes, ``AXES_LOCKOUT_CALLABLE``) answers: the login page
again, status 429, saying for how long the account or address is locked and who can unlock it."""

from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

LOCKED_STATUS = 429


def lockout_minutes() -> int:
    return max(1, math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60))


def lockout_message() -> str:
    return _(
        "登录失败次数过多，该账号或本机地址已被锁定 %(minutes)s 分钟。请稍后再试，或请系统管理员解锁。"
    ) % {"minutes": lockout_minutes()}


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = AuthenticationForm(request, initial={"username": username})
    return render(
        request,
        "core/login.html",
        {"form": form, "lockout": lockout_message(), "next": request.POST.get("next", "")},
        status=LOCKED_STATUS,
    )
