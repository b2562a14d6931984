"""The plain choice widgets render exactly what Django's templates render."""

from __future__ import annotations

import pytest
from django import forms

from powerdesk.core.widgets import ListedModelChoiceIterator, PlainCheckboxSelectMultiple, PlainSelect
from powerdesk.workorders.forms import OrderFilterForm
from powerdesk.workorders.models import Topic

CHOICES = [("", "全部"), ("a", "甲 <b>"), ("b&c", "乙"), ("组", [("x", "一"), ("y", "二")])]


@pytest.mark.parametrize("value", [None, "", "a", "b&c", "y", ["a", "y"], "nonsense"])
@pytest.mark.parametrize(
    "attrs", [None, {"id": "id_f", "class": "wide", "required": True, "disabled": False}]
)
def test_the_plain_widgets_render_djangos_markup(value, attrs):
    pairs = [
        (PlainSelect(choices=CHOICES), forms.Select(choices=CHOICES)),
        (PlainCheckboxSelectMultiple(choices=CHOICES), forms.CheckboxSelectMultiple(choices=CHOICES)),
    ]
    for plain, django in pairs:
        assert plain.render("f", value, attrs) == django.render("f", value, attrs)


@pytest.mark.parametrize(
    "data",
    [None, {"queue": "all"}, {"status": ["accepted", "archived"], "topic": "billing", "channel": "wechat"}],
)
def test_the_filter_form_renders_as_with_djangos_widgets(data, users, county):
    plain = OrderFilterForm(data, user=users["agent"])
    django = OrderFilterForm(data, user=users["agent"])
    for name in ("status", "business_type", "topic", "unit", "channel"):
        field = django.fields[name]
        standard = forms.CheckboxSelectMultiple if name == "status" else forms.Select
        field.widget = standard(choices=field.widget.choices)
    for name in ("status", "business_type", "topic", "unit", "channel"):
        assert str(plain[name]) == str(django[name]), name


def test_model_choices_are_read_with_one_plain_query(db, django_assert_num_queries):
    field = forms.ModelChoiceField(queryset=Topic.objects.filter(is_active=True), empty_label="全部")
    field.iterator = ListedModelChoiceIterator
    field.queryset = field.queryset
    with django_assert_num_queries(1) as ctx:
        choices = [choice for choice in field.choices]  # as a widget reads them (list() asks len(): a COUNT)
    assert len(choices) == Topic.objects.filter(is_active=True).count() + 1
    assert "DECLARE" not in ctx.captured_queries[0]["sql"]
