"""The Excel exports: the writer's cells and formats, the order list with the list's filters and the
reader's masking, the quality table, the audit trail, and the background job (progress, file, who may
download, expiry)."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse

from powerdesk.audit.models import AuditEntry
from powerdesk.core import clock
from powerdesk.core.masking import mask_phone
from powerdesk.core.xlsx import DATE, DATETIME, INTEGER, PERCENT, Column, write_xlsx
from powerdesk.exports import services
from powerdesk.exports.models import ExportJob, ExportSettings, ExportState
from tests.console.conftest import intake
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def export_root(settings, tmp_path):
    settings.POWERDESK_EXPORT_ROOT = tmp_path / "exports"
    return settings.POWERDESK_EXPORT_ROOT


def book(content: bytes):
    return openpyxl.load_workbook(io.BytesIO(content)).active


def test_the_writer_freezes_a_bold_header_and_formats_each_kind():
    out = io.BytesIO()
    at = dt.datetime(2026, 3, 1, 16, 30, tzinfo=dt.UTC)  # 00:30 on 2 March in Beijing
    columns = [
        Column("编号"),
        Column("次数", INTEGER),
        Column("比例", PERCENT),
        Column("日期", DATE),
        Column("时间", DATETIME),
    ]
    written = write_xlsx(
        out,
        title="测试",
        columns=columns,
        rows=[["=HYPERLINK(1)", 3, 0.25, dt.date(2026, 3, 2), at], ["A2", None, None, None, None]],
    )
    sheet = book(out.getvalue())
    assert written == 2
    assert sheet.title == "测试" and sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[1]] == ["编号", "次数", "比例", "日期", "时间"]
    assert sheet["A1"].font.b
    first = sheet[2]
    assert first[0].value == "=HYPERLINK(1)" and first[0].data_type == "s"  # text, never a formula
    assert first[1].value == 3 and first[1].data_type == "n"
    assert (first[2].value, first[2].number_format) == (0.25, "0.0%")
    assert first[3].number_format == "yyyy-mm-dd"
    assert first[4].value == dt.datetime(2026, 3, 2, 0, 30)  # wall-clock time in Asia/Shanghai
    assert first[4].number_format == "yyyy-mm-dd hh:mm"
    assert [c.value for c in sheet[3]] == ["A2", None, None, None, None]


def export(client, code, query=""):
    return client.post(reverse("exports:start", args=[code]), {"query": query})


def order_rows(response):
    sheet = book(b"".join(response.streaming_content))
    header = [c.value for c in sheet[1]]
    return header, [
        dict(zip(header, [c.value for c in row], strict=True)) for row in sheet.iter_rows(min_row=2)
    ]


def test_the_order_list_export_uses_the_lists_filters_and_the_readers_masking(login, users, customer):
    order = intake(users["agent"], customer)
    intake(users["agent"], customer, description="电表显示异常", force_new=True, override_reason="另一件事")
    response = export(login(users["agent"]), "orders", f"queue=all&q={order.number}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    header, rows = order_rows(response)
    assert header[:3] == ["工单编号", "业务类型", "业务子类"]
    assert [r["工单编号"] for r in rows] == [order.number]
    # The agent sees the caller's number in full; the manager masked, in the file as on the page.
    assert rows[0]["来电号码"] == customer.primary_phone
    local = order.created_at.astimezone(clock.BUSINESS_TZ).replace(tzinfo=None)
    assert abs(rows[0]["受理时间"] - local) < dt.timedelta(seconds=1)  # Beijing wall-clock time
    _header, managed = order_rows(export(login(users["manager"]), "orders", f"queue=all&q={order.number}"))
    assert managed[0]["来电号码"] == mask_phone(customer.primary_phone) != customer.primary_phone
    assert "张三" not in [v for r in managed for v in r.values()]
    entry = AuditEntry.objects.filter(kind="export", target="workorders.workorder").latest("at")
    assert entry.data["rows"] == 1 and entry.data["filters"]["q"] == order.number


def test_a_unit_sees_only_its_own_orders_in_the_file(login, users, customer, west_customer):
    east = intake(users["agent"], customer)
    west = intake(users["agent"], west_customer)
    from powerdesk.workorders import services as s

    s.workorder_dispatch(
        order=east, actor=users["dispatcher"], unit=east.customer.area.parent, expected_version=east.version
    )
    s.workorder_dispatch(
        order=west, actor=users["dispatcher"], unit=west.customer.area.parent, expected_version=west.version
    )
    _header, rows = order_rows(export(login(users["repair"]), "orders", "queue=all"))
    assert [r["工单编号"] for r in rows] == [east.number]


def test_invalid_filters_export_nothing_and_say_why(login, users):
    response = export(login(users["agent"]), "orders", "queue=all&date_from=2026-13-45")
    assert response.status_code == 302 and response["Location"].startswith(reverse("workorders:list"))
    assert not AuditEntry.objects.filter(kind="export").exists()


def test_an_unknown_export_is_404_and_a_role_without_the_list_403(login, users):
    assert export(login(users["agent"]), "nothing").status_code == 404
    assert export(login(users["agent"]), "audit").status_code == 403
    assert export(login(users["agent"]), "quality").status_code == 403


def test_a_long_list_is_a_background_job_with_progress_a_file_and_an_expiry(login, users, customer):
    ExportSettings.objects.update(background_rows=1)
    for n in range(3):
        intake(users["agent"], customer, description=f"第{n}件事", force_new=True, override_reason="另一件事")
    client = login(users["agent"])
    response = export(client, "orders", "queue=all")
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("exports:detail", args=[job.pk])
    # Deferred to the worker on the exports queue, in the request's transaction.
    from procrastinate.contrib.django.models import ProcrastinateJob

    queued = ProcrastinateJob.objects.filter(
        queue_name="exports", task_name="powerdesk.exports.tasks.export_write"
    )
    assert [j.args for j in queued] == [{"job_id": job.pk}]
    # The same click again while it waits: the same job.
    assert export(client, "orders", "queue=all")["Location"] == response["Location"]
    assert ExportJob.objects.count() == 1
    page = client.get(reverse("exports:status", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in page and "<progress" in page

    services.export_write_job(job_id=job.pk)  # what the worker runs (the task wraps it)

    job.refresh_from_db()
    assert (job.state, job.rows_done, job.rows_total) == (ExportState.DONE, 3, 3)
    page = client.get(reverse("exports:status", args=[job.pk])).content.decode()
    assert "hx-trigger" not in page and reverse("exports:download", args=[job.pk]) in page
    download = client.get(reverse("exports:download", args=[job.pk]))
    assert download.status_code == 200
    _header, rows = order_rows(download)
    assert len(rows) == 3
    # Only the requester, or an administrator.
    assert login(users["dispatcher"]).get(reverse("exports:download", args=[job.pk])).status_code == 404
    admin = UserFactory.with_role("admin", users["agent"].unit, username="admin")
    assert login(admin).get(reverse("exports:download", args=[job.pk])).status_code == 200
    # Expired: the file is deleted and the download is gone.
    path = services.export_file(job)
    assert path is not None and path.exists()
    assert services.exports_expire(now=job.expires_at - dt.timedelta(seconds=1)) == 0
    assert services.exports_expire(now=job.expires_at) == 1
    job.refresh_from_db()
    assert job.state == ExportState.EXPIRED and not path.exists()
    assert login(users["agent"]).get(reverse("exports:download", args=[job.pk])).status_code == 404


def test_a_job_run_again_after_it_finished_changes_nothing(users, customer, rf):
    ExportSettings.objects.update(background_rows=0)
    intake(users["agent"], customer)
    from django.http import QueryDict

    answer = services.export_request(user=users["agent"], code="orders", params=QueryDict("queue=all"))
    assert answer.job is not None
    first = services.export_write_job(job_id=answer.job.pk)
    assert first is not None and first.state == ExportState.DONE
    assert services.export_write_job(job_id=answer.job.pk) is None


def test_a_user_who_lost_the_right_gets_a_failed_job(users):
    ExportSettings.objects.update(background_rows=0)
    auditor = UserFactory.with_role("auditor", users["agent"].unit, username="auditor")
    from django.http import QueryDict

    answer = services.export_request(user=auditor, code="audit", params=QueryDict(""))
    assert answer.job is not None
    auditor.role = users["agent"].role
    auditor.save()
    job = services.export_write_job(job_id=answer.job.pk)
    assert job is not None and job.state == ExportState.FAILED and job.error


def test_the_rectification_list_as_excel_marks_overdue_ones(login, users, customer):
    from powerdesk.complaints.models import Rectification

    order = intake(users["agent"], customer, business_type="complaint", topic_code="communication")
    Rectification.objects.create(
        order=order,
        unit=users["repair"].unit,
        owner=users["repair"],
        task="服务用语培训",
        due_date=clock.local_date() - dt.timedelta(days=1),
        created_at=clock.now(),
    )
    response = export(login(users["manager"]), "rectifications", "state=open")
    sheet = book(b"".join(response.streaming_content))
    header = [c.value for c in sheet[1]]
    row = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert (row["工单编号"], row["整改内容"], row["逾期"]) == (order.number, "服务用语培训", "逾期")
    assert sheet["E2"].number_format == "yyyy-mm-dd"
    assert export(login(users["manager"]), "rectifications", "state=nonsense").status_code == 302


def test_the_outage_list_as_excel(login, users):
    from powerdesk.grid.services import device_create
    from powerdesk.outages.services import outage_create

    substation = device_create(code="S1", name="城东变", kind="substation")
    feeder = device_create(code="F1", name="城东线", kind="feeder", parent=substation)
    outage = outage_create(actor=users["dispatcher"], kind="fault", title="城东线跳闸", devices=[feeder])
    response = export(login(users["agent"]), "outages", "")
    sheet = book(b"".join(response.streaming_content))
    header = [c.value for c in sheet[1]]
    row = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert (row["停电编号"], row["标题"], row["影响户数"]) == (outage.number, "城东线跳闸", 0)
    assert sheet.max_row == 2
