"""The portal's rules as pure functions: digests of codes and keys, the throttle's window, whether the
holder's details match, and how an order reads in the customer's terms."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from django.utils.crypto import salted_hmac
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from powerdesk.applications import services as applications
from powerdesk.workorders.choices import EventKind, Status

CODE_SALT = "powerdesk.portal.code"


def new_code(length: int) -> str:
    """A random numeric code of ``length`` digits (leading zeros kept)."""
    return "".join(secrets.choice("0123456789") for _i in range(length))


def code_digest(phone: str, purpose: str, code: str) -> str:
    """The keyed digest stored for a code: an attacker holding the table cannot try the million codes
    without the secret key."""
    return salted_hmac(CODE_SALT, f"{purpose}:{phone}:{code}", algorithm="sha256").hexdigest()


def code_matches(stored: str, phone: str, purpose: str, code: str) -> bool:
    return hmac.compare_digest(stored, code_digest(phone, purpose, code.strip()))


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def phone_key(phone: str) -> str:
    """The throttle's key of a phone: its digest, so the counters hold no numbers."""
    return hashlib.sha256(f"portal-phone:{phone}".encode()).hexdigest()[:32]


def hour_window(at: dt.datetime) -> dt.datetime:
    return at.replace(minute=0, second=0, microsecond=0)


def day_window(at: dt.datetime) -> dt.datetime:
    return at.replace(hour=0, minute=0, second=0, microsecond=0)


def holder_matches(*, name: str, id_number: str, given_name: str, given_digits: str) -> str | None:
    """How the details given prove the account (``"name"`` or ``"id_digits"``), or None.

    The name must equal the account holder's (spaces ignored); ID digits must be at least four and equal
    the end of the ID number (an ``x`` check digit in either case)."""
    given_name = "".join(given_name.split())
    if given_name and given_name == "".join(name.split()):
        return "name"
    digits = given_digits.strip().upper()
    number = id_number.strip().upper()
    if len(digits) >= 4 and number and len(number) > len(digits) and number.endswith(digits):
        return "id_digits"
    return None


# What the customer reads for each timeline event; kinds not listed (notes, calls out, escalations,
# reclassifications, links, internal flags) are the staff's and are not shown.
CUSTOMER_EVENTS: dict[str, Promise] = {
    EventKind.CREATED: _("您的诉求已受理"),
    EventKind.REPEAT_CALL: _("您再次反映了此问题，已记录并提醒处理人员"),
    EventKind.DISPATCH: _("已派给%(unit)s处理"),
    EventKind.TRANSFER: _("已转交%(unit)s处理"),
    EventKind.TAKE: _("工作人员已接单"),
    EventKind.ARRIVE: _("工作人员已到达现场"),
    EventKind.RESOLVE: _("已处理完毕"),
    EventKind.REPLY: _("答复"),
    EventKind.ANSWER: _("答复"),
    EventKind.CALLBACK: _("已回访"),
    EventKind.ARCHIVE: _("已办结"),
    EventKind.SUSPEND: _("暂停处理"),
    EventKind.RESUME: _("恢复处理"),
    EventKind.CHASE: _("已催办"),
    EventKind.REOPEN: _("重新处理"),
    EventKind.MERGE: _("已与同一事件的工单合并处理"),
    EventKind.CUSTOMER_CANCEL: _("您已撤销此诉求"),
    # An application's own events (the steps themselves are shown in its progress section).
    applications.STARTED: _("您的申请已受理，所需资料已一次告知"),
    applications.STEP_DONE: _("一个办理环节已完成"),
    applications.STEP_RETURNED: _("办理环节退回重办"),
    applications.DOCUMENT_REQUESTED: _("需要您补充资料"),
    applications.DOCUMENT_RECEIVED: _("已收到您的资料"),
    applications.KIND_CHANGED: _("您的申请类别已更正，办理环节已重新安排"),
}

# Events whose text the customer is meant to read: the handler's result and the reply.
CUSTOMER_TEXT_EVENTS = frozenset({EventKind.RESOLVE, EventKind.REPLY, EventKind.ANSWER})

NEXT_STEPS: dict[str, Promise] = {
    Status.ACCEPTED: _("等待派给处理单位"),
    Status.DISPATCHED: _("等待工作人员接单"),
    Status.IN_PROGRESS: _("工作人员正在处理"),
    Status.ON_SITE: _("工作人员正在现场处理"),
    Status.RESOLVED: _("处理完成，等待答复您"),
    Status.REPLIED: _("我们会回访您，听取您的意见"),
    Status.CALLED_BACK: _("即将办结"),
    Status.RETURNED: _("正在重新安排处理单位"),
    Status.SUSPENDED: _("暂停处理，恢复后继续"),
    Status.ARCHIVED: _("已办结"),
    Status.MERGED: _("已与同一事件的工单合并处理"),
}


def next_step(status: str) -> str:
    return str(NEXT_STEPS.get(status, ""))
