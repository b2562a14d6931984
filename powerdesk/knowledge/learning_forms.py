"""Forms of 以案普法: assigning a case version, and the manager's filters. They parse; the services
(``knowledge.learning``) decide what is allowed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from powerdesk.complaints.models import Rectification
from powerdesk.knowledge import rules
from powerdesk.knowledge.models import CaseState, CaseVersion
from powerdesk.org.models import Role, Unit, User
from powerdesk.workorders.forms import UnitChoiceField, new_request_id, visible_units
from powerdesk.workorders.models import WorkOrder

INVALID_CHOICE = {"invalid_choice": _("请选择有效的选项。")}


class AssignmentForm(forms.Form):
    version = forms.IntegerField(
        label=_("案例版本编号"),
        min_value=1,
        help_text=_("案例页面标题下方的“版本编号”。"),
        error_messages={"required": _("请填写案例版本编号。"), "invalid": _("请输入有效的案例版本编号。")},
    )
    unit = UnitChoiceField(
        label=_("单位"),
        queryset=Unit.objects.none(),
        required=False,
        help_text=_("可只选岗位（管辖范围内该岗位的全部员工），或单位与岗位同时选择。"),
        error_messages=INVALID_CHOICE,
    )
    include_subunits = forms.BooleanField(label=_("含下级单位"), required=False, initial=True)
    role = forms.ModelChoiceField(
        label=_("岗位"), queryset=Role.objects.none(), required=False, error_messages=INVALID_CHOICE
    )
    due_date = forms.DateField(
        label=_("完成期限"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": _("请填写完成期限。"), "invalid": _("请输入有效的日期。")},
    )
    reason = forms.CharField(
        label=_("布置原因"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    order = forms.CharField(label=_("相关工单编号"), required=False, max_length=32)
    rectification = forms.IntegerField(widget=forms.HiddenInput, required=False)
    request_id = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any):
        kwargs.setdefault("initial", {}).setdefault("request_id", new_request_id())
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = visible_units(user)  # type: ignore[attr-defined]
        self.fields["role"].queryset = Role.objects.exclude(code="system").order_by(  # type: ignore[attr-defined]
            "code"
        )

    def clean_version(self) -> CaseVersion:
        pk = self.cleaned_data["version"]
        version = CaseVersion.objects.filter(pk=pk, state=CaseState.PUBLISHED).first()
        if version is None:
            raise forms.ValidationError(_("请填写已发布的案例版本编号。"))
        return version

    def clean_order(self) -> WorkOrder | None:
        number = (self.cleaned_data.get("order") or "").strip()
        if not number:
            return None
        order = WorkOrder.objects.filter(number=number).first()
        if order is None:
            raise forms.ValidationError(_("找不到该工单。"))
        return order

    def clean_rectification(self) -> Rectification | None:
        pk = self.cleaned_data.get("rectification")
        if not pk:
            return None
        found = Rectification.objects.select_related("order").filter(pk=pk).first()
        if found is None:
            raise forms.ValidationError(_("找不到该整改任务。"))
        return found

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("unit") and not data.get("role") and not self.errors.get("unit"):
            self.add_error("unit", _("请选择单位或岗位（或两者）。"))
        return data

    def assign_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "version": d["version"],
            "unit": d["unit"],
            "include_subunits": d["include_subunits"],
            "role": d["role"],
            "due_date": d["due_date"],
            "reason": d["reason"],
            "order": d["order"],
            "rectification": d["rectification"],
            "request_id": d["request_id"],
        }


STATUS_CHOICES = [
    ("", _("全部")),
    (rules.CONFIRMED, _("已确认")),
    (rules.OPEN, _("未确认（未逾期）")),
    (rules.OVERDUE, _("逾期未确认")),
]


class ProgressFilterForm(forms.Form):
    """The manager's view of one assignment: a unit's subtree, and who (confirmed, open, overdue)."""

    unit = UnitChoiceField(
        label=_("单位"), queryset=Unit.objects.none(), required=False, error_messages=INVALID_CHOICE
    )
    status = forms.ChoiceField(
        label=_("学习情况"), choices=STATUS_CHOICES, required=False, error_messages=INVALID_CHOICE
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = visible_units(user)  # type: ignore[attr-defined]


class AssignmentFilterForm(forms.Form):
    """The list of assignments: of one case, or only those with people overdue."""

    case = forms.IntegerField(label=_("案例编号"), required=False, min_value=1)
    overdue = forms.BooleanField(label=_("只看有逾期未确认的"), required=False)
