"""In a real browser: a list longer than the export threshold becomes a background job; its page shows the
progress bar while the job waits, the worker (a real Procrastinate worker on the ``exports`` queue, as
``powerdesk worker`` runs it) writes the file, the bar reaches 100 % by htmx's polling, and the download
link gives the workbook, whose cells are checked."""

from __future__ import annotations

import re
import subprocess
import sys

import openpyxl
import pytest

from powerdesk import launcher
from tests.e2e.conftest import give_password, shot
from tests.e2e.test_order_lifecycle import login
from tests.factories import AreaFactory, CustomerFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.e2e

ORDERS = 3


@pytest.fixture
def desk(transactional_db):
    from powerdesk.exports.models import ExportSettings
    from powerdesk.workorders import services as s
    from powerdesk.workorders.models import SubType, Topic

    county = UnitFactory(code="E2X", name="青溪县供电公司", kind="county")
    east = UnitFactory(code="E2X-E", name="东桥供电所", parent=county)
    area = AreaFactory(code="E2X-E-01", name="和平路1号台区", parent=east)
    manager = UserFactory.with_role("manager", county, username="manager", full_name="管理员工")
    give_password(manager)
    numbers = []
    for i in range(ORDERS):
        customer = CustomerFactory(area=area, phone=f"1381234570{i}", name=f"客户{i}", address=f"和平路{i}号")
        answer = s.workorder_intake(
            actor=manager,
            business_type="repair",
            sub_type=SubType.objects.get(code="repair_lv"),
            topic=Topic.objects.get(code="fault_repair"),
            channel="95598",
            description=f"第{i}户家里没电了",
            customer=customer,
        )
        numbers.append(answer.order.number)
    # Anything longer than one row goes to the background.
    ExportSettings.objects.update(background_rows=1)
    return sorted(numbers)


def run_worker_once() -> None:
    """A Procrastinate worker on the exports queue, against the test database, until the queue is empty."""
    from django.db import connection

    env = {
        **launcher.environ(launcher.Role.APP),
        "POWERDESK_DB_NAME": connection.settings_dict["NAME"],
        "DJANGO_SETTINGS_MODULE": "powerdesk.settings",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    subprocess.run(
        [sys.executable, "-m", "powerdesk.cli", "worker", "--queues", "exports", "--one-shot"],
        env=env,
        check=True,
        timeout=120,
    )


def test_a_long_export_shows_its_progress_and_then_the_download(server, page, desk, tmp_path):
    login(page, server, "manager")
    page.goto(f"{server}/orders/?queue=all")
    page.locator("form.export button").click()
    page.wait_for_url(re.compile(r"/exports/\d+/$"))
    status = page.locator("#export-status")
    # Waiting for the worker: the bar at 0 and the rows to write.
    progress = status.locator("progress")
    progress.wait_for()
    assert progress.get_attribute("value") == "0"
    assert f"0 / {ORDERS} 行" in status.inner_text()
    shot(page, "export-progress-queued")

    run_worker_once()

    # htmx asks for the status every 2 s: the bar reaches 100 % and the link appears.
    link = page.locator("#export-status a", has_text="下载文件")
    link.wait_for(timeout=30000)
    assert page.locator("#export-status progress").get_attribute("value") == "100"
    assert f"{ORDERS} / {ORDERS} 行" in page.locator("#export-status").inner_text()
    shot(page, "export-progress-done")
    with page.expect_download() as info:
        link.click()
    path = tmp_path / "orders.xlsx"
    info.value.save_as(path)
    sheet = openpyxl.load_workbook(path).active
    assert sheet.freeze_panes == "A2"
    header = [c.value for c in sheet[1]]
    number = header.index("工单编号")
    assert sorted(row[number].value for row in sheet.iter_rows(min_row=2)) == desk
