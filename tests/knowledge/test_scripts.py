"""Scripts (话术): placeholders filled from the order, the customer and the outage (a missing value shown
as missing, the name masked per reader), the shared life cycle, citations that keep their version, the
intake form's panel request, the console and the API (bad input answers 4xx, never a 500)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from powerdesk.core.errors import NotPermitted, ValidationFailed
from powerdesk.knowledge import rules, selectors, services
from powerdesk.knowledge.models import ScriptCitation, ScriptVersion
from powerdesk.outages import services as outages
from powerdesk.workorders.models import WorkOrderEvent
from tests.api.conftest import client_for
from tests.factories import topic
from tests.outages.conftest import net  # noqa: F401  (a fixture: a feeder with customers)

pytestmark = pytest.mark.django_db

# Daytime: the orders of these tests send the customer their messages at once.
DAY = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def make_script(author):
    def make(
        title: str = "测：抢修到达告知",
        body: str = "{customer_name}您好，预计{arrival_due}前到达。",
        **content,
    ):
        defaults = {"kind": "closing", "business_type": "repair", "topic": topic("fault_repair")}
        defaults.update(content)
        return services.script_create(actor=author, title=title, body=body, **defaults)

    return make


@pytest.fixture
def published_script(make_script, author, reviewer):
    def make(*args, **kwargs) -> ScriptVersion:
        version = make_script(*args, **kwargs)
        services.script_step(version=version, actor=author, step="submit")
        return services.script_step(version=version, actor=reviewer, step="publish")

    return make


# --- the one filling function ---------------------------------------------------------------------------


def test_fill_puts_values_in_and_marks_what_is_missing():
    parts = rules.fill(
        "您好{customer_name}，预计{outage_etr}来电，{{原样}}", {"customer_name": "张三", "outage_etr": None}
    )
    text = rules.filled_text(parts)
    assert text == "您好张三，预计【未知：预计恢复时间】来电，{原样}"
    assert [p.code for p in parts if p.missing] == ["outage_etr"]


def test_a_blank_value_is_missing_too_never_an_empty_gap():
    assert (
        rules.filled_text(rules.fill("经理{area_manager}", {"area_manager": "  "}))
        == "经理【未知：台区经理】"
    )
    assert rules.filled_text(rules.fill("号{order_number}", {})) == "号【未知：工单编号】"


def test_unknown_placeholders_are_found():
    assert rules.unknown_placeholders("{customer_name}{客户}{foo}{{x}}") == ["客户", "foo"]


def test_a_script_with_an_unknown_placeholder_is_refused_on_its_field(make_script):
    with pytest.raises(ValidationFailed) as refusal:
        make_script(body="您好{客户姓名}")
    assert (
        "未知的占位符" in refusal.value.fields["body"][0] and "{客户姓名}" in refusal.value.fields["body"][0]
    )


def test_the_console_form_shows_the_chinese_field_error(client, users):
    client.force_login(users["handler"])
    answer = client.post(
        reverse("knowledge:script_new"),
        {"title": "测", "kind": "opening", "body": "您好{name}", "position": 1},
    )
    assert answer.status_code == 200
    assert "话术中有未知的占位符：{name}" in answer.content.decode()
    assert not ScriptVersion.objects.filter(title="测").exists()


# --- the values: the order, the customer, the outage; masking per reader -------------------------------


@time_machine.travel(DAY, tick=False)
def test_the_order_fills_manager_arrival_and_number_and_the_name_is_masked_per_reader(users, order_on_site):
    order = order_on_site("家里没电")
    agent = selectors.script_context(user=users["agent"], order=order)
    manager = selectors.script_context(user=users["manager"], order=order)
    assert agent["customer_name"] == "张三" and manager["customer_name"] == "张*"
    assert agent["area_manager"] == "李台区" and agent["area_manager_phone"] == "13900000000"
    assert agent["order_number"] == order.number and agent["agent_name"] == users["agent"].display_name
    assert agent["arrival_due"] is not None  # the arrival clock's due time, planned by sla
    assert agent["outage_etr"] is None  # the customer's supply is not in an outage
    text = rules.filled_text(rules.fill("{outage_etr}", agent))
    assert text == "【未知：预计恢复时间】"


@time_machine.travel(DAY, tick=False)
def test_a_customer_in_an_active_outage_gets_its_etr(net, users):  # noqa: F811
    home = net.customers["home"]
    assert selectors.script_context(user=users["agent"], customer=home)["outage_etr"] is None
    outage = outages.outage_create(
        actor=users["dispatcher"], kind="fault", title="熔断器跳闸", devices=[net["FU"]]
    )
    outage.refresh_from_db()
    assert outage.etr is not None
    etr = selectors.script_context(user=users["agent"], customer=home)["outage_etr"]
    assert etr == dt.datetime.astimezone(outage.etr, dt.timezone(dt.timedelta(hours=8))).strftime(
        "%m-%d %H:%M"
    )


# --- life cycle, citation ---------------------------------------------------------------------------------


def test_scripts_go_through_the_cases_life_cycle(make_script, author, reviewer):
    version = make_script()
    services.script_step(version=version, actor=author, step="submit")
    with pytest.raises(NotPermitted):
        services.script_step(version=version, actor=author, step="publish")
    version = services.script_step(version=version, actor=reviewer, step="publish")
    assert version.state == "published"
    assert [s.to_state for s in version.steps.all()] == ["draft", "review", "published"]


@time_machine.travel(DAY, tick=False)
def test_an_order_keeps_citing_the_old_version_after_an_edit(
    client, users, published_script, author, reviewer, order_on_site
):
    first = published_script()
    order = order_on_site("家里没电")
    client.force_login(users["repair"])
    url = reverse("workorders:transition", args=[order.number, "resolve"])
    answer = client.post(
        url, {"result": "已处理", "script": first.pk, "version": order.version, "request_id": "r-1"}
    )
    assert answer.status_code == 302
    draft = services.script_revise(version=first, actor=author)
    services.script_draft_update(
        version=draft, actor=author, title="测：改过的告知", kind="closing", body="改过"
    )
    services.script_step(version=draft, actor=author, step="submit")
    services.script_step(version=draft, actor=reviewer, step="publish")
    event = WorkOrderEvent.objects.filter(order=order, data__script_version__isnull=False).get()
    assert event.data["script_version"] == first.pk
    assert ScriptCitation.objects.get(order=order).version_id == first.pk
    client.force_login(users["manager"])
    body = client.get(reverse("workorders:detail", args=[order.number])).content.decode()
    link = reverse("knowledge:script_version", args=[first.script_id, 1])
    assert f'<a href="{link}">测：抢修到达告知</a>' in body and "引用话术" in body


@time_machine.travel(DAY, tick=False)
def test_a_retired_or_unknown_script_cannot_be_cited(client, users, make_script, order_on_site):
    draft = make_script()
    order = order_on_site("家里没电")
    client.force_login(users["repair"])
    url = reverse("workorders:transition", args=[order.number, "resolve"])
    answer = client.post(
        url, {"result": "已处理", "script": draft.pk, "version": order.version, "request_id": "r-2"}
    )
    assert "请选择已发布的话术版本" in answer.content.decode()
    assert not ScriptCitation.objects.exists()


@time_machine.travel(DAY, tick=False)
def test_the_resolve_form_offers_the_cases_and_scripts_ranked_for_the_order(
    client, users, published, published_script, order_on_site
):
    other = published("测：营业厅排队过久", area=topic("hall_service"), sub_type=None, business_type="")
    mine = published("测：表箱冒烟延误复电")
    script = published_script()
    order = order_on_site("表箱冒烟")
    client.force_login(users["repair"])
    body = client.get(reverse("workorders:detail", args=[order.number])).content.decode()
    form = body[body.index('id="id_resolve_case"') :]
    offered = re.findall(r'<option value="(\d+)"', form[: form.index("</select>")])
    assert str(mine.pk) in offered  # of the order's topic and close to its words
    if str(other.pk) in offered:
        assert offered.index(str(mine.pk)) < offered.index(str(other.pk))
    scripts = body[body.index('id="id_resolve_script"') :]
    assert str(script.pk) in re.findall(r'<option value="(\d+)"', scripts[: scripts.index("</select>")])
    # the scripts panel beside the cases, filled for the reader
    assert "话术" in body and "<b>张三</b>您好" in body


# --- the intake form's panel (its own request) -------------------------------------------------------------


def test_the_intake_panel_fills_from_the_chosen_customer_and_topic(client, users, customer):
    client.force_login(users["agent"])
    url = reverse("knowledge:intake_scripts")
    answer = client.get(
        url, {"customer": customer.account_no, "business_type": "repair", "topic": "fault_repair"}
    )
    body = answer.content.decode()
    assert answer.status_code == 200 and "报修开场" in body and "<b>张三</b>您好" in body
    assert "【未知：工单编号】" in body  # no order yet: shown as unknown, not blank
    # the agent has not chosen a topic yet: the scripts for any call
    assert "通用开场" in client.get(url).content.decode()
    assert "请选择有效的业务分类" in client.get(url, {"topic": "nope"}).content.decode()
    assert client.get(url, {"customer": "NO-SUCH"}).status_code == 404


def test_the_intake_panel_is_for_those_who_take_calls(client, users):
    client.force_login(users["norole"])
    assert client.get(reverse("knowledge:intake_scripts")).status_code == 403


def test_the_intake_form_carries_the_panel(client, users):
    client.force_login(users["agent"])
    body = client.get(reverse("workorders:new")).content.decode()
    assert reverse("knowledge:intake_scripts") in body and "<script>" not in body.split("</header>")[-1]


# --- the console and the API --------------------------------------------------------------------------------


def test_the_list_searches_and_readers_do_not_see_drafts(client, users, make_script, published_script):
    draft = make_script("测：草稿话术")
    shown = published_script("测：已发布话术")
    client.force_login(users["agent"])
    body = client.get(reverse("knowledge:scripts"), {"q": "测："}).content.decode()
    assert shown.title in body and draft.title not in body
    assert client.get(reverse("knowledge:script_detail", args=[draft.script_id])).status_code == 404
    assert client.get(reverse("knowledge:script_new")).status_code == 403


@time_machine.travel(DAY, tick=False)
def test_the_api_fills_a_script_for_an_order(users, published_script, order_on_site):
    version = published_script(body="{customer_name}您好，工单{order_number}，恢复{outage_etr}")
    order = order_on_site("家里没电")
    url = reverse("api-v1-script-detail", args=[version.script_id])
    answer = client_for(users["manager"]).get(url, {"order": order.number})
    assert answer.status_code == 200, answer.json()
    data = answer.json()
    assert data["text"] == f"张*您好，工单{order.number}，恢复【未知：预计恢复时间】"
    assert data["missing"] == ["outage_etr"]
    assert any(p["placeholder"] == "customer_name" and not p["missing"] for p in data["parts"])
    by_id = client_for(users["manager"]).get(url, {"order": str(order.pk)})
    assert by_id.status_code == 200 and by_id.json()["text"] == data["text"]


@time_machine.travel(DAY, tick=False)
def test_the_api_answers_unknown_and_invisible_orders_with_404(users, published_script, order_on_site):
    version = published_script()
    order = order_on_site("家里没电")
    url = reverse("api-v1-script-detail", args=[version.script_id])
    assert client_for(users["agent"]).get(url, {"order": "NO-SUCH"}).status_code == 404
    assert client_for(users["agent"]).get(url, {"order": "9" * 20}).status_code == 404
    assert client_for(users["west_repair"]).get(url, {"order": str(order.pk)}).status_code == 404
    assert client_for(users["west_repair"]).get(url, {"order": order.number}).status_code == 404
    assert client_for(users["agent"]).get(url, {"order": "x" * 50}).status_code == 400
    assert client_for(users["agent"]).get(url, {"version": "abc"}).status_code == 400
    assert client_for(users["agent"]).get(reverse("api-v1-script-detail", args=[999999])).status_code == 404


@pytest.mark.parametrize(
    "params, field",
    [
        ({"kind": "nope"}, "kind"),
        ({"topic": "nope"}, "topic"),
        ({"q": "字" * 101}, "q"),
        ({"state": "nope"}, "state"),
    ],
)
def test_the_list_api_answers_bad_filters_with_400(users, params, field):
    answer = client_for(users["agent"]).get(reverse("api-v1-scripts"), params)
    assert answer.status_code == 400 and field in answer.json()["error"]["fields"]


def test_the_list_api_filters_the_seeded_scripts(users):
    answer = client_for(users["agent"]).get(reverse("api-v1-scripts"), {"kind": "forbidden"})
    rows = answer.json()["results"]
    assert answer.status_code == 200 and rows and {r["kind"] for r in rows} == {"forbidden"}


def test_at_least_25_seeded_scripts_cover_every_situation():
    rows = ScriptVersion.objects.filter(state="published")
    assert rows.count() >= 25
    assert {v.kind for v in rows} == {
        "opening",
        "questions",
        "notice",
        "outage",
        "apology",
        "closing",
        "forbidden",
    }
    assert all(not rules.unknown_placeholders(v.body) for v in rows)


@time_machine.travel(DAY, tick=False)
def test_the_resolve_api_cites_a_script_and_refuses_a_draft(
    users, order_on_site, published_script, make_script
):
    version, draft = published_script(), make_script("测：草稿")
    order = order_on_site("停电")
    api = client_for(users["repair"])
    url = reverse("api-v1-workorder-resolve", args=[order.number])
    refused = api.post(url, {"result": "已处理", "script": draft.pk, "version": order.version}, format="json")
    assert refused.status_code == 400 and "script" in refused.json()["error"]["fields"]
    done = api.post(url, {"result": "已处理", "script": version.pk, "version": order.version}, format="json")
    assert done.status_code == 200
    assert ScriptCitation.objects.get(order=order).version_id == version.pk


def test_the_intake_panel_lists_the_cases_that_fit_what_is_picked_and_said(client, users, published):
    """Beside the scripts, the published cases for the call: its sub-type's first, then those whose
    text is closest to what the caller said."""
    fits = published("表箱起火后次日才恢复送电")
    meter = published(
        "电能表走得快的疑问",
        area=topic("metering"),
        business_type="consult",
        sub_type=None,
        situation="客户怀疑电能表计量偏快，要求校验。",
        findings="校验合格。",
        tags=["电能表校验"],
    )
    client.force_login(users["agent"])
    url = reverse("knowledge:intake_scripts")
    chosen = {"business_type": "complaint", "sub_type": "complaint_attitude"}
    picked = client.get(url, chosen).content.decode()
    assert "相关案例" in picked and fits.title in picked and meter.title not in picked.split(fits.title)[0]
    said = client.get(url, {"description": "我家电能表走得太快了，想校验一下"}).content.decode()
    assert meter.title in said and fits.title not in said
    assert "暂无相关案例" in client.get(url, {"description": "，。！"}).content.decode()
