"""What can be exported: each app registers its lists and tables here (from ``AppConfig.ready()``), so
that the one export machinery (``powerdesk.exports``: the file in the request, or a background job with
its progress and download) can build any of them again from its code and the list's query parameters
alone — in the web process or in the worker.

An :class:`Exporter` answers, for a user and the list's query, a :class:`Table`: the columns
(``core.xlsx.Column``), the rows as an iterator (read in chunks, personal data already shown as the
user's masking policy says), the number of rows (for the progress bar and the choice of a background
job), and the filters to record in the audit trail. It raises the project's domain errors: a user who
may not read the list gets ``NotPermitted``, invalid filters ``ValidationFailed``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise

from powerdesk.core.extensions import Registry
from powerdesk.core.xlsx import Column


@dataclass
class Table:
    title: str  # the sheet's name and the file's stem
    columns: list[Column]
    rows: Iterable[list[Any]]
    count: int  # the rows ``rows`` yields (at most the exporter's limit)
    filters: dict[str, Any] = field(default_factory=dict)  # as recorded in the audit trail


@dataclass(frozen=True)
class Exporter:
    code: str  # in URLs and on the export job
    label: str | Promise
    what: str  # the audit trail's target, e.g. "workorders.workorder"
    build: Callable[[Any, Mapping[str, Any]], Table]  # (user, the list's query parameters) -> Table
    back: str = ""  # the URL name of the list, to go back to


exporters: Registry[Exporter] = Registry("exporters")
