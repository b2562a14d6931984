"""The order list as Excel: the same ``OrderFilterSet`` as the list page (its query, its queue — the
console's default is "mine" —, its scope and sort), the columns of the list and a few more, personal
data as the reader's masking policy shows it. Registered with ``core.exports`` as ``orders``."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from powerdesk.core.errors import ValidationFailed
from powerdesk.core.exports import Exporter, Table, exporters
from powerdesk.core.seeded_names import seeded_name
from powerdesk.core.xlsx import DATETIME, INTEGER, Column
from powerdesk.org.masking import policy_for
from powerdesk.org.models import User
from powerdesk.workorders.choices import BusinessType, Channel, Priority, Status
from powerdesk.workorders.filters import OrderFilterSet
from powerdesk.workorders.models import SubType, Topic

CHUNK = 2000
FIELDS = (
    "number",
    "business_type",
    "sub_type_id",
    "topic_id",
    "customer__account_no",
    "customer__name",
    "caller_phone",
    "status",
    "priority",
    "channel",
    "unit__name",
    "assignee__full_name",
    "assignee__username",
    "created_at",
    "due_at",
    "closed_at",
    "contact_count",
    "description",
)


def _columns() -> list[Column]:
    return [
        Column(_("工单编号"), width=16),
        Column(_("业务类型"), width=10),
        Column(_("业务子类"), width=14),
        Column(_("业务分类"), width=14),
        Column(_("户号"), width=14),
        Column(_("客户"), width=10),
        Column(_("来电号码"), width=14),
        Column(_("状态"), width=8),
        Column(_("紧急程度"), width=8),
        Column(_("受理渠道"), width=10),
        Column(_("处理单位"), width=14),
        Column(_("处理人"), width=10),
        Column(_("受理时间"), DATETIME),
        Column(_("办理时限"), DATETIME),
        Column(_("办结时间"), DATETIME),
        Column(_("来电次数"), INTEGER),
        Column(_("诉求内容"), width=40),
    ]


def orders_table(user: User, params: Mapping[str, Any]) -> Table:
    filters = OrderFilterSet(params, user=user, default_queue="mine")
    if not filters.is_valid():
        raise ValidationFailed(
            _("筛选条件无效，未导出。"),
            fields={name: [str(m) for m in messages] for name, messages in filters.errors.items()},
        )
    orders = filters.qs
    count = orders.count()
    return Table(
        title=str(_("工单列表")),
        columns=_columns(),
        rows=_rows(user, orders.values_list(*FIELDS).iterator(chunk_size=CHUNK)),
        count=count,
        filters={k: _plain(v) for k, v in filters.current.items() if v not in (None, "", [], False)},
    )


def _plain(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "pk"):
        return value.pk
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _labels(choices: Any) -> dict[Any, str]:
    return {value: str(label) for value, label in choices}


def _rows(user: User, values: Iterator[tuple[Any, ...]]) -> Iterator[list[Any]]:
    policy = policy_for(user)
    sub_types = {s.pk: seeded_name(s) for s in SubType.objects.all()}
    topics = {t.pk: seeded_name(t) for t in Topic.objects.all()}
    # Labels translated once for the file, not once per row.
    types, statuses = _labels(BusinessType.choices), _labels(Status.choices)
    priorities, channels = _labels(Priority.choices), _labels(Channel.choices)
    for (
        number,
        business_type,
        sub_type_id,
        topic_id,
        account_no,
        name,
        caller_phone,
        status,
        priority,
        channel,
        unit_name,
        full_name,
        username,
        created_at,
        due_at,
        closed_at,
        contact_count,
        description,
    ) in values:
        yield [
            number,
            types.get(business_type, business_type),
            sub_types.get(sub_type_id, ""),
            topics.get(topic_id, ""),
            policy.text("account_no", account_no),
            policy.text("name", name),
            policy.text("contact_phone", caller_phone),
            statuses.get(status, status),
            priorities.get(priority, priority),
            channels.get(channel, channel),
            unit_name or "",
            full_name or username or "",
            created_at,
            due_at,
            closed_at,
            contact_count,
            policy.text("description", description),
        ]


def register() -> None:
    exporters.register(
        "workorders",
        "orders",
        Exporter(
            code="orders",
            label=gettext_lazy("工单列表"),
            what="workorders.workorder",
            build=orders_table,
            back="workorders:list",
        ),
    )
