"""Console views answer a service's refusal in one way (core.decorators.domain_errors, core.forms
.refusal_on): 403 and 404 for access, field errors on the form, otherwise a message and a redirect."""

from __future__ import annotations

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.test import RequestFactory
from django_htmx.middleware import HtmxDetails

from powerdesk.core.decorators import domain_errors
from powerdesk.core.errors import (
    DomainError,
    NotFound,
    NotPermitted,
    TransitionNotAllowed,
    ValidationFailed,
    VersionConflict,
)
from powerdesk.core.forms import refusal_on


def request(htmx: bool = False):
    headers = {"HX-Request": "true"} if htmx else {}
    made = RequestFactory().post("/orders/1/do/dispatch/", headers=headers)
    made._messages = CookieStorage(made)
    made.htmx = HtmxDetails(made)
    return made


def refusing(error: DomainError):
    def view(request, number):
        raise error

    return view


def order_page(request, number, **kwargs):
    return f"/orders/{number}/"


class NoteForm(forms.Form):
    note = forms.CharField()


def test_a_role_that_may_not_act_gets_the_403_page_with_the_reason():
    with pytest.raises(PermissionDenied, match="不能派单"):
        domain_errors(refusing(NotPermitted("不能派单")))(request(), number="1")


def test_something_missing_or_out_of_sight_gets_the_404_page():
    with pytest.raises(Http404, match="找不到该工单"):
        domain_errors(refusing(NotFound("找不到该工单。")))(request(), number="1")


def test_another_refusal_is_a_message_on_the_page_the_view_names():
    made = request()
    view = domain_errors(back=order_page)(refusing(TransitionNotAllowed("不能执行“恢复”。")))
    response = view(made, number="1")
    assert response.status_code == 302 and response["Location"] == "/orders/1/"
    assert [str(m) for m in get_messages(made)] == ["不能执行“恢复”。"]


def test_htmx_is_sent_there_by_a_client_redirect_and_say_replaces_the_message():
    made = request(htmx=True)
    view = domain_errors(back=order_page, say={VersionConflict: "已被他人修改"})(
        refusing(VersionConflict("版本 3 ≠ 2"))
    )
    response = view(made, number="1")
    assert response["HX-Redirect"] == "/orders/1/"
    assert [str(m) for m in get_messages(made)] == ["已被他人修改"]


def test_without_a_page_of_its_own_the_view_sends_the_user_home():
    response = domain_errors(refusing(DomainError("不行")))(request(), number="1")
    assert response.status_code == 302 and response["Location"] == "/"


def test_a_refusal_about_a_field_lands_beside_it_and_the_view_renders_the_form_again():
    form = NoteForm({"note": "x"})
    assert form.is_valid()
    with refusal_on(form):
        raise ValidationFailed("有误", fields={"note": ["备注太短。"]})
    assert form.errors == {"note": ["备注太短。"], "__all__": ["有误"]}


def test_refusals_of_other_kinds_and_about_access_pass_through_the_form():
    form = NoteForm({"note": "x"})
    assert form.is_valid()
    for error in (NotPermitted("不能"), NotFound("没有"), VersionConflict("已修改")):
        with pytest.raises(type(error)), refusal_on(form, ValidationFailed):
            raise error
    assert form.errors == {}


def test_a_view_that_succeeds_is_left_alone():
    def view(request, number):
        return HttpResponse("ok")

    assert domain_errors(view)(request(), number="1").content == b"ok"
