"""Console forms: the intake form, and one form per transition generated from the ``FieldSpec`` list
of the transition table (the API serializers are generated from the same specs). The order list's
filter is ``workorders.filters.OrderFilterSet``.

Forms only parse and shape input; the services decide what is allowed, and ``core.forms.refusal_on``
puts a service's :class:`~powerdesk.core.errors.DomainError` back on the form, field by field.
"""

from __future__ import annotations

import uuid
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from powerdesk.core.errors import NotFound
from powerdesk.core.seeded_names import seeded_name
from powerdesk.customers.models import Customer
from powerdesk.org.models import Unit, UnitKind, User
from powerdesk.org.selectors import visible_units_filter
from powerdesk.workorders import extensions, reference
from powerdesk.workorders.choices import (
    AttachmentKind,
    BusinessType,
    Channel,
    Priority,
    RepeatAction,
    Satisfaction,
)
from powerdesk.workorders.models import SubType, Topic, WorkOrder
from powerdesk.workorders.routing import dispatch_suggestion, field_staff
from powerdesk.workorders.selectors import order_get
from powerdesk.workorders.transitions import FieldSpec, Transition

# The longest description (诉求内容) a form takes; the page says so beside the field and counts down.
DESCRIPTION_MAX = 4000


def new_request_id() -> str:
    return uuid.uuid4().hex


def visible_units(user: User):
    """The handling units (dispatch targets) the user may see, for unit pickers and filters."""
    qs = Unit.objects.dispatch_targets().filter(is_active=True)
    # The scope as a path subquery, not a literal list of a county's thousand unit ids (slow to plan).
    visible = visible_units_filter(user, "pk")
    if visible is not None:
        qs = qs.filter(visible)
    return qs.order_by("code")


def _visible_staff(user: User):
    qs = User.objects.filter(is_active=True, unit__isnull=False).select_related("unit")
    visible = visible_units_filter(user, "unit_id")
    if visible is not None:
        qs = qs.filter(visible)
    return qs.order_by("unit__code", "full_name", "username")


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.display_name}（{obj.unit}）"


class UnitChoiceField(forms.ModelChoiceField):
    _indent: dict[str, int] = {
        UnitKind.PROVINCE: 0,
        UnitKind.CITY: 0,
        UnitKind.COUNTY: 0,
        UnitKind.STATION: 1,
        UnitKind.TEAM: 2,
    }

    def label_from_instance(self, obj: Unit) -> str:
        return "\u3000" * self._indent.get(obj.kind, 0) + obj.name


# ---------------------------------------------------------------------------------------------
# intake


class TopicChoiceField(forms.ModelChoiceField):
    """Topics by name in the active language (seeded ones have English names, see core.seeded_names)."""

    def label_from_instance(self, obj: Any) -> str:
        return seeded_name(obj)


class TopicSelect(forms.Select):
    """Marks each topic with the business types it goes with, so the page can offer only those."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        topic = reference.topic_by_code(str(value))
        if topic is not None and topic.business_types:
            option["attrs"]["data-types"] = " ".join(topic.business_types)
        return option


class SubTypeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: SubType) -> str:
        return seeded_name(obj)


class SubTypeSelect(forms.Select):
    """Marks each option with its business type, so the page can show only the matching ones."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        sub_type = reference.sub_type_by_code(str(value))
        business_type = sub_type.business_type if sub_type is not None else ""
        if business_type:
            option["attrs"]["data-type"] = business_type
        return option


class IntakeForm(forms.Form):
    """受理新工单. The customer comes from the page (hidden account number); the idempotency key is made
    when the form is first rendered, so a double submit replays the first intake instead of a second."""

    customer = forms.CharField(label=_("客户"), widget=forms.HiddenInput, required=False)
    idempotency_key = forms.CharField(label=_("提交编号"), widget=forms.HiddenInput, max_length=100)
    business_type = forms.ChoiceField(
        label=_("业务类型"),
        choices=[("", _("请选择")), *BusinessType.choices],
        error_messages={"required": _("请选择业务类型。"), "invalid_choice": _("业务类型无效。")},
    )
    sub_type = SubTypeChoiceField(
        label=_("业务子类"),
        queryset=SubType.objects.filter(is_active=True),
        to_field_name="code",
        required=False,
        empty_label=_("（不细分）"),
        widget=SubTypeSelect,
        error_messages={"invalid_choice": _("业务子类无效。")},
    )
    topic = TopicChoiceField(
        label=_("业务分类"),
        queryset=Topic.objects.filter(is_active=True),
        to_field_name="code",
        empty_label=_("请选择"),
        widget=TopicSelect,
        error_messages={"required": _("请选择业务分类。"), "invalid_choice": _("业务分类无效。")},
    )
    channel = forms.ChoiceField(label=_("受理渠道"), choices=Channel.choices, initial=Channel.HOTLINE)
    priority = forms.TypedChoiceField(
        label=_("紧急程度"),
        choices=[("", _("按规则自动确定")), *Priority.choices],
        coerce=int,
        required=False,
        empty_value=None,
    )
    caller_name = forms.CharField(label=_("来电人"), max_length=50, required=False)
    caller_phone = forms.CharField(
        label=_("来电号码"),
        max_length=40,
        required=False,
        help_text=_("手机号、带区号的固定电话（分机可写“转808”）或带国家代码的国际号码。"),
    )
    caller_withheld = forms.BooleanField(label=_("未显示来电号码（无主叫号码）"), required=False)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    description = forms.CharField(
        label=_("诉求内容"),
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("请填写诉求内容。")},
    )
    force_new = forms.BooleanField(label=_("忽略重复来电，仍新建工单"), required=False)
    repeat_action = forms.ChoiceField(
        label=_("处理方式"),
        choices=[("", _("按规则建议")), *RepeatAction.choices],
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("处理方式无效。")},
    )
    override_reason = forms.CharField(
        label=_("新建原因"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, customer: Customer | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.customer_obj = customer
        self.fields["topic"].widget.attrs["data-repeat-check"] = "1"
        self.fields["business_type"].widget.attrs["data-subtype-filter"] = "id_sub_type"
        self.fields["business_type"].widget.attrs["data-topic-filter"] = "id_topic"
        # console.js counts the characters left down beside the field (the browser stops at maxlength).
        self.fields["description"].widget.attrs["data-countdown"] = _("还可输入 %(n)s 字")

    def intake_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``services.workorder_intake`` (without ``actor``)."""
        d = self.cleaned_data
        return {
            "customer": self.customer_obj,
            "business_type": d["business_type"],
            "sub_type": d.get("sub_type"),
            "topic": d["topic"],
            "channel": d["channel"],
            "priority": d.get("priority"),
            "caller_name": d.get("caller_name", ""),
            "caller_phone": d.get("caller_phone", "").strip(),
            "caller_withheld": bool(d.get("caller_withheld")),
            "address": d.get("address", ""),
            "description": d["description"],
            "force_new": bool(d.get("force_new")),
            "override_reason": d.get("override_reason", ""),
            "repeat_action": d.get("repeat_action", ""),
            "idempotency_key": d["idempotency_key"],
        }


class QuickContactForm(forms.Form):
    """One click on an order of the customer's panel: the contact is added to that order. Posted by the
    intake form's own fields (its buttons carry ``formaction``) or by the customer page's small form."""

    idempotency_key = forms.CharField(label=_("提交编号"), widget=forms.HiddenInput, max_length=100)
    channel = forms.ChoiceField(label=_("受理渠道"), choices=Channel.choices, initial=Channel.HOTLINE)
    caller_phone = forms.CharField(label=_("来电号码"), max_length=40, required=False)
    caller_withheld = forms.BooleanField(label=_("未显示来电号码（无主叫号码）"), required=False)
    description = forms.CharField(
        label=_("来电内容"),
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("请填写来电内容。")},
    )
    override_reason = forms.CharField(label=_("原因"), max_length=500, required=False)


# ---------------------------------------------------------------------------------------------
# transitions


class OrderNumberField(forms.CharField):
    """An order number typed by the user, resolved to an order the user may see."""

    def __init__(self, *, user: User, **kwargs: Any):
        self.user = user
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> WorkOrder | None:
        number = super().clean(value)
        if not number:
            return None
        try:
            return order_get(user=self.user, number=number.strip())
        except NotFound:
            raise forms.ValidationError(_("找不到该工单。"), code="not_found") from None


def _field_for(spec: FieldSpec, user: User) -> forms.Field:
    common: dict[str, Any] = {"label": spec.label, "required": spec.required}
    required_message = {"required": _("请填写“%(label)s”。") % {"label": spec.label}}
    if spec.kind == "unit":
        return UnitChoiceField(
            queryset=visible_units(user),
            empty_label=_("请选择"),
            error_messages={
                "required": _("请选择%(label)s。") % {"label": spec.label},
                "invalid_choice": _("请选择有效的处理单位。"),
            },
            **common,
        )
    if spec.kind == "user":
        return StaffChoiceField(
            queryset=_visible_staff(user),
            empty_label=_("（不指定）"),
            error_messages={"invalid_choice": _("请选择有效的人员。")},
            **common,
        )
    if spec.kind == "satisfaction":
        return forms.ChoiceField(
            choices=[("", _("请选择")), *Satisfaction.choices],
            error_messages={"required": _("请选择满意度。")},
            **common,
        )
    if spec.kind == "bool":
        return forms.BooleanField(label=str(spec.label), required=False)
    if spec.kind == "business_type":
        return forms.ChoiceField(
            choices=[("", _("请选择")), *BusinessType.choices],
            error_messages={"required": _("请选择业务类型。"), "invalid_choice": _("业务类型无效。")},
            **common,
        )
    if spec.kind == "sub_type":
        return SubTypeChoiceField(
            queryset=SubType.objects.filter(is_active=True),
            to_field_name="code",
            empty_label=_("（不细分）"),
            widget=SubTypeSelect,
            error_messages={"invalid_choice": _("业务子类无效。")},
            **common,
        )
    if spec.kind == "topic":
        return TopicChoiceField(
            queryset=Topic.objects.filter(is_active=True),
            to_field_name="code",
            empty_label=_("请选择"),
            widget=TopicSelect,
            error_messages={"required": _("请选择业务分类。"), "invalid_choice": _("业务分类无效。")},
            **common,
        )
    if spec.kind == "order":
        return OrderNumberField(user=user, error_messages=required_message, **common)
    if spec.kind == "phone":
        return forms.CharField(max_length=32, error_messages=required_message, **common)
    if spec.kind == "longtext":
        return forms.CharField(
            max_length=4000,
            widget=forms.Textarea(attrs={"rows": 3}),
            error_messages=required_message,
            **common,
        )
    return forms.CharField(max_length=500, error_messages=required_message, **common)


class TransitionForm(forms.Form):
    """Base of the generated transition forms: the order version seen by the user and a request id."""

    transition: Transition
    spec_names: tuple[str, ...] = ()
    version = forms.IntegerField(label=_("工单版本"), widget=forms.HiddenInput, min_value=1)
    request_id = forms.CharField(label=_("提交编号"), widget=forms.HiddenInput, max_length=100)

    def service_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``services.SERVICES[code]`` besides order and actor."""
        d = self.cleaned_data
        kwargs = {name: d.get(name) for name in self.spec_names}
        kwargs.update({name: d[name] for name in self.extra_names() if d.get(name)})
        kwargs["expected_version"] = d["version"]
        kwargs["request_id"] = d["request_id"]
        return kwargs

    def extra_names(self) -> list[str]:
        return [n for n in self.fields if n not in self.spec_names and n not in ("version", "request_id")]


def transition_form_class(transition: Transition, user: User) -> type[TransitionForm]:
    """A form class with one field per ``FieldSpec`` of ``transition``, choices limited to what
    ``user`` may see."""
    attrs: dict[str, Any] = {spec.name: _field_for(spec, user) for spec in transition.fields}
    for extra in extensions.inputs_of(transition.code):  # inputs the apps above declared
        attrs[extra.name] = extra.form_field()
    if "business_type" in attrs and "sub_type" in attrs:  # the page shows the type's own sub-types only
        attrs["business_type"].widget.attrs["data-subtype-filter"] = f"id_{transition.code}_sub_type"
    if "business_type" in attrs and "topic" in attrs:  # … and the topics that go with it
        attrs["business_type"].widget.attrs["data-topic-filter"] = f"id_{transition.code}_topic"
    attrs["transition"] = transition
    attrs["spec_names"] = tuple(spec.name for spec in transition.fields)
    return type(f"{transition.code.title()}TransitionForm", (TransitionForm,), attrs)


def transition_form(transition: Transition, user: User, order: WorkOrder, data: Any = None) -> TransitionForm:
    form_class = transition_form_class(transition, user)
    auto_id = f"id_{transition.code}_%s"
    if data is not None:
        form = form_class(data, auto_id=auto_id)
    else:
        form = form_class(initial={"version": order.version, "request_id": new_request_id()}, auto_id=auto_id)
    if transition.code == "dispatch":
        shape_dispatch_form(form, order)
    for extra in extensions.inputs_of(transition.code):
        if extra.shape is not None and extra.name in form.fields:
            extra.shape(form.fields[extra.name], order, user)
    return form


class FieldStaffChoiceField(forms.ModelChoiceField):
    """A handler of the chosen unit, with their open load (``routing.field_staff``)."""

    def label_from_instance(self, obj: User) -> str:
        load = getattr(obj, "open_load", 0)
        return _("%(name)s（%(unit)s，在办 %(load)s）") % {
            "name": obj.display_name,
            "unit": obj.unit,
            "load": load,
        }


def _posted_unit(form: TransitionForm) -> Unit | None:
    """The unit the bound form names, if it is one the user may pick (else the field reports it)."""
    value = form.data.get(form.add_prefix("unit"))
    if not value or not str(value).isdigit():
        return None
    return _unit_choices(form).filter(pk=int(value)).first()


def _unit_choices(form: TransitionForm) -> QuerySet[Unit]:
    return cast(QuerySet[Unit], cast(forms.ModelChoiceField, form.fields["unit"]).queryset)


def shape_dispatch_form(form: TransitionForm, order: WorkOrder) -> None:
    """The dispatch form starts on the routing rule's suggestion (unit and least-loaded handler) and
    offers as handlers only the field staff of the chosen unit, each with their load; changing the unit
    reloads that list (htmx, ``workorders:dispatch_staff``)."""
    suggestion = dispatch_suggestion(order)
    units = _unit_choices(form)
    if form.is_bound:
        unit = _posted_unit(form)
    elif suggestion is not None and units.filter(pk=suggestion.unit.pk).exists():
        unit = suggestion.unit
        form.initial["unit"] = unit.pk
        if suggestion.assignee is not None:
            form.initial["assignee"] = suggestion.assignee.pk
    else:
        unit = None
    old = form.fields["assignee"]
    form.fields["assignee"] = FieldStaffChoiceField(
        queryset=field_staff(unit),
        label=old.label,
        required=False,
        empty_label=_("（不指定）"),
        error_messages={"invalid_choice": _("请选择派往单位的处理人员。")},
    )
    form.fields["unit"].widget.attrs.update(
        {
            "hx-get": reverse("workorders:dispatch_staff", kwargs={"number": order.number}),
            "hx-target": "#id_dispatch_assignee",
            "hx-trigger": "change",
            "hx-swap": "innerHTML",
        }
    )


# ---------------------------------------------------------------------------------------------
# attachments


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("类别"), choices=AttachmentKind.choices, initial=AttachmentKind.PHOTO)
    file = forms.FileField(
        label=_("文件"), error_messages={"required": _("请选择文件。"), "empty": _("文件为空。")}
    )
    # Makes a double submit store the file once (attachment_add answers a retry with the first file).
    request_id = forms.CharField(
        label=_("提交编号"), widget=forms.HiddenInput, max_length=100, required=False
    )
