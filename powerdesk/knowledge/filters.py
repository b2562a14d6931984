"""The case search's one ``FilterSet``, for the console's search page and ``GET /api/v1/cases/``:
the words (``q``, ranked full-text search), area, business type, sub-type, tag and state. Readers who
are neither authors nor reviewers see published versions only, whatever ``state`` says."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from powerdesk.knowledge import search, selectors
from powerdesk.knowledge.forms import SeededChoiceField
from powerdesk.knowledge.models import CaseState, CaseVersion, ScriptKind, ScriptVersion
from powerdesk.knowledge.selectors import LONG_FIELDS
from powerdesk.org.models import User
from powerdesk.workorders.choices import BusinessType
from powerdesk.workorders.models import SubType, Topic


def _invalid(message: Any) -> dict[str, Any]:
    return {"invalid_choice": message}


class SeededChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = SeededChoiceField


class _LibraryFilterSet(django_filters.FilterSet):
    """What the case and the script lists share: the reader (authors and reviewers may ask for other
    states than published; everyone else reads published versions, whatever ``state`` says)."""

    state = django_filters.ChoiceFilter(
        label=_("状态"),
        choices=CaseState.choices,
        empty_label=_("已发布"),
        method="filter_state",
        error_messages=_invalid(_("状态无效。")),
        help_text="Default: published. Other states only for authors and reviewers.",
    )

    def __init__(
        self,
        data: Any = None,
        queryset: QuerySet[Any] | None = None,
        *,
        request: Any = None,
        prefix: str | None = None,
        user: User | None = None,
    ) -> None:
        super().__init__(QueryDict() if data is None else data, queryset, request=request, prefix=prefix)
        user = user if user is not None else getattr(request, "user", None)
        if user is None:
            raise TypeError(f"{type(self).__name__} needs a user (or a request with one).")
        self.user: User = user

    @property
    def privileged(self) -> bool:
        return selectors.user_may_author(self.user) or selectors.user_may_review(self.user)

    def readable(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        """``queryset`` narrowed to published versions unless a privileged reader chose a state."""
        if not self.form.cleaned_data.get("state") or not self.privileged:
            return queryset.filter(state=CaseState.PUBLISHED)
        return queryset

    def filter_state(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return queryset.filter(state=value) if self.privileged else queryset


class CaseFilterSet(_LibraryFilterSet):
    area = SeededChoiceFilter(
        label=_("领域"),
        queryset=Topic.objects.all(),
        to_field_name="code",
        empty_label=_("全部领域"),
        error_messages=_invalid(_("领域无效。")),
        help_text="Topic code, e.g. fault_repair.",
    )
    business_type = django_filters.ChoiceFilter(
        label=_("业务类型"),
        choices=BusinessType.choices,
        empty_label=_("全部类型"),
        error_messages=_invalid(_("业务类型无效。")),
    )
    sub_type = SeededChoiceFilter(
        label=_("业务子类"),
        queryset=SubType.objects.all(),
        to_field_name="code",
        empty_label=_("全部子类"),
        error_messages=_invalid(_("业务子类无效。")),
        help_text="Sub-type code, e.g. complaint_attitude.",
    )
    tag = django_filters.CharFilter(
        label=_("标签"), field_name="tags", lookup_expr="contains", method="filter_tag", max_length=30
    )

    # Last: the words decide between all and any of them among the rows the other filters left.
    q = django_filters.CharFilter(
        label=_("关键词"),
        method="filter_words",
        max_length=200,
        help_text="Words to search for (Chinese is segmented with jieba); results ranked by relevance.",
    )

    class Meta:
        model = CaseVersion
        fields = ["area", "business_type", "sub_type", "tag", "state", "q"]

    def filter_queryset(self, queryset: QuerySet[CaseVersion]) -> QuerySet[CaseVersion]:
        queryset = super().filter_queryset(self.readable(queryset))
        if not self.form.cleaned_data.get("q"):
            queryset = queryset.order_by("-published_at", "-id")
        # A list shows titles and labels: the long texts and the search columns stay in the table.
        return queryset.select_related("area", "sub_type").defer(*LONG_FIELDS)

    def filter_words(self, queryset: QuerySet[CaseVersion], name: str, value: str) -> QuerySet[CaseVersion]:
        return search.ranked(queryset, value) if value.strip() else queryset

    def filter_tag(self, queryset: QuerySet[CaseVersion], name: str, value: str) -> QuerySet[CaseVersion]:
        return queryset.filter(tags__contains=[value.strip()]) if value.strip() else queryset


class ScriptFilterSet(_LibraryFilterSet):
    """The scripts' list, for the console and ``GET /api/v1/scripts/``: words in the title or the text,
    situation, business type, topic, sub-type and state (other states than published only for authors
    and reviewers)."""

    q = django_filters.CharFilter(label=_("关键词"), method="filter_words", max_length=100)
    kind = django_filters.ChoiceFilter(
        label=_("情形"),
        choices=ScriptKind.choices,
        empty_label=_("全部情形"),
        error_messages=_invalid(_("话术情形无效。")),
    )
    business_type = django_filters.ChoiceFilter(
        label=_("业务类型"),
        choices=BusinessType.choices,
        empty_label=_("全部类型"),
        error_messages=_invalid(_("业务类型无效。")),
    )
    topic = SeededChoiceFilter(
        label=_("业务分类"),
        queryset=Topic.objects.all(),
        to_field_name="code",
        empty_label=_("全部分类"),
        error_messages=_invalid(_("业务分类无效。")),
        help_text="Topic code, e.g. fault_repair.",
    )
    sub_type = SeededChoiceFilter(
        label=_("业务子类"),
        queryset=SubType.objects.all(),
        to_field_name="code",
        empty_label=_("全部子类"),
        error_messages=_invalid(_("业务子类无效。")),
        help_text="Sub-type code, e.g. complaint_attitude.",
    )

    class Meta:
        model = ScriptVersion
        fields = ["q", "kind", "business_type", "topic", "sub_type", "state"]

    def filter_queryset(self, queryset: QuerySet[ScriptVersion]) -> QuerySet[ScriptVersion]:
        queryset = super().filter_queryset(self.readable(queryset))
        return queryset.select_related("topic", "sub_type").order_by("kind", "position", "-id")

    def filter_words(
        self, queryset: QuerySet[ScriptVersion], name: str, value: str
    ) -> QuerySet[ScriptVersion]:
        value = value.strip()
        return queryset.filter(Q(title__icontains=value) | Q(body__icontains=value)) if value else queryset
