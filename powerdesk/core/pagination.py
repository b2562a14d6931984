"""Pagination of the big lists (console pages and API), fast on millions of rows.

Django's ``Paginator`` counts every matching row and fetches a page as ``OFFSET n LIMIT 50`` with all the
joins of ``select_related``, so a deep page joins (and sorts) every row it skips. ``ListPaginator``:

1. counts at most ``count_cap + 1`` rows (``SELECT count(*) FROM (… LIMIT 10001)``): up to the cap the
   count is exact, past it the count is the cap and ``count_is_capped`` says "more than that". An exact
   count over 180,000 matching orders costs more than the whole 100 ms budget of a list page;
2. fetches a page in two steps (a "deferred join"): the page's primary keys first, walked off an index
   without joining anything to the rows it skips, one more than a page so that ``has_next`` needs no
   count; then those rows by primary key with the joins of ``select_related``, in the keys' order;
3. still serves pages past the cap (``has_next`` is exact), and ``last_page_number()`` counts exactly
   for a caller who asks for the last page.

Lists that are not plain model querysets (a list, ``values()``, ``distinct()``) are paginated as Django
does, only with the capped count.
"""

from __future__ import annotations

from collections.abc import Sequence
from math import ceil
from typing import Any, TypeGuard

from django.core.paginator import EmptyPage, Page, Paginator
from django.db.models import QuerySet
from django.db.models.query import ModelIterable
from django.utils.functional import cached_property

from powerdesk.core import sql

COUNT_CAP = 10_000
_MAX_OFFSET = 2**62  # PostgreSQL's OFFSET is a bigint


class ListPage(Page):
    """A page that knows whether a next page exists from its own fetch, not from the count."""

    def __init__(self, object_list: Sequence[Any], number: int, paginator: ListPaginator, more: bool):
        super().__init__(object_list, number, paginator)
        self.more = more

    def has_next(self) -> bool:
        return self.more

    def next_page_number(self) -> int:
        # Not re-validated against the count: rows added since the count still make a next page.
        return self.number + 1


class ListPaginator(Paginator):
    def __init__(self, object_list: Any, per_page: int, *, count_cap: int | None = None, **kwargs: Any):
        super().__init__(object_list, per_page, **kwargs)
        self.count_cap = COUNT_CAP if count_cap is None else count_cap

    @cached_property
    def _capped_count(self) -> int:
        """min(matching rows, cap + 1)."""
        items = self.object_list
        if isinstance(items, QuerySet):
            [(count,)] = sql.unprepared(items.order_by().values_list("pk")[: self.count_cap + 1], count=True)
            return count
        return min(len(items), self.count_cap + 1)

    @cached_property
    def count(self) -> int:
        """The number of matching rows, or the cap when there are more (see ``count_is_capped``)."""
        return min(self._capped_count, self.count_cap)

    @property
    def count_is_capped(self) -> bool:
        """There are more rows than ``count``."""
        return self._capped_count > self.count_cap

    def last_page_number(self) -> int:
        """The number of the last page, counted exactly (a full count: only when asked for)."""
        if not self.count_is_capped:
            return self.num_pages
        items = self.object_list
        total = items.order_by().count() if isinstance(items, QuerySet) else len(items)
        return max(1, ceil(total / self.per_page))

    def validate_number(self, number: Any) -> int:
        """Django's check, except that past a capped count a page exists if it has rows (``page``)."""
        if not self.count_is_capped:
            return super().validate_number(number)
        try:
            return super().validate_number(number)
        except EmptyPage:
            value = int(number)
            if value < 1 or (value - 1) * self.per_page >= _MAX_OFFSET:
                raise
            return value

    def get_page(self, number: Any) -> ListPage:
        """Django's forgiving look-up (the console): past the end, the (exactly counted) last page."""
        try:
            return super().get_page(number)  # type: ignore[return-value]
        except EmptyPage:
            try:
                return self.page(self.last_page_number())
            except EmptyPage:  # rows deleted since the count: the first page always exists
                return self.page(1)

    def page(self, number: Any) -> ListPage:
        number = self.validate_number(number)
        offset = (number - 1) * self.per_page
        items = self.object_list
        window = slice(offset, offset + self.per_page + 1)  # one more row: is there a next page?
        rows = list(deferred_join(items, window) if _deferrable(items) else items[window])
        more = len(rows) > self.per_page
        rows = rows[: self.per_page]
        if not rows and number > 1:
            raise EmptyPage(self.error_messages["no_results"])
        return ListPage(rows, number, self, more)


# The sharding column of the hot tables (docs/scaling.md), as core.bulk's ``route`` names it.
ROUTE = "company_id"


def deferred_join(items: QuerySet[Any], window: slice) -> list[Any]:
    """The rows of ``items[window]``: their primary keys first (the filters walk an index and skip rows
    without joining anything), then those rows by primary key with the joins of ``select_related``.

    The second query repeats none of the filters: they decided which rows are on the page, and
    re-planning them costs more than fetching 50 rows (one statement, ``pk IN (SELECT … LIMIT)``,
    plans slower still). A row changed in the instant between the two is shown as it is now.

    A model that carries the company (the column a database sharded by company routes on, ``ROUTE``:
    docs/scaling.md) is fetched by its companies too: the keys come with it from the same index, and the
    second query names it, so it goes only to the page's companies."""
    model = items.model
    if any(f.attname == ROUTE for f in model._meta.concrete_fields):
        pairs = sql.unprepared(items.values_list("pk", ROUTE)[window])
        keys = [key for key, _company in pairs]
        routed = {f"{ROUTE}__in": sorted({company for _key, company in pairs})}
    else:
        keys = [key for (key,) in sql.unprepared(items.values_list("pk")[window])]
        routed = {}
    if not keys:
        return []
    rows = model._base_manager.using(items.db).filter(**routed, pk__in=keys)
    rows.query.select_related = items.query.select_related
    rows.query.deferred_loading = items.query.deferred_loading
    rows._prefetch_related_lookups = items._prefetch_related_lookups  # type: ignore[attr-defined]
    by_key = {row.pk: row for row in rows}
    return [by_key[key] for key in keys if key in by_key]


def _deferrable(items: Any) -> TypeGuard[QuerySet[Any]]:
    """A queryset of model instances whose page can be fetched by primary key (ids, then rows)."""
    return (
        isinstance(items, QuerySet)
        and items._iterable_class is ModelIterable
        and items.ordered
        and not (items.query.distinct or items.query.combinator or items.query.annotations)
        and not (items.query.extra or items.query.extra_order_by)
    )
