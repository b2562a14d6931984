"""Console forms of the applications app (Django forms; errors in Chinese)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from powerdesk.applications.models import (
    ApplicationKind,
    DocumentType,
    NoticeChannel,
    ReturnReason,
    StepTemplate,
)
from powerdesk.core.seeded_names import seeded_name
from powerdesk.customers.models import Customer
from powerdesk.org.models import User
from powerdesk.org.selectors import user_sees_unit


class SeededChoiceField(forms.ModelChoiceField):
    """A choice of seeded reference rows, each by its name in the reader's language."""

    def label_from_instance(self, obj: Any) -> str:
        return seeded_name(obj)


class ApplicationStartForm(forms.Form):
    """The hall clerk's form: the customer by account number, the kind, how the document list was given."""

    customer = forms.CharField(label=_("户号"), max_length=20)
    kind = SeededChoiceField(
        label=_("业务办理类别"),
        queryset=ApplicationKind.objects.filter(is_active=True),
        error_messages={
            "invalid_choice": _("请选择有效的业务办理类别。"),
            "required": _("请选择业务办理类别。"),
        },
    )
    notice_channel = forms.ChoiceField(
        label=_("一次性告知方式"),
        choices=NoticeChannel.choices,
        error_messages={"invalid_choice": _("请选择有效的告知方式。"), "required": _("请选择告知方式。")},
    )
    description = forms.CharField(label=_("申请说明"), max_length=2000, required=False, widget=forms.Textarea)

    def __init__(self, *args: Any, user: User, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_customer(self) -> Customer:
        number = self.cleaned_data["customer"].strip()
        found = Customer.objects.select_related("area").filter(account_no=number).first()
        if found is None or not user_sees_unit(self.user, found.area):
            raise forms.ValidationError(_("找不到该户号。"))
        return found


class StepCompleteForm(forms.Form):
    result = forms.CharField(label=_("办理结果"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    # Only when the step's required documents are not all received (the service refuses otherwise).
    document_reason = forms.CharField(
        label=_("资料未收齐即办结的原因"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)


class StepReturnForm(forms.Form):
    to_step = SeededChoiceField(
        label=_("退回至"),
        queryset=StepTemplate.objects.none(),
        error_messages={"invalid_choice": _("请选择之前的环节。"), "required": _("请选择退回的环节。")},
    )
    reason = SeededChoiceField(
        label=_("退回原因"),
        queryset=ReturnReason.objects.filter(is_active=True),
        error_messages={"invalid_choice": _("请选择有效的退回原因。"), "required": _("请选择退回原因。")},
    )
    note = forms.CharField(
        label=_("内部说明（不发给客户）"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args: Any, kind: ApplicationKind | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if kind is not None:
            self.fields["to_step"].queryset = StepTemplate.objects.filter(kind=kind)  # type: ignore[attr-defined]


class DocumentRequestForm(forms.Form):
    document = SeededChoiceField(
        label=_("补充资料"),
        queryset=DocumentType.objects.filter(is_active=True),
        error_messages={"invalid_choice": _("请选择有效的资料。"), "required": _("请选择资料。")},
    )
    reason = forms.CharField(
        label=_("原因（不在一次性告知清单内时必填）"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DocumentReceiveForm(forms.Form):
    document = SeededChoiceField(
        label=_("资料"),
        queryset=DocumentType.objects.filter(is_active=True),
        error_messages={"invalid_choice": _("请选择有效的资料。"), "required": _("请选择资料。")},
    )
    file = forms.FileField(label=_("文件"), error_messages={"required": _("请选择文件。")})


class KindChangeForm(forms.Form):
    """The dispatcher's or the manager's correction of an application's kind, with the reason."""

    kind = SeededChoiceField(
        label=_("更正为"),
        queryset=ApplicationKind.objects.filter(is_active=True),
        error_messages={
            "invalid_choice": _("请选择有效的业务办理类别。"),
            "required": _("请选择业务办理类别。"),
        },
    )
    reason = forms.CharField(
        label=_("更正原因"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("请填写更正的原因。")},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
