from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from powerdesk.core.seeded_names import seeded_name
from powerdesk.customers.models import CustomerType
from powerdesk.org.models import Unit, User
from powerdesk.workorders.forms import UnitChoiceField, visible_units

from .models import QuestionSet

SCORES = [(str(n), str(n)) for n in range(5, 0, -1)]
YES_NO = [("yes", _("是")), ("no", _("否"))]


class SurveyForm(forms.Form):
    """The survey page: the questions of the invitation's set only."""

    score = forms.TypedChoiceField(
        label=_("您对本次服务的满意度（5 分最满意）"),
        choices=SCORES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择评分。"), "invalid_choice": _("请选择 1–5 分。")},
    )
    resolved = forms.TypedChoiceField(
        label=_("您的问题解决了吗？"),
        choices=YES_NO,
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择是否已解决。"), "invalid_choice": _("请选择是或否。")},
    )
    restoration_right = forms.TypedChoiceField(
        label=_("我们告知您的复电时间准确吗？"),
        choices=YES_NO,
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择复电时间是否准确。"), "invalid_choice": _("请选择是或否。")},
    )
    comment = forms.CharField(
        label=_("还有什么想对我们说的？（选填）"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": _("留言最多 500 字。")},
    )

    def __init__(self, *args: Any, questions: QuestionSet, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for name, flag in (
            ("score", "ask_score"),
            ("resolved", "ask_resolved"),
            ("restoration_right", "ask_restoration"),
            ("comment", "ask_comment"),
        ):
            if not getattr(questions, flag):
                del self.fields[name]


class OpinionForm(forms.Form):
    text = forms.CharField(
        label=_("您的意见或建议"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("请填写意见内容。"), "max_length": _("意见最多 1000 字。")},
    )
    name = forms.CharField(
        label=_("称呼（选填）"),
        max_length=50,
        required=False,
        error_messages={"max_length": _("称呼最多 50 字。")},
    )
    phone = forms.CharField(
        label=_("联系电话（选填）"),
        max_length=32,
        required=False,
        error_messages={"max_length": _("电话号码过长。")},
    )


class FollowUpCloseForm(forms.Form):
    note = forms.CharField(
        label=_("处理结果"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "aria-label": _("处理结果")}),
        error_messages={"required": _("请填写处理结果。"), "max_length": _("处理结果最多 2000 字。")},
    )


class QuestionSetChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: QuestionSet) -> str:
        return seeded_name(obj)


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100, error_messages={"required": _("请填写名称。")})
    unit = UnitChoiceField(
        label=_("范围单位"),
        queryset=Unit.objects.none(),
        error_messages={"required": _("请选择范围单位。"), "invalid_choice": _("请选择有效的单位。")},
    )
    customer_type = forms.ChoiceField(
        label=_("客户类型"),
        choices=[("", _("全部")), *CustomerType.choices],
        required=False,
        error_messages={"invalid_choice": _("请选择有效的客户类型。")},
    )
    questions = QuestionSetChoiceField(
        label=_("问题组"),
        queryset=QuestionSet.objects.all(),
        error_messages={"required": _("请选择问题组。"), "invalid_choice": _("请选择有效的问题组。")},
    )
    starts_on = forms.DateField(
        label=_("开始日期"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": _("请填写开始日期。"), "invalid": _("请输入有效的日期。")},
    )
    ends_on = forms.DateField(
        label=_("结束日期"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": _("请填写结束日期。"), "invalid": _("请输入有效的日期。")},
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = visible_units(user)  # type: ignore[attr-defined]
