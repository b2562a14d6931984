"""Evidence files on an order: checked against the attachment rules, stored, and logged on the timeline."""

from __future__ import annotations

import hashlib
import struct
import zlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, transaction

from powerdesk.core.errors import NotFound, NotPermitted, ValidationFailed
from powerdesk.workorders.attachments import attachment_add
from powerdesk.workorders.choices import EventKind
from powerdesk.workorders.models import Attachment, AttachmentRule
from tests.factories import UserFactory
from tests.workorders.helpers import events_of, fresh, intake


def png_bytes(width: int = 2, height: int = 2) -> bytes:
    """A real (tiny, grey) PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def order(users, customer):
    return intake(users, customer)


def upload(name: str = "现场照片.png", content: bytes | None = None, content_type: str = "image/png"):
    return SimpleUploadedFile(name, png_bytes() if content is None else content, content_type=content_type)


def test_it_stores_an_accepted_photo_and_logs_it(users, order, media):
    content = png_bytes()

    att = attachment_add(
        order=order, actor=users["agent"], kind="photo", upload=upload(content=content), request_id="up-1"
    )

    assert (att.kind, att.original_name, att.content_type, att.size) == (
        "photo",
        "现场照片.png",
        "image/png",
        len(content),
    )
    assert att.sha256 == hashlib.sha256(content).hexdigest()
    stored = media / att.file.name
    assert stored.read_bytes() == content
    assert att.file.name.startswith(f"orders/{order.number}/")
    event = events_of(order)[-1]
    assert (event.kind, event.actor, event.note, event.request_id) == (
        EventKind.ATTACHMENT,
        users["agent"],
        "现场照片.png",
        "up-1",
    )
    assert event.data == {"attachment": att.pk, "kind": "photo", "size": len(content), "sha256": att.sha256}
    assert fresh(order).version == order.version + 1


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("photo.exe", "image/png"),  # extension not allowed
        ("photo.png", "application/x-msdownload"),  # content type not allowed
        ("photo.pdf", "application/pdf"),  # a document is not a photo
    ],
)
def test_it_refuses_a_file_of_the_wrong_type(users, order, name, content_type):
    with pytest.raises(ValidationFailed) as exc:
        attachment_add(
            order=order, actor=users["agent"], kind="photo", upload=upload(name, content_type=content_type)
        )

    assert "file" in exc.value.fields
    assert "文件类型" in exc.value.message
    assert not Attachment.objects.exists()


def test_it_refuses_a_file_whose_content_does_not_match_its_extension(users, order):
    fake = b"MZ\x90\x00" + b"\x00" * 200  # an executable renamed to .png

    with pytest.raises(ValidationFailed) as exc:
        attachment_add(order=order, actor=users["agent"], kind="photo", upload=upload(content=fake))

    assert "内容与扩展名不符" in exc.value.message
    assert not Attachment.objects.exists()


def test_it_refuses_a_jpeg_named_png(users, order):
    jpeg_head = b"\xff\xd8\xff\xe0" + b"\x00" * 100

    with pytest.raises(ValidationFailed):
        attachment_add(order=order, actor=users["agent"], kind="photo", upload=upload(content=jpeg_head))


def test_it_refuses_a_file_over_the_rules_size_limit(users, order):
    AttachmentRule.objects.filter(kind="photo").update(max_size_mb=1)
    big = png_bytes() + b"\x00" * (1024 * 1024)

    with pytest.raises(ValidationFailed) as exc:
        attachment_add(order=order, actor=users["agent"], kind="photo", upload=upload(content=big))

    assert "1 MB" in exc.value.message
    assert not Attachment.objects.exists()


def test_a_file_just_under_the_limit_is_accepted(users, order):
    AttachmentRule.objects.filter(kind="photo").update(max_size_mb=1)
    content = png_bytes()
    content += b"\x00" * (1024 * 1024 - len(content))

    att = attachment_add(order=order, actor=users["agent"], kind="photo", upload=upload(content=content))

    assert att.size == 1024 * 1024


def test_it_refuses_an_empty_file(users, order):
    with pytest.raises(ValidationFailed) as exc:
        attachment_add(order=order, actor=users["agent"], kind="photo", upload=upload(content=b""))

    assert "为空" in exc.value.message


def test_it_refuses_an_unknown_kind(users, order):
    with pytest.raises(ValidationFailed) as exc:
        attachment_add(order=order, actor=users["agent"], kind="video", upload=upload())

    assert "kind" in exc.value.fields


def test_it_accepts_a_pdf_document(users, order):
    att = attachment_add(
        order=order,
        actor=users["agent"],
        kind="document",
        upload=upload("说明.pdf", b"%PDF-1.4\n%...\n", "application/pdf"),
    )

    assert att.kind == "document"


def test_it_hides_an_order_of_another_unit_and_refuses_a_user_without_a_role(users, county, order):
    with pytest.raises(NotFound):
        attachment_add(
            order=order, actor=UserFactory.with_role("agent", county.west), kind="photo", upload=upload()
        )
    with pytest.raises(NotPermitted):
        attachment_add(order=order, actor=users["norole"], kind="photo", upload=upload())

    assert not Attachment.objects.exists()
    assert len(events_of(order)) == 1


def stored_files(media: Path) -> list[Path]:
    return sorted(p for p in media.rglob("*") if p.is_file())


def test_a_rolled_back_upload_leaves_no_file_behind(users, order, media, monkeypatch):
    """The file is written inside the transaction; if it rolls back, the file goes too (no orphans)."""

    def broken_event_write(**kwargs):
        raise DatabaseError("simulated failure after the file was written")

    monkeypatch.setattr("powerdesk.workorders.attachments.event_write", broken_event_write)

    with pytest.raises(DatabaseError):
        attachment_add(order=order, actor=users["agent"], kind="photo", upload=upload(), request_id="up-1")

    assert not Attachment.objects.exists()
    assert stored_files(media) == []
    assert fresh(order).version == order.version


def test_a_retry_after_a_rolled_back_attempt_stores_exactly_one_file(users, order, media, monkeypatch):
    """The client retries with the same Idempotency-Key after a failed attempt: one row, one file."""
    with monkeypatch.context() as m:
        m.setattr(
            "powerdesk.workorders.attachments.event_write",
            lambda **kwargs: (_ for _ in ()).throw(DatabaseError("simulated")),
        )
        with pytest.raises(DatabaseError):
            attachment_add(
                order=order, actor=users["agent"], kind="photo", upload=upload(), request_id="up-1"
            )

    att = attachment_add(order=order, actor=users["agent"], kind="photo", upload=upload(), request_id="up-1")
    again = attachment_add(
        order=order, actor=users["agent"], kind="photo", upload=upload(), request_id="up-1"
    )

    assert again.pk == att.pk
    assert stored_files(media) == [media / att.file.name]


def test_a_replayed_upload_stores_one_file(users, order, media):
    first = attachment_add(
        order=order, actor=users["agent"], kind="photo", upload=upload(), request_id="up-1"
    )
    again = attachment_add(
        order=order, actor=users["agent"], kind="photo", upload=upload(), request_id="up-1"
    )

    assert again.pk == first.pk
    assert Attachment.objects.count() == 1
    assert stored_files(media) == [media / first.file.name]


def test_the_same_file_uploaded_twice_on_purpose_is_kept_twice(users, order, media):
    """Two different requests (no shared key) are two attachments, each with its own file."""
    one = attachment_add(order=order, actor=users["agent"], kind="photo", upload=upload(), request_id="up-1")
    two = attachment_add(order=order, actor=users["agent"], kind="photo", upload=upload(), request_id="up-2")

    assert one.file.name != two.file.name
    assert stored_files(media) == sorted([media / one.file.name, media / two.file.name])


def test_it_refuses_to_run_inside_a_callers_transaction(users, order, media):
    """Only the outermost transaction knows whether the row survives, so the file's cleanup needs it."""
    with pytest.raises(RuntimeError), transaction.atomic():
        attachment_add(order=order, actor=users["agent"], kind="photo", upload=upload())

    assert stored_files(media) == []
