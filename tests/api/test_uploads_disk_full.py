"""The disk of the uploads full in the middle of a file: a clear error (API 507 with its error body, the form
in Chinese), no attachment row, no timeline event, no file or half a file left on disk; the retry, once
there is room again, stores the file once."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from powerdesk.core import storage
from powerdesk.core.errors import StorageFull
from powerdesk.workorders.attachments import attachment_add
from powerdesk.workorders.models import Attachment, WorkOrder
from tests.api.conftest import error
from tests.workorders.test_attachments import png_bytes


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media"


@pytest.fixture
def disk_full(monkeypatch):
    """The kernel refuses the write half-way through the file, as when the disk fills up."""

    def half_then_full(target, content):
        data = b"".join(content.chunks())
        target.write(data[: len(data) // 2])
        target.flush()
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(storage, "copy_into", half_then_full)
    return monkeypatch


def _everything_on_disk(media: Path) -> list[str]:
    return sorted(p.name for p in media.rglob("*") if p.is_file()) if media.exists() else []


def _photo() -> SimpleUploadedFile:
    return SimpleUploadedFile("表箱.png", png_bytes(4, 4), content_type="image/png")


def test_the_api_answers_507_and_leaves_no_row_no_event_and_no_file(api, make_order, media, disk_full):
    order = make_order()
    events = order.events.count()

    response = api("agent").post(
        f"/api/v1/workorders/{order.number}/attachments/",
        {"kind": "photo", "file": _photo()},
        format="multipart",
        HTTP_IDEMPOTENCY_KEY="upload-when-full",
    )

    assert response.status_code == 507
    assert error(response)["code"] == "storage_full"
    assert Attachment.objects.count() == 0
    assert order.events.count() == events
    assert WorkOrder.objects.get(pk=order.pk).version == order.version
    assert _everything_on_disk(media) == []  # not even the half-written temporary file

    disk_full.undo()  # room again: the same request is retried
    retry = api("agent").post(
        f"/api/v1/workorders/{order.number}/attachments/",
        {"kind": "photo", "file": _photo()},
        format="multipart",
        HTTP_IDEMPOTENCY_KEY="upload-when-full",
    )
    assert retry.status_code == 201
    stored = Attachment.objects.get()
    assert _everything_on_disk(media) == [Path(stored.file.name).name]
    assert (media / stored.file.name).read_bytes() == png_bytes(4, 4)


def test_the_console_shows_the_error_on_the_form(client, users, make_order, media, disk_full):
    order = make_order()
    client.force_login(users["agent"])

    response = client.post(
        reverse("workorders:attachment_add", args=[order.number]), {"kind": "photo", "file": _photo()}
    )

    assert response.status_code == 200
    assert "附件存储空间已满" in response.content.decode()
    assert Attachment.objects.count() == 0 and _everything_on_disk(media) == []


def test_the_service_raises_the_domain_error(users, make_order, media, disk_full):
    order = make_order()
    with pytest.raises(StorageFull):
        attachment_add(order=order, actor=users["agent"], kind="photo", upload=_photo())
    assert Attachment.objects.count() == 0 and _everything_on_disk(media) == []


def test_a_file_is_stored_whole_under_its_name_and_a_taken_name_gets_another(users, make_order, media):
    order = make_order()
    first = attachment_add(order=order, actor=users["agent"], kind="photo", upload=_photo())
    second = attachment_add(order=order, actor=users["agent"], kind="photo", upload=_photo())

    assert first.file.name != second.file.name
    assert _everything_on_disk(media) == sorted(Path(a.file.name).name for a in (first, second))
    for attachment in (first, second):
        path = media / attachment.file.name
        assert path.read_bytes() == png_bytes(4, 4) and path.stat().st_mode & 0o777 == 0o644
