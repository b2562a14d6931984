"""Cached reads of the work orders' reference tables (topics, sub-types, repeat-call rules).

They are read on every intake; :mod:`powerdesk.core.refcache` keeps them per process (a minute at most,
cleared at once by a save in this process).
"""

from __future__ import annotations

from powerdesk.core import refcache
from powerdesk.workorders.models import (
    PriorityRule,
    RepeatCallAction,
    RepeatCallRule,
    RoutingRule,
    SubType,
    Topic,
    WorkQueue,
)


def _topics() -> dict[str, Topic]:
    return refcache.get("workorders.topics", lambda: {t.code: t for t in Topic.objects.all()})


def _sub_types() -> dict[str, SubType]:
    return refcache.get("workorders.sub_types", lambda: {s.code: s for s in SubType.objects.all()})


def topic_by_code(code: str) -> Topic | None:
    """The active topic with this code, or None."""
    topic = _topics().get(code or "")
    return topic if topic is not None and topic.is_active else None


def topic_any(code: str) -> Topic | None:
    """The topic with this code, active or not (lists still filter by a retired topic), or None."""
    return _topics().get(code or "")


def active_topics() -> list[Topic]:
    """The active topics, in their display order (sort order, code)."""
    return [t for t in _topics().values() if t.is_active]


def topic_by_id(pk: int) -> Topic | None:
    return next((t for t in _topics().values() if t.pk == pk), None)


def sub_type_by_code(code: str) -> SubType | None:
    """The active sub-type with this code, or None."""
    sub_type = _sub_types().get(code or "")
    return sub_type if sub_type is not None and sub_type.is_active else None


def sub_type_by_id(pk: int | None) -> SubType | None:
    return next((s for s in _sub_types().values() if s.pk == pk), None) if pk else None


def _repeat_rules() -> dict[int | None, RepeatCallRule]:
    # The action rows come along (prefetched once per cache fill): read on every repeat contact.
    return refcache.get(
        "workorders.repeat_rules",
        lambda: {
            r.topic_id: r for r in RepeatCallRule.objects.filter(is_active=True).prefetch_related("actions")
        },
    )


def repeat_rules() -> list[RepeatCallRule]:
    """The active repeat-call rules (the topics' and the default)."""
    return list(_repeat_rules().values())


def repeat_rule_for(topic: Topic) -> RepeatCallRule | None:
    """The active repeat-call rule of ``topic``, else the active default rule, else None."""
    rules = _repeat_rules()
    return rules.get(topic.pk) or rules.get(None)


def repeat_action_rows(topic: Topic) -> list[list[RepeatCallAction]]:
    """The action rows that decide what a repeat contact about ``topic`` becomes, most specific rule
    first: the topic's active rule, then the active default (see ``rules.repeat_action``)."""
    rules = _repeat_rules()
    chain = [rules.get(topic.pk), rules.get(None)]
    return [list(r.actions.all()) for r in chain if r is not None]


def priority_rules() -> list[PriorityRule]:
    """The active priority rules (see :func:`powerdesk.workorders.rules.default_priority`)."""
    return refcache.get(
        "workorders.priority_rules", lambda: list(PriorityRule.objects.filter(is_active=True))
    )


def routing_rules() -> list[RoutingRule]:
    """The active routing rules in the order they are tried (see :func:`rules.routing_rule_for`)."""
    return refcache.get(
        "workorders.routing_rules",
        lambda: list(RoutingRule.objects.filter(is_active=True).order_by("sort_order", "id")),
    )


def work_queues(role_id: int | None) -> list[WorkQueue]:
    """The active work queues of a role, in their order (every page of the console shows them)."""
    by_role = refcache.get("workorders.work_queues", _work_queues_by_role)
    return by_role.get(role_id, []) if role_id else []


def _work_queues_by_role() -> dict[int, list[WorkQueue]]:
    by_role: dict[int, list[WorkQueue]] = {}
    for queue in WorkQueue.objects.filter(is_active=True).order_by("sort_order", "id"):
        by_role.setdefault(queue.role_id, []).append(queue)
    return by_role
