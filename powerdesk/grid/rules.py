"""The topology's rules as pure functions: no database, called by the services, the import and the pages."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

SWITCHING = frozenset({"switch", "fuse", "recloser"})

# Which kinds of device may feed which. A switching device may sit under another one (a fuse behind a
# sectionaliser), and a transformer may hang straight off a feeder.
ALLOWED_PARENTS: Mapping[str, frozenset[str | None]] = {
    "substation": frozenset({None}),
    "feeder": frozenset({"substation"}),
    "switch": frozenset({"feeder"}) | SWITCHING,
    "fuse": frozenset({"feeder"}) | SWITCHING,
    "recloser": frozenset({"feeder"}) | SWITCHING,
    "transformer": frozenset({"feeder"}) | SWITCHING,
    "meter_point": frozenset({"transformer"}),
}


def parent_allowed(kind: str, parent_kind: str | None) -> bool:
    """May a device of ``kind`` hang under one of ``parent_kind`` (None: be a root)?"""
    return parent_kind in ALLOWED_PARENTS.get(kind, frozenset())


def path_ids(path: str) -> list[int]:
    """The ids of a materialised path "/1/7/93/", root first."""
    return [int(part) for part in path.strip("/").split("/") if part]


def is_below(path: str, prefixes: Iterable[str]) -> bool:
    """Is the device at ``path`` at or below one of the devices whose paths are ``prefixes``?"""
    return any(path.startswith(prefix) for prefix in prefixes)


def reparent_path(path: str, old_prefix: str, new_prefix: str) -> str:
    """The path of a device of a moved subtree: its old root's prefix replaced by the new one. The SQL of
    ``services.device_reparent`` does the same to the whole subtree in one statement."""
    if not path.startswith(old_prefix):
        raise ValueError(f"{path!r} is not below {old_prefix!r}")
    return new_prefix + path[len(old_prefix) :]


def customer_is_out(supplies_out: Iterable[bool]) -> bool:
    """A customer is out when every one of their supplies is (a dual-supply customer stays on while one
    supply is up); a customer with no known supply is never traced as out."""
    states = list(supplies_out)
    return bool(states) and all(states)


def find_cycles(parents: Mapping[str, str | None]) -> set[str]:
    """The codes that sit on a cycle of ``parents`` (code → parent code): a device cannot be its own
    ancestor. Codes whose parent is not in the mapping end the walk (an unknown parent is reported apart)."""
    on_cycle: set[str] = set()
    done: set[str] = set()
    for start in parents:
        trail: list[str] = []
        seen: dict[str, int] = {}
        node: str | None = start
        while node is not None and node in parents and node not in done:
            if node in seen:
                on_cycle.update(trail[seen[node] :])
                break
            seen[node] = len(trail)
            trail.append(node)
            node = parents[node]
        done.update(trail)
    return on_cycle
