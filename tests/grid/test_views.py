"""The tree page with its customer counts, and the administrator's import and export page."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from powerdesk.customers.supply import customer_counts
from powerdesk.grid.extensions import tree_columns
from powerdesk.grid.models import Device
from tests.factories import UnitFactory, UserFactory
from tests.grid import topology

pytestmark = pytest.mark.django_db


@pytest.fixture
def net():
    return topology.build()


def login(client, role: str):
    user = UserFactory.with_role(role, UnitFactory())
    client.force_login(user)
    return user


def test_the_customers_app_counts_customers_in_the_tree(net):
    assert tree_columns.get("customers.count") is not None
    counts = customer_counts([net["S1"], net["F1"], net["FU1"], net["T3"], net["T3-M0"]])
    assert counts == {net["S1"].pk: 4, net["F1"].pk: 3, net["FU1"].pk: 2, net["T3"].pk: 1, net["T3-M0"].pk: 1}


def test_the_tree_shows_the_roots_and_opens_a_node_on_demand(client, net):
    login(client, "agent")
    page = client.get(reverse("grid:tree")).content.decode()
    assert "S1" in page and reverse("grid:children", args=[net["S1"].pk]) in page and "F1" not in page
    below = client.get(reverse("grid:children", args=[net["SW1"].pk])).content.decode()
    assert "FU1" in below and "T2" in below and "用户数 1" in below and "用户数 2" in below
    assert "台区经理" in below  # the public transformer names its 台区 and manager


def test_only_the_administrator_imports(client, net):
    login(client, "dispatcher")
    assert client.get(reverse("grid:exchange")).status_code == 403
    assert client.get(reverse("grid:export")).status_code == 403


def test_an_import_with_errors_lists_them_and_writes_nothing(client, net):
    login(client, "admin")
    before = Device.objects.count()
    upload = SimpleUploadedFile(
        "grid.csv",
        b"code,name,kind,parent_code,ownership,area_code\nS1,X,substation,,,\nZ,Z,lamp,,,\nY,Y,feeder,NOPE,,\n",
    )
    page = client.post(reverse("grid:exchange"), {"file": upload}).content.decode()
    assert "未导入任何数据" in page and "lamp" in page and page.count("<tr>") == 3
    assert Device.objects.count() == before


def test_export_and_import_again_through_the_page(client, net):
    login(client, "admin")
    exported = client.get(reverse("grid:export")).content
    assert exported.decode("utf-8-sig").splitlines()[0] == "code,name,kind,parent_code,ownership,area_code"
    upload = SimpleUploadedFile("grid.csv", exported)
    page = client.post(reverse("grid:exchange"), {"file": upload}).content.decode()
    assert "新增 0 个" in page
    xlsx = client.get(reverse("grid:export") + "?format=xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_customer_page_shows_the_supply_path_with_the_area_manager(client, net):
    user = login(client, "manager")
    customer = net.customers["T1-M0"]
    user.unit = customer.area.parent or customer.area
    user.save()
    page = re.sub(
        r"<[^>]+>", "", client.get(reverse("customers:detail_id", args=[customer.pk])).content.decode()
    )
    assert "供电路径" in page and "S1 → F1 → SW1 → FU1 → T1" in page and "台区经理 李台区" in page
