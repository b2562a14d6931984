"""Console forms of the complaint app: the record, the judgment checklist, whom a 表扬 credits, and a
rectification's closing. Django forms and widgets; the services check the rest."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from powerdesk.complaints import rules
from powerdesk.complaints.models import Severity
from powerdesk.complaints.selectors import PrefilledCriterion
from powerdesk.core.seeded_names import seeded_name
from powerdesk.org.models import ServiceHall, Unit, User
from powerdesk.org.selectors import visible_units_filter
from powerdesk.workorders.choices import BusinessType
from powerdesk.workorders.forms import (
    StaffChoiceField,
    TopicChoiceField,
    UnitChoiceField,
    new_request_id,
    visible_units,
)
from powerdesk.workorders.models import Topic, WorkOrder
from powerdesk.workorders.selectors import order_visible

ANSWER_CHOICES = [(rules.YES, _("是")), (rules.NO, _("否")), (rules.UNKNOWN, _("待核实"))]
NUMBERS = re.compile(r"[\s,，;；]+")
INVALID_CHOICE = {"invalid_choice": _("请选择有效的选项。")}


def visible_staff(user: User) -> Any:
    qs = User.objects.filter(is_active=True).select_related("unit")
    visible = visible_units_filter(user, "unit_id")
    return (qs.filter(visible) if visible is not None else qs).order_by("unit__code", "username")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class SeverityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Severity) -> str:
        return seeded_name(obj)


class ComplaintRecordForm(forms.Form):
    severity = SeverityChoiceField(
        label=_("投诉等级"),
        queryset=Severity.objects.filter(is_active=True),
        required=False,
        empty_label=_("未定级"),
        error_messages=INVALID_CHOICE,
    )
    related_orders = forms.CharField(
        label=_("相关工单"),
        required=False,
        max_length=500,
        help_text=_("填写工单编号，多个以逗号或空格分隔"),
    )
    staff = StaffChoiceField(
        label=_("被投诉员工"), queryset=User.objects.none(), required=False, error_messages=INVALID_CHOICE
    )
    staff_name = forms.CharField(
        label=_("被投诉人员或班组"),
        required=False,
        max_length=100,
        help_text=_("无系统账号的人员（如外包抢修队）"),
    )
    outsourced = forms.BooleanField(label=_("外包人员"), required=False)
    team = UnitChoiceField(
        label=_("被投诉班组或单位"),
        queryset=Unit.objects.none(),
        required=False,
        error_messages=INVALID_CHOICE,
    )
    hall = forms.ModelChoiceField(
        label=_("营业厅"), queryset=ServiceHall.objects.all(), required=False, error_messages=INVALID_CHOICE
    )
    event_at = forms.DateTimeField(
        label=_("事件发生时间"),
        required=False,
        widget=DateTimeInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        error_messages={"invalid": _("请输入有效的时间。")},
    )

    def __init__(self, *args: Any, user: User, order: WorkOrder, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.user, self.order = user, order
        self.fields["staff"].queryset = visible_staff(user)  # type: ignore[attr-defined]
        self.fields["team"].queryset = visible_units(user)  # type: ignore[attr-defined]

    def clean_related_orders(self) -> list[WorkOrder]:
        numbers = [n for n in NUMBERS.split(self.cleaned_data.get("related_orders") or "") if n]
        found = {o.number: o for o in order_visible(self.user).filter(number__in=numbers)}
        missing = [n for n in numbers if n not in found]
        if missing:
            raise forms.ValidationError(_("找不到工单：%(numbers)s") % {"numbers": "，".join(missing)})
        return [found[n] for n in dict.fromkeys(numbers)]


class PraiseForm(forms.Form):
    staff = StaffChoiceField(
        label=_("受表扬员工"), queryset=User.objects.none(), required=False, error_messages=INVALID_CHOICE
    )
    unit = UnitChoiceField(
        label=_("受表扬单位"), queryset=Unit.objects.none(), required=False, error_messages=INVALID_CHOICE
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = visible_staff(user)  # type: ignore[attr-defined]
        self.fields["unit"].queryset = visible_units(user)  # type: ignore[attr-defined]


class JudgmentForm(forms.Form):
    """The checklist as one radio group per criterion (pre-filled with what the system knows), then
    what follows a verdict: the downgrade (不成立), responsibility and a rectification (成立)."""

    note = forms.CharField(
        label=_("判定说明"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("不成立时必填：降级的理由"),
    )
    downgrade_to = forms.ChoiceField(
        label=_("不成立时降级为"),
        required=False,
        choices=[
            ("", "—"),
            (BusinessType.OPINION, BusinessType.OPINION.label),
            (BusinessType.CONSULTATION, BusinessType.CONSULTATION.label),
        ],
        error_messages=INVALID_CHOICE,
    )
    downgrade_topic = TopicChoiceField(
        label=_("降级后的业务分类"),
        queryset=Topic.objects.filter(is_active=True),
        required=False,
        help_text=_("留空则沿用原业务分类"),
        error_messages=INVALID_CHOICE,
    )
    responsible_unit = UnitChoiceField(
        label=_("责任单位"),
        queryset=Unit.objects.none(),
        required=False,
        help_text=_("成立时填写，留空为处理单位"),
        error_messages=INVALID_CHOICE,
    )
    responsible_staff = StaffChoiceField(
        label=_("责任人"), queryset=User.objects.none(), required=False, error_messages=INVALID_CHOICE
    )
    rectification_task = forms.CharField(
        label=_("整改内容"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    rectification_owner = StaffChoiceField(
        label=_("整改负责人"), queryset=User.objects.none(), required=False, error_messages=INVALID_CHOICE
    )
    rectification_due = forms.DateField(
        label=_("整改期限"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("请输入有效的日期。")},
    )
    rectification_learning = forms.BooleanField(
        label=_("须布置以案普法学习"),
        required=False,
        help_text=_("勾选后，须为该整改布置案例学习任务，整改方可确认完成。"),
    )
    request_id = forms.CharField(widget=forms.HiddenInput, max_length=100, required=False)

    def __init__(self, *args: Any, user: User, criteria: list[PrefilledCriterion], **kwargs: Any):
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("request_id", new_request_id())
        for item in criteria:
            initial.setdefault(f"c_{item.criterion.code}", item.answer)
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for item in criteria:
            self.fields[f"c_{item.criterion.code}"] = forms.ChoiceField(
                label=item.criterion.text,
                choices=ANSWER_CHOICES,
                widget=forms.RadioSelect,
                error_messages={"required": _("请选择。"), **INVALID_CHOICE},
            )
        staff = visible_staff(user)
        self.fields["responsible_unit"].queryset = visible_units(user)  # type: ignore[attr-defined]
        self.fields["responsible_staff"].queryset = staff  # type: ignore[attr-defined]
        self.fields["rectification_owner"].queryset = staff  # type: ignore[attr-defined]

    def criterion_fields(self) -> list[tuple[PrefilledCriterion, forms.BoundField]]:
        return [(item, self[f"c_{item.criterion.code}"]) for item in self.criteria]

    def judge_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "answers": {item.criterion.code: d[f"c_{item.criterion.code}"] for item in self.criteria},
            "note": d["note"],
            "downgrade_to": d["downgrade_to"],
            "downgrade_topic": d["downgrade_topic"],
            "responsible_unit": d["responsible_unit"],
            "responsible_staff": d["responsible_staff"],
            "rectification_task": d["rectification_task"],
            "rectification_owner": d["rectification_owner"],
            "rectification_due": d["rectification_due"],
            "rectification_learning": d["rectification_learning"],
            "request_id": d["request_id"],
        }


class RectificationCloseForm(forms.Form):
    result = forms.CharField(
        label=_("整改结果"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("请填写整改结果。")},
    )
