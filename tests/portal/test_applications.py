"""Applications started and tracked in the portal: the document list up front and recorded as told by the
portal, uploads checked on their content, one application per form however often it is posted, the
proof the account-changing kinds need, another customer's application out of reach, the tracking page,
and the step SMS reaching the customer."""

from __future__ import annotations

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from powerdesk.applications.models import Application, DocumentReceipt, StepState
from powerdesk.applications.services import application_start, application_step_complete
from powerdesk.notify.models import Notification
from powerdesk.portal.models import OwnershipProof, PortalApplication, ProofState
from powerdesk.portal.services import proof_confirm_in_hall
from powerdesk.workorders.models import Attachment
from powerdesk.workorders.services import workorder_dispatch
from tests.applications.conftest import receive_all
from tests.portal.conftest import read_code
from tests.workorders.test_attachments import png_bytes

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def pdf(name: str = "身份证.pdf", content: bytes = PDF, content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def form(customer, **extra) -> dict:
    return {"customer": customer.account_no, "description": "", "submission": str(uuid.uuid4()), **extra}


def test_the_kinds_page_lists_every_document_up_front(portal):
    page = portal.get(reverse("portal:apply_kinds")).content.decode()
    assert "低压居民新装" in page and "过户" in page
    assert "高压双电源新装" not in page  # not a kind the portal may start (data)
    assert "申请人有效身份证明" in page and "房屋产权证明或使用证明" in page


def test_a_customer_starts_a_residential_connection_with_a_document(portal, customer):
    url = reverse("portal:apply", args=["lv_resident"])
    page = portal.get(url).content.decode()
    assert "一次性告知" in page
    assert "申请人有效身份证明" in page and "房屋产权证明或使用证明" in page
    answer = portal.post(url, form(customer, doc_id_card=pdf()))
    assert answer.status_code == 302, answer.content.decode()[:800]
    application = Application.objects.get()
    order = application.order
    assert answer["Location"] == reverse("portal:order", args=[order.number]) + "?submitted=1"
    assert order.channel == "portal"
    assert order.customer == customer
    assert application.notice_channel == "portal"
    assert application.notice_documents == ["id_card", "property_proof"]
    receipt = DocumentReceipt.objects.get(application=application)
    assert receipt.document.code == "id_card"
    assert receipt.attachment.original_name == "身份证.pdf"
    assert PortalApplication.objects.get().account.phone == "13812345678"


def test_the_same_form_posted_twice_starts_one_application(portal, customer):
    url = reverse("portal:apply", args=["lv_resident"])
    data = form(customer)
    first = portal.post(url, {**data, "doc_id_card": pdf()})
    second = portal.post(url, {**data, "doc_id_card": pdf()})
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Application.objects.count() == 1
    assert DocumentReceipt.objects.count() == 1
    assert Attachment.objects.count() == 1


@pytest.mark.parametrize(
    "upload",
    [
        pytest.param(lambda: pdf("身份证.jpg", PDF, "image/jpeg"), id="a PDF named .jpg"),
        pytest.param(lambda: pdf("身份证.png", png_bytes(), "image/jpeg"), id="a PNG declared a JPEG"),
        pytest.param(lambda: pdf("空.pdf", b""), id="empty"),
        pytest.param(lambda: pdf("程序.pdf", b"MZ\x90\x00" + b"\x00" * 64), id="not a PDF inside"),
    ],
)
def test_uploads_are_checked_on_their_content_before_anything_starts(portal, customer, upload):
    answer = portal.post(reverse("portal:apply", args=["lv_resident"]), form(customer, doc_id_card=upload()))
    assert answer.status_code == 400
    assert "pfielderror" in answer.content.decode()
    assert not Application.objects.exists()
    assert not Attachment.objects.exists()


def test_a_file_too_big_is_refused(portal, customer, settings):
    from powerdesk.workorders.models import AttachmentRule

    limit = AttachmentRule.objects.get(kind="document").max_size_mb
    big = pdf(content=PDF + b"0" * (limit * 1024 * 1024))
    answer = portal.post(reverse("portal:apply", args=["lv_resident"]), form(customer, doc_id_card=big))
    assert answer.status_code == 400
    assert not Application.objects.exists()


def test_a_kind_the_portal_may_not_start_is_not_found(portal, customer):
    assert portal.get(reverse("portal:apply", args=["hv_dual"])).status_code == 404
    assert portal.post(reverse("portal:apply", args=["hv_dual"]), form(customer)).status_code == 404
    assert not Application.objects.exists()


def test_a_transfer_needs_the_code_sent_to_the_accounts_phone(portal, customer):
    customer.phones.update(number="13600002222")  # registered on the account: not the signed-in phone
    url = reverse("portal:apply", args=["transfer"])
    page = portal.get(url).content.decode()
    assert "户主身份核验" in page and "发送验证码到户号登记手机" in page
    refused = portal.post(url, form(customer))
    assert refused.status_code == 400
    assert "须先核验您是该户号的户主" in refused.content.decode()
    assert not Application.objects.exists()

    portal.post(reverse("portal:apply_proof", args=["transfer"]), {"customer": customer.account_no})
    sms = Notification.objects.get(template__code="portal_proof_code")
    assert sms.recipient_address == "13600002222"
    wrong = portal.post(
        reverse("portal:apply_proof_code", args=["transfer"]), {"customer": customer.account_no, "code": "x"}
    )
    assert wrong.status_code == 400
    right = portal.post(
        reverse("portal:apply_proof_code", args=["transfer"]),
        {"customer": customer.account_no, "code": read_code(sms)},
    )
    assert right.status_code == 302
    assert "已于" in portal.get(url + f"?customer={customer.account_no}").content.decode()
    started = portal.post(url, form(customer))
    assert started.status_code == 302
    assert Application.objects.get().kind.code == "transfer"


def test_a_proof_for_one_kind_does_not_open_another(portal, customer):
    portal.post(reverse("portal:apply_proof", args=["transfer"]), {"customer": customer.account_no})
    code = read_code(Notification.objects.get(template__code="portal_proof_code"))
    portal.post(
        reverse("portal:apply_proof_code", args=["transfer"]), {"customer": customer.account_no, "code": code}
    )
    assert portal.post(reverse("portal:apply", args=["rename"]), form(customer)).status_code == 400
    assert not Application.objects.exists()


def test_closing_an_account_waits_for_the_hall_clerk(portal, customer, users):
    url = reverse("portal:apply", args=["close"])
    page = portal.get(url).content.decode()
    assert "到营业厅核验身份" in page
    assert portal.post(url, form(customer)).status_code == 400
    portal.post(reverse("portal:apply_proof", args=["close"]), {"customer": customer.account_no})
    portal.post(reverse("portal:apply_proof", args=["close"]), {"customer": customer.account_no})
    proof = OwnershipProof.objects.get()  # asked twice: one waits
    assert proof.state == ProofState.PENDING and proof.method == "hall"
    assert "等待工作人员核对证件" in portal.get(url).content.decode()
    proof_confirm_in_hall(proof=proof, actor=users["agent"], note="核对身份证原件")
    assert portal.post(url, form(customer)).status_code == 302
    assert Application.objects.get().kind.code == "close"


def test_another_customers_application_is_not_found(portal, users, west_customer):
    theirs = application_start(
        actor=users["agent"],
        kind=Application._meta.get_field("kind").related_model.objects.get(code="lv_resident"),
        customer=west_customer,
        channel="hall",
        notice_channel="printed",
    )
    number = theirs.order.number
    assert portal.get(reverse("portal:order", args=[number])).status_code == 404
    upload = portal.post(
        reverse("portal:order_document", args=[number]), {"document": "id_card", "file": pdf()}
    )
    assert upload.status_code == 404
    assert not DocumentReceipt.objects.exists()
    # an account not bound to the customer cannot be chosen on the start form either
    answer = portal.post(reverse("portal:apply", args=["lv_resident"]), form(west_customer))
    assert answer.status_code == 400
    assert Application.objects.count() == 1


def _started(portal, customer) -> Application:
    portal.post(reverse("portal:apply", args=["lv_business"]), form(customer, doc_id_card=pdf()))
    return Application.objects.select_related("order").get()


def _answer_scheme(application: Application, users, county, result: str) -> None:
    """The dispatcher sends the order to the east station, whose handler answers the supply scheme."""
    if application.order.status == "accepted":
        workorder_dispatch(order=application.order, actor=users["dispatcher"], unit=county.east)
    step = application.steps.get(state=StepState.ACTIVE)
    receive_all(step, users["handler"])  # what the customer did not upload, handed in at the hall
    application_step_complete(step=step, actor=users["handler"], result=result)


def test_the_order_page_tracks_the_application_in_the_customers_terms(portal, customer, users, county):
    application = _started(portal, customer)
    page = portal.get(reverse("portal:order", args=[application.order.number])).content.decode()
    assert "低压非居民新装办理进度" in page
    assert "供电方案答复" in page and "正在办理" in page and "前完成" in page
    assert "客户内部工程施工" in page and "下一步，由您办理" in page
    assert "竣工检验" in page and "下一步，2 个工作日内完成" in page
    assert "全程时限" in page and "您的等待用时" in page
    received, missing = page.split("已收到的资料")[1].split("还需提交的资料")
    assert "申请人有效身份证明" in received
    assert "营业执照或组织机构证明" in missing and "受电工程竣工报告" in missing
    assert "申请人有效身份证明" not in missing

    _answer_scheme(application, users, county, "方案已答复，请按方案施工")
    page = portal.get(reverse("portal:order", args=[application.order.number])).content.decode()
    assert "您的申请已受理，所需资料已一次告知" in page and "一个办理环节已完成" in page
    assert "已完成" in page and "方案已答复，请按方案施工" in page
    assert "待您办理" in page and "等待您办理期间暂停计时" in page


def test_an_order_suspended_on_the_utility_side_is_not_shown_as_waiting_on_the_customer(
    portal, customer, users, county
):
    from powerdesk.workorders.services import workorder_suspend

    application = _started(portal, customer)
    order = workorder_dispatch(order=application.order, actor=users["dispatcher"], unit=county.east)
    workorder_suspend(
        order=order, actor=users["dispatcher"], reason="客户要求暂缓", reason_code="customer_postpone"
    )
    page = portal.get(reverse("portal:order", args=[application.order.number])).content.decode()
    assert "暂停处理期间暂停计时" in page and "等待您办理期间暂停计时" not in page


def test_the_customer_uploads_a_missing_document(portal, customer):
    application = _started(portal, customer)
    url = reverse("portal:order_document", args=[application.order.number])
    bad = portal.post(url, {"document": "business_license", "file": pdf("执照.pdf", b"not a pdf")})
    assert bad.status_code == 400
    already = portal.post(url, {"document": "id_card", "file": pdf()})  # received: not missing any more
    assert already.status_code == 400
    good = portal.post(url, {"document": "business_license", "file": pdf("执照.pdf")})
    assert good.status_code == 302
    codes = set(DocumentReceipt.objects.values_list("document__code", flat=True))
    assert codes == {"id_card", "business_license"}
    page = portal.get(reverse("portal:order", args=[application.order.number])).content.decode()
    assert "营业执照或组织机构证明" in page.split("已收到的资料")[1].split("还需提交的资料")[0]


def test_the_customer_gets_an_sms_at_each_step(portal, customer, users, county):
    application = _started(portal, customer)
    first = Notification.objects.filter(template__code="application_step", order=application.order)
    assert first.count() == 1
    assert first.get().recipient_address == "13812345678"
    assert first.get().state != "suppressed"
    _answer_scheme(application, users, county, "方案已答复")
    sent = Notification.objects.filter(template__code="application_step", order=application.order)
    assert sent.count() == 2
    assert "客户内部工程施工" in sent.order_by("id").last().context["step"]
