"""Shared by the work-order API modules: input limits, the order-number parameter, refusals."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.request import Request

from powerdesk.core.api import (
    request_user,
)
from powerdesk.core.errors import NotFound, ValidationFailed
from powerdesk.workorders.models import WorkOrder
from powerdesk.workorders.selectors import (
    order_get,
)

# Widths of the model columns the input lands in (TextFields get a generous but finite cap).
MAX_LONGTEXT = 5000
MAX_TEXT = 200
MAX_ID = 2**63 - 1  # bigint primary keys
MAX_VERSION = 2**31 - 1
MAX_FACTS_CHARS = 20000
MAX_FACTS_DEPTH = 8
# Order numbers and account numbers are short codes; anything else names nothing.
CODE_PATTERN = r"^[0-9A-Za-z-]{1,20}$"
ORDER_NUMBER = re.compile(CODE_PATTERN)
PHONE_PATTERN = r"^[0-9+\-()# ]*$"

NUMBER_PARAMETER = OpenApiParameter(
    "number",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    required=True,
    pattern=CODE_PATTERN,
    description="The order number (工单编号).",
)
TAGS = ["workorders"]


def visible_order(request: Request, number: str) -> WorkOrder:
    if not ORDER_NUMBER.match(number):
        raise NotFound(_("找不到该工单。"))
    return order_get(user=request_user(request), number=number)


def refuse(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationFailed(_("提交的数据有误，请检查各字段。"), fields=errors)
