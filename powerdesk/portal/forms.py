"""The portal's forms: Django forms with Chinese messages (translated through the catalogue)."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from powerdesk.customers.models import Customer
from powerdesk.portal.models import ReportKind

PHONE_ATTRS = {"inputmode": "numeric", "autocomplete": "tel", "maxlength": "11"}
CODE_ATTRS = {"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": "8"}


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("手机号码"),
        max_length=20,
        widget=forms.TextInput(attrs=PHONE_ATTRS),
        error_messages={"required": _("请输入手机号码。")},
    )


class CodeForm(forms.Form):
    phone = forms.CharField(max_length=20, widget=forms.HiddenInput)
    code = forms.CharField(
        label=_("短信验证码"),
        max_length=8,
        widget=forms.TextInput(attrs=CODE_ATTRS),
        error_messages={"required": _("请输入验证码。")},
    )


class ConsentForm(forms.Form):
    agree = forms.BooleanField(
        label=_("我已阅读并同意以上隐私声明"), error_messages={"required": _("请先阅读并同意隐私声明。")}
    )


class BindForm(forms.Form):
    account_no = forms.CharField(
        label=_("户号"), max_length=20, error_messages={"required": _("请输入户号。")}
    )
    holder_name = forms.CharField(label=_("户主姓名"), max_length=100, required=False)
    id_digits = forms.CharField(
        label=_("或：户主证件号码后四位至六位"),
        max_length=6,
        min_length=4,
        required=False,
        error_messages={"min_length": _("请至少输入证件号码后四位。")},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("holder_name") or "").strip() and not (data.get("id_digits") or "").strip():
            raise forms.ValidationError(_("请填写户主姓名或证件号码后几位。"))
        return data


class UnbindForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("我确认解绑该户号"), error_messages={"required": _("请勾选确认后再解绑。")}
    )


class ReportForm(forms.Form):
    customer = forms.ChoiceField(label=_("用电户号"), error_messages={"required": _("请选择户号。")})
    kind = forms.ModelChoiceField(
        label=_("诉求类型"),
        queryset=ReportKind.objects.none(),
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择诉求类型。"), "invalid_choice": _("请选择诉求类型。")},
    )
    staff_name = forms.CharField(
        label=_("被表扬的员工（姓名或工号，表扬时填写）"), max_length=50, required=False
    )
    description = forms.CharField(
        label=_("情况说明"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("请填写情况说明。")},
    )
    submission = forms.CharField(widget=forms.HiddenInput, max_length=36)

    def __init__(self, *args: Any, customers: list[Customer], kinds: list[ReportKind], **kwargs: Any):
        kwargs.setdefault("initial", {}).setdefault("submission", str(uuid.uuid4()))
        super().__init__(*args, **kwargs)
        choice = self.fields["customer"]
        assert isinstance(choice, forms.ChoiceField)
        choice.choices = [(c.account_no, f"{c.account_no} {c.address}") for c in customers]
        field = self.fields["kind"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = ReportKind.objects.filter(pk__in=[k.pk for k in kinds])


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("撤销原因（可不填）"), max_length=200, required=False)


class ApplyForm(forms.Form):
    """Start an application: the account, a note, and a file field per document of the 一次性告知 list
    (each optional here: what is not uploaded now is handed in later, on the order's page)."""

    customer = forms.ChoiceField(label=_("用电户号"), error_messages={"required": _("请选择户号。")})
    description = forms.CharField(
        label=_("申请说明（可不填）"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    submission = forms.CharField(widget=forms.HiddenInput, max_length=36)

    def __init__(
        self, *args: Any, customers: list[Customer], documents: list[tuple[str, str]], **kwargs: Any
    ):
        kwargs.setdefault("initial", {}).setdefault("submission", str(uuid.uuid4()))
        super().__init__(*args, **kwargs)
        choice = self.fields["customer"]
        assert isinstance(choice, forms.ChoiceField)
        choice.choices = [(c.account_no, f"{c.account_no} {c.address}") for c in customers]
        for code, name in documents:
            self.fields[f"doc_{code}"] = forms.FileField(
                label=name, required=False, widget=forms.ClearableFileInput(attrs={"accept": DOC_ACCEPT})
            )

    def document_files(self) -> dict[str, Any]:
        return {
            name.removeprefix("doc_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("doc_") and value
        }


DOC_ACCEPT = ".jpg,.jpeg,.png,.pdf"


class ProofAccountForm(forms.Form):
    customer = forms.ChoiceField(label=_("要办理的户号"), error_messages={"required": _("请选择户号。")})

    def __init__(self, *args: Any, customers: list[Customer], **kwargs: Any):
        super().__init__(*args, **kwargs)
        choice = self.fields["customer"]
        assert isinstance(choice, forms.ChoiceField)
        choice.choices = [(c.account_no, c.account_no) for c in customers]


class ProofCodeForm(ProofAccountForm):
    code = forms.CharField(
        label=_("户号登记手机收到的验证码"),
        max_length=8,
        widget=forms.TextInput(attrs=CODE_ATTRS),
        error_messages={"required": _("请输入验证码。")},
    )


class DocumentUploadForm(forms.Form):
    document = forms.ChoiceField(label=_("补交资料"), error_messages={"required": _("请选择资料。")})
    file = forms.FileField(
        label=_("文件（照片或PDF）"),
        widget=forms.ClearableFileInput(attrs={"accept": DOC_ACCEPT}),
        error_messages={"required": _("请选择文件。")},
    )

    def __init__(self, *args: Any, documents: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        choice = self.fields["document"]
        assert isinstance(choice, forms.ChoiceField)
        choice.choices = documents


# --- the hall clerk's forms (console) -------------------------------------------------------------------


class HallConfirmForm(forms.Form):
    note = forms.CharField(
        label=_("核验说明"),
        max_length=200,
        required=False,
        error_messages={"max_length": _("核验说明不能超过200字。")},
        widget=forms.TextInput(attrs={"placeholder": _("如：已核对户主身份证原件")}),
    )


class HallRejectForm(forms.Form):
    reason = forms.CharField(
        label=_("未通过原因（客户可见）"),
        max_length=200,
        error_messages={
            "required": _("请填写未通过的原因，客户会在网上营业厅看到。"),
            "max_length": _("原因不能超过200字。"),
        },
    )
