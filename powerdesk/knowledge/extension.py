"""How the case library plugs into the work order (:mod:`powerdesk.workorders.extensions`); registered
once, from ``KnowledgeConfig.ready()``.

- 处理完成 and 回单 take an optional ``case`` input: the id of a published case version the handler
  cites; the transition's event records the version (and a ``CaseCitation`` row is written in the same
  transaction), so the order keeps citing that version after the case is edited;
- the timeline presents it as the case's title and version, linked to that version's page;
- the order page shows the three published cases most relevant to the order;
- 以案普法: an assignment prompted by an order writes a ``learning_assigned`` event on it (labelled and
  presented here), and a rectification that requires learning shows "布置学习" and cannot close until
  an assignment names it (``complaints.extensions.rectification_notes``), then shows how many of its
  people have confirmed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from powerdesk.complaints import extensions as complaint_ext
from powerdesk.core.errors import ValidationFailed
from powerdesk.core.extensions import Panel
from powerdesk.knowledge import learning, learning_selectors, rules, selectors, services
from powerdesk.knowledge.models import CaseVersion
from powerdesk.workorders import extensions as ext
from powerdesk.workorders.models import WorkOrder

OWNER = "knowledge"
CITING_TRANSITIONS = ("resolve", "reply")
INPUT = "case"


def _form_field() -> forms.Field:
    return forms.IntegerField(
        label=_("引用案例（版本编号）"),
        required=False,
        min_value=1,
        help_text=_("可选：填写所参照的已发布案例版本编号，见案例页面。"),
        error_messages={"invalid": _("请输入有效的案例版本编号。")},
    )


def _api_field() -> serializers.Field:
    return serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        help_text="Optional: the id of a published case version (knowledge) the handler cites.",
    )


def _clean(value: Any) -> int | None:
    if value in (None, ""):
        return None
    version = services.published_version(value) if not isinstance(value, bool) else None
    if version is None:
        message = _("请选择已发布的案例版本。")
        raise ValidationFailed(message, fields={INPUT: [message]})
    return version.pk


CASE_INPUT = ext.TransitionInput(name=INPUT, form_field=_form_field, api_field=_api_field, clean=_clean)


def record_citation(ctx: ext.TransitionContext) -> None:
    version_id = ctx.inputs.get(INPUT)
    if ctx.code not in CITING_TRANSITIONS or not version_id:
        return
    services.citation_write(
        order=ctx.order, version_id=int(version_id), transition=ctx.code, actor=ctx.actor, at=ctx.at
    )
    ctx.event_data["case_version"] = int(version_id)


def present(events: Sequence[ext.PresentedEvent], viewer: ext.Viewer) -> None:
    """ "引用案例：<title>（版本 n）" with a link to that version, for a page of events in one query."""
    _present_assignments(events)
    cited = [e for e in events if e.data.get("case_version")]
    if not cited:
        return
    ids = {int(e.data["case_version"]) for e in cited}
    versions = {
        v.pk: v for v in CaseVersion.objects.filter(pk__in=ids).only("pk", "case_id", "number", "title")
    }
    for item in cited:
        version = versions.get(int(item.data["case_version"]))
        if version is None:
            continue
        url = reverse("knowledge:version", args=[version.case_id, version.number])
        item.lines.append(
            format_html(
                '{}<a href="{}">{}</a>{}',
                _("引用案例："),
                url,
                version.title,
                _("（版本 %(n)s）") % {"n": version.number},
            )
        )


def _present_assignments(events: Sequence[ext.PresentedEvent]) -> None:
    for item in events:
        if item.event.kind != learning.ASSIGNED_EVENT:
            continue
        data = item.data
        item.lines.append(
            _("案例 #%(case)s 版本 %(version)s，%(n)s 人，期限 %(due)s")
            % {
                "case": data.get("case", ""),
                "version": data.get("version", ""),
                "n": data.get("recipients", 0),
                "due": data.get("due_date", ""),
            }
        )


def rectification_notes(
    rectifications: Sequence[Any], viewer: Any
) -> dict[int, list[complaint_ext.RectificationNote]]:
    """Learning a rectification asked for: missing (blocks closing; a link to assign it for those who
    may), or arranged (how many of its people have confirmed)."""
    asked = [r for r in rectifications if getattr(r, "requires_learning", False)]
    if not asked:
        return {}
    counts = learning_selectors.assignment_counts([r.pk for r in asked])
    may_assign = viewer is not None and learning_selectors.user_may_assign(viewer)
    notes: dict[int, list[complaint_ext.RectificationNote]] = {}
    for r in asked:
        assignments, total, confirmed = counts.get(r.pk, (0, 0, 0))
        if rules.rectification_learning_missing(requires_learning=True, assignments=assignments):
            url = f"{reverse('knowledge:learning_new')}?rectification={r.pk}" if may_assign else ""
            notes[r.pk] = [
                complaint_ext.RectificationNote(
                    text=_("须先布置以案普法学习，方可确认整改完成。"),
                    url=url,
                    link_text=_("布置学习") if url else "",
                    blocks_close=True,
                )
            ]
        else:
            notes[r.pk] = [
                complaint_ext.RectificationNote(
                    text=_("以案普法：%(confirmed)s / %(total)s 人已确认学习")
                    % {"confirmed": confirmed, "total": total}
                )
            ]
    return notes


def _panel(request: HttpRequest, order: WorkOrder) -> dict[str, Any] | None:
    return {"order": order, "cases": selectors.relevant_cases(order)}


def register() -> None:
    for code in CITING_TRANSITIONS:
        ext.register_transition_input(OWNER, code, CASE_INPUT)
    ext.transition_applied.register(OWNER, "knowledge.record_citation", record_citation)
    ext.order_panels.register(
        OWNER,
        "knowledge.relevant_cases",
        Panel(slot="aside", template="knowledge/_order_panel.html", context=_panel),
    )
    ext.event_presenters.register(OWNER, "knowledge.citations", present)
    ext.event_kinds.register(OWNER, learning.ASSIGNED_EVENT, gettext_lazy("布置案例学习"))
    complaint_ext.rectification_notes.register(OWNER, "knowledge.learning", rectification_notes)
