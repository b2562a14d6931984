"""Telling others: the marketing system (营销系统) hears of each completed step through a job deferred in
the step's transaction (outbox transport in tests and the demo, HTTP in production), and the customer gets
an SMS at each step (notify's enqueue path: quiet hours and opt-outs apply)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from procrastinate.contrib.django.models import ProcrastinateJob

from powerdesk.applications import integration
from powerdesk.applications.integration import HttpMarketingTransport, OutboxMarketingTransport
from powerdesk.notify.models import Notification, NotificationState
from powerdesk.notify.transports import PermanentError, TransientError
from powerdesk.workorders import extensions as ext
from tests.applications.conftest import at, complete, step

pytestmark = pytest.mark.django_db


def test_the_applications_app_is_connected_at_every_point_it_uses():
    panels = {e.name: e.value for e in ext.order_panels.entries()}
    assert panels["applications.panel"].slot == "aside"
    assert ext.detail_fields.get("application") is not None
    kinds = {e.name for e in ext.event_kinds.entries()}
    assert {
        "app_started",
        "app_step_done",
        "app_step_returned",
        "app_doc_requested",
        "app_doc_received",
    } <= kinds
    assert "applications.events" in {e.name for e in ext.event_presenters.entries()}


def test_a_completed_step_defers_the_marketing_job_and_the_outbox_records_it_once(
    start, users, tmp_path, settings
):
    settings.POWERDESK_NOTIFY_OUTBOX = tmp_path
    application = start("rename")
    verify = step(application, "verify")
    complete(verify, users["handler"], at(2026, 11, 17), result="资料齐全")
    [job] = ProcrastinateJob.objects.filter(task_name="powerdesk.applications.tasks.notify_marketing")
    assert job.args == {"step_id": verify.pk}
    integration.marketing_send(step_id=verify.pk)
    integration.marketing_send(step_id=verify.pk)  # a retry after a crash: written once
    [line] = (tmp_path / "marketing.jsonl").read_text(encoding="utf-8").splitlines()
    message = json.loads(line)
    assert message["step"] == "verify" and message["result"] == "资料齐全"
    assert message["account_no"] == application.order.customer.account_no and message["completed"] is False


def test_the_customer_gets_an_sms_when_each_step_starts_and_when_it_is_done(start, users):
    application = start("rename")
    complete(step(application, "verify"), users["handler"], at(2026, 11, 17, 11))
    complete(step(application, "change"), users["handler"], at(2026, 11, 17, 15))
    sms = Notification.objects.filter(order=application.order, template__code="application_step").order_by(
        "id"
    )
    assert [n.context["step"] for n in sms] == ["资料审核", "营销系统变更", ""]
    assert sms.last().context["completed"] is True
    assert all(n.state == NotificationState.PENDING and n.recipient_address == "13812345678" for n in sms)
    assert "已全部办结" in sms.last().template.render(sms.last().context)[1]


class _Gateway(BaseHTTPRequestHandler):
    answers: list[int] = []
    seen: list[dict] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Gateway.seen.append({"body": json.loads(body), "key": self.headers["Idempotency-Key"]})
        code = _Gateway.answers.pop(0)
        self.send_response(code)
        self.end_headers()
        self.wfile.write(b'{"id": "mk-1"}')

    def log_message(self, *args):
        return


def test_the_http_transport_posts_json_and_sorts_errors():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Gateway)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/steps"
        transport = HttpMarketingTransport(url=url, api_key="k")
        _Gateway.answers[:] = [200, 503, 400]
        assert transport.send({"id": "step-1", "step": "verify"}) == "mk-1"
        assert _Gateway.seen[0] == {"body": {"id": "step-1", "step": "verify"}, "key": "step-1"}
        with pytest.raises(TransientError):
            transport.send({"id": "step-2"})
        with pytest.raises(PermanentError):
            transport.send({"id": "step-3"})
    finally:
        server.shutdown()
    with pytest.raises(PermanentError):
        HttpMarketingTransport(url="", api_key="").send({"id": "x"})


def test_the_outbox_writes_each_message_once(tmp_path):
    outbox = OutboxMarketingTransport(outbox=tmp_path)
    outbox.send({"id": "step-9"})
    outbox.send({"id": "step-9"})
    assert len((tmp_path / "marketing.jsonl").read_text().splitlines()) == 1
