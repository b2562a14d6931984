"""What the apps above ``grid`` add to the topology tree view (see :mod:`powerdesk.core.extensions`):
customers count the customers below each device; the outages app will mark outages and predictions."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from powerdesk.core.extensions import Registry


@dataclass(frozen=True)
class TreeColumn:
    """A figure or mark shown beside each device of the tree: ``values(devices)`` answers, for one level
    of the tree at a time, ``{device id: text}`` (a device left out shows nothing)."""

    label: Any  # lazily translated
    values: Callable[[Sequence[Any]], dict[int, Any]]


tree_columns: Registry[TreeColumn] = Registry("tree_columns")
