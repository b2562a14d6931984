"""Work queues (工作队列): each role's named, saved filters of the order list, with their counts.

A queue's ``params`` are the list's own query parameters, so a queue is the list page at
``/orders/?<params>`` and its count is the list's capped count through the same FilterSet and the same
permission scope (``workorders.filters.OrderFilterSet``): no query of its own to drift from the list.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from powerdesk.org.models import User
from powerdesk.workorders import reference
from powerdesk.workorders.filters import OrderFilterSet
from powerdesk.workorders.models import WorkQueue

# Counted up to this many, then shown as "999+": a count is one index walk that stops there.
COUNT_CAP = 999
# Parameters of the list that are not filters: paging belongs to the page, not to a queue.
NOT_FILTERS = frozenset({"page"})


def queue_name(queue: WorkQueue) -> str:
    """The queue's name in the active language (the English name when there is one)."""
    if (get_language() or "").startswith("en") and queue.name_en:
        return queue.name_en
    return queue.name


def params_errors(params: str) -> list[str]:
    """Why ``params`` is not a valid saved filter of the order list: unknown parameters, or values the
    list's FilterSet refuses (checked as a user who sees every unit); [] when it is valid."""
    data = QueryDict(params.strip().lstrip("?"))
    errors = [
        _("未知的筛选参数：%(name)s") % {"name": name}
        for name in data
        if name not in OrderFilterSet.base_filters or name in NOT_FILTERS
    ]
    if not data:
        errors.append(_("请至少填写一个筛选条件。"))
    filterset = OrderFilterSet(data, user=User(is_superuser=True))
    if not filterset.is_valid():
        for name, messages in filterset.errors.items():
            label = filterset.form.fields[name].label if name in filterset.form.fields else name
            errors.extend(f"{label}：{message}" for message in messages)
    return errors


def queue_params(queue: WorkQueue) -> QueryDict:
    """The queue's list parameters, with the list's queue named: the console's list defaults to 我的待办,
    the queues (and their counts) to every order in the user's scope."""
    params = QueryDict(queue.params.strip().lstrip("?"), mutable=True)
    params.setdefault("queue", "all")
    return params


@dataclass(frozen=True)
class QueueCount:
    queue: WorkQueue
    name: str
    url: str
    params: QueryDict
    count: int | None  # None: not counted (the list page loads its counts separately)
    capped: bool = False  # more than COUNT_CAP


def work_queues(user: User) -> list[QueueCount]:
    """The user's role's queues, not counted: the list page shows them at once and asks for the counts
    afterwards (``workorders:queue_counts``), so a page of orders never waits for every queue's count."""
    base = reverse("workorders:list")
    entries = []
    for queue in reference.work_queues(user.role_id):
        params = queue_params(queue)
        entries.append(
            QueueCount(
                queue=queue,
                name=queue_name(queue),
                url=f"{base}?{params.urlencode()}",
                params=params,
                count=None,
            )
        )
    return entries


def queue_counts(user: User) -> list[QueueCount]:
    """The user's role's queues with the number of orders in each (capped), through the list's FilterSet
    in the user's scope."""
    result = []
    for entry in work_queues(user):
        filterset = OrderFilterSet(entry.params, user=user)
        count = filterset.qs.order_by().values("pk")[: COUNT_CAP + 1].count()
        result.append(replace(entry, count=min(count, COUNT_CAP), capped=count > COUNT_CAP))
    return result


def current_queue(counts: list[QueueCount], query: QueryDict) -> QueueCount | None:
    """The queue whose filters are exactly those of ``query`` (the list page's), paging aside."""
    asked = sorted((k, v) for k, values in query.lists() if k not in NOT_FILTERS for v in values if v)
    for entry in counts:
        if sorted((k, v) for k, values in entry.params.lists() for v in values if v) == asked:
            return entry
    return None
