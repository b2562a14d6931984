"""The case library's console forms: a case version's content (criteria and rules as one line each),
a life-cycle step with its note, and an attachment."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from powerdesk.core.seeded_names import seeded_name
from powerdesk.knowledge import rules
from powerdesk.knowledge.models import CaseVerdict, CaseVersion, ScriptKind, ScriptVersion
from powerdesk.knowledge.services import ATTACHMENT_KINDS, RuleInput, clean_tags
from powerdesk.workorders.choices import BusinessType
from powerdesk.workorders.models import SubType, Topic

MET = {"满足": True, "不满足": False, "待核实": None}
MET_TEXT = {True: "满足", False: "不满足", None: "待核实"}


def criteria_text(criteria: list[dict[str, Any]]) -> str:
    return "\n".join(f"{MET_TEXT.get(c.get('met'), '待核实')}：{c.get('criterion', '')}" for c in criteria)


def rules_text(version: CaseVersion) -> str:
    def day(value: dt.date | None) -> str:
        return value.isoformat() if value else ""

    return "\n".join(
        " | ".join([r.reference, r.source, day(r.valid_from), day(r.valid_to)]).rstrip(" |")
        for r in version.rules.all()
    )


class SeededChoiceField(forms.ModelChoiceField):
    """A topic or sub-type by its name in the reader's language (seeded names are translated)."""

    def label_from_instance(self, obj: Any) -> str:
        return str(seeded_name(obj))


class CaseForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=200)
    area = SeededChoiceField(label=_("领域"), queryset=Topic.objects.filter(is_active=True))
    business_type = forms.ChoiceField(
        label=_("业务类型"), choices=[("", "—"), *BusinessType.choices], required=False
    )
    sub_type = SeededChoiceField(
        label=_("业务子类"), queryset=SubType.objects.filter(is_active=True), required=False
    )
    situation = forms.CharField(
        label=_("案例经过"), widget=forms.Textarea(attrs={"rows": 5}), max_length=20000
    )
    findings = forms.CharField(
        label=_("核查情况"), widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=20000
    )
    criteria = forms.CharField(
        label=_("判定标准"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=5000,
        help_text=_("每行一条：“满足：标准”“不满足：标准”或“待核实：标准”。"),
    )
    verdict = forms.ChoiceField(
        label=_("判定结论"), choices=[("", "—"), *CaseVerdict.choices], required=False
    )
    judgment = forms.CharField(
        label=_("判定分析"), widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=20000
    )
    should_have = forms.CharField(
        label=_("规范做法"), widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=20000
    )
    lessons = forms.CharField(
        label=_("启示与整改措施"), widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=20000
    )
    rules = forms.CharField(
        label=_("依据条款"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
        help_text=_("每行一条：条款 | 出处 | 生效日期 | 失效日期（日期格式 2024-06-01，可省略）。"),
    )
    tags = forms.CharField(label=_("标签"), required=False, max_length=500, help_text=_("以逗号分隔"))

    def clean_criteria(self) -> list[dict[str, Any]]:
        rows = []
        for line in self.cleaned_data["criteria"].splitlines():
            line = line.strip()
            if not line:
                continue
            head, sep, rest = line.replace(":", "：").partition("：")
            if not sep or head not in MET or not rest.strip():
                raise forms.ValidationError(_("判定标准格式有误：%(line)s") % {"line": line[:50]})
            rows.append({"criterion": rest.strip()[:300], "met": MET[head], "note": ""})
        return rows

    def clean_rules(self) -> list[RuleInput]:
        items = []
        for line in self.cleaned_data["rules"].splitlines():
            parts = [p.strip() for p in line.split("|")]
            if not parts[0]:
                continue
            parts += [""] * (4 - len(parts))
            try:
                days = [dt.date.fromisoformat(p) if p else None for p in parts[2:4]]
            except ValueError:
                raise forms.ValidationError(
                    _("依据条款的日期格式有误：%(line)s") % {"line": line[:50]}
                ) from None
            items.append(RuleInput(parts[0], parts[1], days[0], days[1]))
        return items

    def clean_tags(self) -> list[str]:
        return clean_tags(self.cleaned_data["tags"])

    def content(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        return {"rules_": data.pop("rules"), **data}

    @staticmethod
    def initial_of(version: CaseVersion) -> dict[str, Any]:
        return {
            "title": version.title,
            "area": version.area,
            "business_type": version.business_type,
            "sub_type": version.sub_type,
            "situation": version.situation,
            "findings": version.findings,
            "criteria": criteria_text(version.criteria),
            "verdict": version.verdict,
            "judgment": version.judgment,
            "should_have": version.should_have,
            "lessons": version.lessons,
            "rules": rules_text(version),
            "tags": ", ".join(version.tags),
        }


class StepForm(forms.Form):
    step = forms.ChoiceField(
        choices=[("submit", "submit"), ("publish", "publish"), ("reject", "reject"), ("retire", "retire")],
        error_messages={"invalid_choice": _("未知的操作。"), "required": _("未知的操作。")},
    )
    note = forms.CharField(label=_("说明"), max_length=500, required=False)


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("类别"),
        choices=[(k, _("照片") if k == "photo" else _("文档")) for k in ATTACHMENT_KINDS],
        error_messages={"invalid_choice": _("请选择照片或文档。"), "required": _("请选择照片或文档。")},
    )
    file = forms.FileField(label=_("文件"), error_messages={"required": _("请选择文件。")})


def placeholder_help() -> str:
    return "；".join(f"{{{code}}} {label}" for code, label in rules.PLACEHOLDERS.items())


class ScriptForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=200)
    kind = forms.ChoiceField(
        label=_("情形"),
        choices=ScriptKind.choices,
        error_messages={"required": _("请选择话术情形。"), "invalid_choice": _("请选择话术情形。")},
    )
    business_type = forms.ChoiceField(
        label=_("业务类型"), choices=[("", _("全部")), *BusinessType.choices], required=False
    )
    topic = SeededChoiceField(
        label=_("业务分类"),
        queryset=Topic.objects.filter(is_active=True),
        required=False,
        empty_label=_("全部"),
    )
    sub_type = SeededChoiceField(
        label=_("业务子类"),
        queryset=SubType.objects.filter(is_active=True),
        required=False,
        empty_label=_("全部"),
    )
    body = forms.CharField(
        label=_("话术内容"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        error_messages={"required": _("请填写话术内容。")},
    )
    position = forms.IntegerField(label=_("排序"), min_value=0, max_value=1000, initial=100, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].help_text = _("可用占位符（原样写入花括号）：%(list)s。") % {
            "list": placeholder_help()
        }

    def clean_body(self) -> str:
        body: str = self.cleaned_data["body"]
        unknown = rules.unknown_placeholders(body)
        if unknown:
            raise forms.ValidationError(
                _("话术中有未知的占位符：%(names)s。") % {"names": "、".join("{" + n + "}" for n in unknown)}
            )
        return body

    @staticmethod
    def initial_of(version: ScriptVersion) -> dict[str, Any]:
        return {
            name: getattr(version, name)
            for name in ("title", "kind", "business_type", "topic", "sub_type", "body", "position")
        }


class IntakeScriptsForm(forms.Form):
    """What the intake form sends for its scripts panel (any may be empty while the agent picks)."""

    customer = forms.CharField(max_length=20, required=False)
    business_type = forms.ChoiceField(choices=[("", ""), *BusinessType.choices], required=False)
    topic = forms.ModelChoiceField(queryset=Topic.objects.all(), to_field_name="code", required=False)
    sub_type = forms.ModelChoiceField(queryset=SubType.objects.all(), to_field_name="code", required=False)
    # what the caller said so far: the cases panel ranks by it after the sub-type and topic
    description = forms.CharField(max_length=4000, required=False)
