"""The state machine as a table: which transition leaves which states, lands where, and asks for what.

Console forms and API input serializers are both generated from ``fields`` here, so a transition's
input is declared once. Who may fire a transition is data (``org.Role.transitions``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from powerdesk.workorders.choices import EventKind, Status

S = Status
ALL_OPEN = frozenset(
    {
        S.ACCEPTED,
        S.DISPATCHED,
        S.IN_PROGRESS,
        S.ON_SITE,
        S.RESOLVED,
        S.REPLIED,
        S.CALLED_BACK,
        S.RETURNED,
        S.SUSPENDED,
    }
)


@dataclass(frozen=True)
class FieldSpec:
    name: str
    # text | longtext | phone | unit | user | satisfaction | bool | order | business_type | sub_type | topic
    kind: str
    label: str | Promise
    required: bool = True


@dataclass(frozen=True)
class Transition:
    code: str
    label: str | Promise
    sources: frozenset[str]
    target: str | None  # None: the status does not change
    event: str
    fields: tuple[FieldSpec, ...] = field(default=())
    style: str = "primary"


NOTE_OPTIONAL = FieldSpec("note", "longtext", _("说明"), required=False)
REASON = FieldSpec("reason", "longtext", _("原因"))

TRANSITIONS: dict[str, Transition] = {
    t.code: t
    for t in [
        Transition(
            "dispatch",
            _("派单"),
            frozenset({S.ACCEPTED, S.RETURNED}),
            S.DISPATCHED,
            EventKind.DISPATCH,
            (
                FieldSpec("unit", "unit", _("派往单位")),
                FieldSpec("assignee", "user", _("指定处理人"), False),
                NOTE_OPTIONAL,
            ),
        ),
        Transition(
            "take", _("接单"), frozenset({S.DISPATCHED}), S.IN_PROGRESS, EventKind.TAKE, (NOTE_OPTIONAL,)
        ),
        Transition(
            "arrive", _("到达现场"), frozenset({S.IN_PROGRESS}), S.ON_SITE, EventKind.ARRIVE, (NOTE_OPTIONAL,)
        ),
        Transition(
            "resolve",
            pgettext_lazy("action", "处理完成"),  # the button; the status is pgettext("status", …)
            frozenset({S.IN_PROGRESS, S.ON_SITE}),
            S.RESOLVED,
            EventKind.RESOLVE,
            (FieldSpec("result", "longtext", _("处理结果")),),
        ),
        Transition(
            "reply",
            _("回单"),
            frozenset({S.RESOLVED}),
            S.REPLIED,
            EventKind.REPLY,
            (FieldSpec("reply_text", "longtext", _("回单内容")),),
        ),
        Transition(
            "callback",
            _("回访"),
            frozenset({S.REPLIED}),
            S.CALLED_BACK,
            EventKind.CALLBACK,
            (
                FieldSpec("satisfaction", "satisfaction", _("满意度")),
                FieldSpec("resolved", "bool", _("问题已解决"), False),
                NOTE_OPTIONAL,
            ),
        ),
        Transition(
            "archive",
            _("归档"),
            frozenset({S.CALLED_BACK, S.REPLIED}),
            S.ARCHIVED,
            EventKind.ARCHIVE,
            (NOTE_OPTIONAL,),
        ),
        Transition(
            "answer",
            _("一次答复办结"),
            frozenset({S.ACCEPTED}),
            S.ARCHIVED,
            EventKind.ANSWER,
            (FieldSpec("answer", "longtext", _("答复内容")),),
        ),
        Transition(
            "transfer",
            _("转派"),
            frozenset({S.DISPATCHED, S.IN_PROGRESS}),
            S.DISPATCHED,
            EventKind.TRANSFER,
            (FieldSpec("unit", "unit", _("转派单位")), REASON),
            "secondary",
        ),
        Transition(
            "return",
            _("回退"),
            frozenset({S.DISPATCHED, S.IN_PROGRESS, S.ON_SITE}),
            S.RETURNED,
            EventKind.RETURN,
            (REASON,),
            "secondary",
        ),
        Transition(
            "suspend",
            _("挂起"),
            frozenset({S.DISPATCHED, S.IN_PROGRESS, S.ON_SITE, S.RESOLVED}),
            S.SUSPENDED,
            EventKind.SUSPEND,
            (REASON,),
            "secondary",
        ),
        Transition("resume", _("恢复"), frozenset({S.SUSPENDED}), None, EventKind.RESUME, (NOTE_OPTIONAL,)),
        Transition("chase", _("催办"), ALL_OPEN, None, EventKind.CHASE, (NOTE_OPTIONAL,), "secondary"),
        Transition("escalate", _("升级"), ALL_OPEN, None, EventKind.ESCALATE, (REASON,), "danger"),
        Transition(
            "merge",
            _("合并"),
            ALL_OPEN - {S.SUSPENDED},
            S.MERGED,
            EventKind.MERGE,
            (FieldSpec("parent", "order", _("主工单编号")), NOTE_OPTIONAL),
            "secondary",
        ),
        Transition(
            "reopen",
            _("重开"),
            frozenset({S.CALLED_BACK, S.ARCHIVED}),
            S.ACCEPTED,
            EventKind.REOPEN,
            (REASON,),
            "danger",
        ),
        Transition(
            "call_out",
            _("联系客户"),
            ALL_OPEN,
            None,
            EventKind.CALL_OUT,
            (
                FieldSpec("number", "phone", _("拨打号码")),
                FieldSpec("reached", "bool", _("已联系上客户"), False),
                NOTE_OPTIONAL,
            ),
            "secondary",
        ),
        Transition(
            "reclassify",
            _("重新分类"),
            ALL_OPEN,
            None,
            EventKind.RECLASSIFY,
            (
                FieldSpec("business_type", "business_type", _("业务类型")),
                FieldSpec("sub_type", "sub_type", _("业务子类"), False),
                FieldSpec("topic", "topic", _("业务分类")),
                REASON,
            ),
            "secondary",
        ),
        # The customer's own withdrawal of a request nobody has started (the portal): not a staff action.
        Transition(
            "cancel_by_customer",
            _("客户撤销"),
            frozenset({S.ACCEPTED, S.DISPATCHED}),
            S.ARCHIVED,
            EventKind.CUSTOMER_CANCEL,
            (FieldSpec("reason", "longtext", _("撤销原因"), required=False),),
            "danger",
        ),
        Transition(
            "note",
            _("备注"),
            frozenset(ALL_OPEN | {S.ARCHIVED, S.MERGED}),
            None,
            EventKind.NOTE,
            (FieldSpec("text", "longtext", _("备注内容")),),
            "secondary",
        ),
    ]
}


def transitions_from(status: str) -> list[Transition]:
    return [t for t in TRANSITIONS.values() if status in t.sources]
