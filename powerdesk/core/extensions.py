"""The building blocks of the extension points: an app offers a registry, the apps above it fill it.

A lower app never imports a higher one; where a higher app must add to what a lower one does (a panel on
the order page, a field in the API, a hook in a transition), the lower app declares a :class:`Registry`
and reads it at run time, and the higher app registers in its ``AppConfig.ready()``. The work order's
points are in :mod:`powerdesk.workorders.extensions`, the customer page's in
:mod:`powerdesk.customers.extensions`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Entry(Generic[T]):
    owner: str  # the registering app's label, e.g. "sla"
    name: str
    value: T
    position: int = 100


class Registry(Generic[T]):
    """An ordered collection of named entries; a name registered again replaces the earlier entry (an
    app's ``ready()`` may run more than once in tests)."""

    def __init__(self, point: str):
        self.point = point
        self._entries: dict[str, Entry[T]] = {}

    def register(self, owner: str, name: str, value: T, *, position: int = 100) -> T:
        self._entries[name] = Entry(owner, name, value, position)
        return value

    def entries(self) -> list[Entry[T]]:
        return sorted(self._entries.values(), key=lambda e: (e.position, e.name))

    def __iter__(self) -> Iterator[T]:
        return (e.value for e in self.entries())

    def names(self) -> list[str]:
        return [e.name for e in self.entries()]

    def get(self, name: str) -> T | None:
        entry = self._entries.get(name)
        return entry.value if entry is not None else None

    def owners(self) -> set[str]:
        return {e.owner for e in self._entries.values()}


@dataclass(frozen=True)
class Panel:
    """A part of a page that another app renders: its slot on the page, its template, and its context
    for one object (``None`` leaves the panel out)."""

    slot: str
    template: str
    context: Callable[[Any, Any], Mapping[str, Any] | None]


def panels_for(
    registry: Registry[Panel], request: Any, obj: Any, *, only: str | None = None
) -> dict[str, list[dict[str, Any]]]:
    """The panels of ``registry`` to render for ``obj``, by slot: ``{slot: [{"template", "context"}]}``;
    with ``only``, the panels of that slot alone (the others' contexts are not computed)."""
    slots: dict[str, list[dict[str, Any]]] = {}
    for panel in registry:
        if only is not None and panel.slot != only:
            continue
        context = panel.context(request, obj)
        if context is not None:
            slots.setdefault(panel.slot, []).append({"template": panel.template, "context": context})
    return slots


@dataclass(frozen=True)
class DetailField:
    """A field another app adds to an API answer: ``field()`` makes the serializer field (its ``source``
    is set to the loaded value), ``load(obj, request)`` reads the value for one object."""

    field: Callable[[], Any]
    load: Callable[[Any, Any], Any]


def detail_attribute(name: str) -> str:
    """Where :func:`load_detail_fields` puts a field's value on the object (the field's ``source``)."""
    return f"extension_{name}"


def add_detail_fields(registry: Registry[DetailField], fields: dict[str, Any]) -> dict[str, Any]:
    """A serializer's ``get_fields()`` with the registry's fields added."""
    for entry in registry.entries():
        field = entry.value.field()
        field.source = detail_attribute(entry.name)
        fields[entry.name] = field
    return fields


def load_detail_fields(registry: Registry[DetailField], obj: Any, request: Any) -> None:
    for entry in registry.entries():
        setattr(obj, detail_attribute(entry.name), entry.value.load(obj, request))
