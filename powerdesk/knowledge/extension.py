"""How the case library plugs into the work order (:mod:`powerdesk.workorders.extensions`); registered
once, from ``KnowledgeConfig.ready()``.

- 处理完成 and 回单 take an optional ``case`` input: the id of a published case version the handler
  cites; the transition's event records the version (and a ``CaseCitation`` row is written in the same
  transaction), so the order keeps citing that version after the case is edited;
- the timeline presents it as the case's title and version, linked to that version's page;
- the order page shows the three published cases most relevant to the order, and the scripts (话术)
  for it with their placeholders filled for the reader;
- the same transitions take an optional ``script`` input (a published script version), recorded the same
  way; on the console both inputs offer the versions ranked for the order (``TransitionInput.shape``);
- the intake form shows the scripts for the chosen customer, topic and sub-type (its own htmx request);
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
from powerdesk.knowledge.models import CaseVersion, ScriptKind, ScriptVersion
from powerdesk.workorders import extensions as ext
from powerdesk.workorders.models import WorkOrder

OWNER = "knowledge"
CITING_TRANSITIONS = ("resolve", "reply")
INPUT = "case"
SCRIPT_INPUT_NAME = "script"
# How many ranked choices the console offers (the API takes any published version's id).
CHOICES = 10


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


def _shape_case(field: forms.Field, order: WorkOrder, user: Any) -> None:
    """The published cases ranked for this order (``relevant_cases``), to choose from."""
    choices = [(v.pk, _("%(title)s（版本编号 %(id)s）") % {"title": v.title, "id": v.pk})
               for v in selectors.relevant_cases(order, limit=CHOICES)]  # fmt: skip
    field.widget = forms.Select(choices=[("", _("（不引用）")), *choices])
    field.help_text = _("可选：按与本工单的相关程度排列。")


CASE_INPUT = ext.TransitionInput(
    name=INPUT, form_field=_form_field, api_field=_api_field, clean=_clean, shape=_shape_case
)


def _script_form_field() -> forms.Field:
    return forms.IntegerField(
        label=_("引用话术（版本编号）"),
        required=False,
        min_value=1,
        help_text=_("可选：填写所使用的已发布话术版本编号，见话术页面。"),
        error_messages={"invalid": _("请输入有效的话术版本编号。")},
    )


def _script_api_field() -> serializers.Field:
    return serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        help_text="Optional: the id of a published script version (knowledge) the handler used.",
    )


def _script_clean(value: Any) -> int | None:
    if value in (None, ""):
        return None
    version = services.published_script(value) if not isinstance(value, bool) else None
    if version is None:
        message = _("请选择已发布的话术版本。")
        raise ValidationFailed(message, fields={SCRIPT_INPUT_NAME: [message]})
    return version.pk


def _shape_script(field: forms.Field, order: WorkOrder, user: Any) -> None:
    """The published scripts for this order's type, topic and sub-type, most specific first."""
    rows = [
        v for v in selectors.scripts_for_order(order, limit=CHOICES * 2) if v.kind != ScriptKind.FORBIDDEN
    ]
    choices = [
        (
            v.pk,
            _("%(kind)s：%(title)s（版本编号 %(id)s）")
            % {"kind": v.get_kind_display(), "title": v.title, "id": v.pk},
        )
        for v in rows[:CHOICES]
    ]
    field.widget = forms.Select(choices=[("", _("（不引用）")), *choices])
    field.help_text = _("可选：适用于本工单的话术。")


SCRIPT_INPUT = ext.TransitionInput(
    name=SCRIPT_INPUT_NAME,
    form_field=_script_form_field,
    api_field=_script_api_field,
    clean=_script_clean,
    shape=_shape_script,
)


def record_citation(ctx: ext.TransitionContext) -> None:
    if ctx.code not in CITING_TRANSITIONS:
        return
    version_id = ctx.inputs.get(INPUT)
    if version_id:
        services.citation_write(
            order=ctx.order, version_id=int(version_id), transition=ctx.code, actor=ctx.actor, at=ctx.at
        )
        ctx.event_data["case_version"] = int(version_id)
    script_id = ctx.inputs.get(SCRIPT_INPUT_NAME)
    if script_id:
        services.script_citation_write(
            order=ctx.order, version_id=int(script_id), transition=ctx.code, actor=ctx.actor, at=ctx.at
        )
        ctx.event_data["script_version"] = int(script_id)


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


def present_scripts(events: Sequence[ext.PresentedEvent], viewer: ext.Viewer) -> None:
    """ "引用话术：<title>（版本 n）" with a link to that version, for a page of events in one query."""
    cited = [e for e in events if e.data.get("script_version")]
    if not cited:
        return
    ids = {int(e.data["script_version"]) for e in cited}
    versions = {
        v.pk: v for v in ScriptVersion.objects.filter(pk__in=ids).only("pk", "script_id", "number", "title")
    }
    for item in cited:
        version = versions.get(int(item.data["script_version"]))
        if version is None:
            continue
        url = reverse("knowledge:script_version", args=[version.script_id, version.number])
        item.lines.append(
            format_html(
                '{}<a href="{}">{}</a>{}',
                _("引用话术："),
                url,
                version.title,
                _("（版本 %(n)s）") % {"n": version.number},
            )
        )


def _panel(request: HttpRequest, order: WorkOrder) -> dict[str, Any] | None:
    return {"order": order, "cases": selectors.relevant_cases(order)}


def _scripts_panel(request: HttpRequest, order: WorkOrder) -> dict[str, Any] | None:
    context = selectors.script_context(user=request.user, order=order)  # type: ignore[arg-type]
    return {"order": order, "scripts": selectors.filled(selectors.scripts_for_order(order), context)}


def _intake_panel(request: HttpRequest, customer: Any) -> dict[str, Any] | None:
    return {"customer": customer}


def register() -> None:
    for code in CITING_TRANSITIONS:
        ext.register_transition_input(OWNER, code, CASE_INPUT)
    ext.transition_applied.register(OWNER, "knowledge.record_citation", record_citation)
    ext.order_panels.register(
        OWNER,
        "knowledge.relevant_cases",
        Panel(slot="aside", template="knowledge/_order_panel.html", context=_panel),
    )
    ext.order_panels.register(
        OWNER,
        "knowledge.scripts",
        Panel(slot="aside", template="knowledge/_order_scripts.html", context=_scripts_panel),
    )
    ext.event_presenters.register(OWNER, "knowledge.citations", present)
    ext.event_kinds.register(OWNER, learning.ASSIGNED_EVENT, gettext_lazy("布置案例学习"))
    complaint_ext.rectification_notes.register(OWNER, "knowledge.learning", rectification_notes)
    for code in CITING_TRANSITIONS:
        ext.register_transition_input(OWNER, code, SCRIPT_INPUT, position=110)
    ext.event_presenters.register(OWNER, "knowledge.script_citations", present_scripts)
    ext.intake_panels.register(
        OWNER, "knowledge.scripts", Panel("form", "knowledge/_intake_scripts.html", _intake_panel)
    )
