"""POST /api/v1/workorders/{number}/attachments/: evidence files, checked by type, size and content."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError

from powerdesk.workorders.models import Attachment
from tests.api.conftest import error

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media"


def stored_files(media):
    return sorted(p.relative_to(media).as_posix() for p in media.rglob("*") if p.is_file())


def _photo(name="meter.png", content=PNG, content_type="image/png"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def _url(order):
    return f"/api/v1/workorders/{order.number}/attachments/"


def test_it_stores_a_photo_and_notes_it_on_the_timeline(api, make_order):
    order = make_order()
    response = api("agent").post(_url(order), {"kind": "photo", "file": _photo()}, format="multipart")
    assert response.status_code == 201
    body = response.json()
    assert body["kind"] == "photo" and body["original_name"] == "meter.png" and body["size"] == len(PNG)
    assert body["uploaded_by"]["username"] == "agent" and len(body["sha256"]) == 64
    detail = api("agent").get(f"/api/v1/workorders/{order.number}/").json()
    assert [a["id"] for a in detail["attachments"]] == [body["id"]]
    assert detail["timeline"][-1]["kind"] == "attachment" and detail["version"] == 2


def test_a_retried_upload_with_the_same_key_stores_one_file(api, make_order, media):
    order = make_order()
    client = api("agent")
    first = client.post(
        _url(order), {"kind": "photo", "file": _photo()}, format="multipart", HTTP_IDEMPOTENCY_KEY="upload-1"
    )
    again = client.post(
        _url(order), {"kind": "photo", "file": _photo()}, format="multipart", HTTP_IDEMPOTENCY_KEY="upload-1"
    )
    assert again.json()["id"] == first.json()["id"]
    assert Attachment.objects.count() == 1
    assert stored_files(media) == [Attachment.objects.get().file.name]


def test_a_failed_upload_leaves_no_file_and_its_retry_stores_one(api, make_order, media, monkeypatch):
    order = make_order()
    client = api("agent")

    def failing_event_write(**kwargs):
        raise DatabaseError("simulated failure after the file was written")

    with monkeypatch.context() as m:
        m.setattr("powerdesk.workorders.attachments.event_write", failing_event_write)
        with pytest.raises(DatabaseError):
            client.post(
                _url(order),
                {"kind": "photo", "file": _photo()},
                format="multipart",
                HTTP_IDEMPOTENCY_KEY="u-1",
            )
    assert stored_files(media) == [] and Attachment.objects.count() == 0

    retry = client.post(
        _url(order), {"kind": "photo", "file": _photo()}, format="multipart", HTTP_IDEMPOTENCY_KEY="u-1"
    )
    assert retry.status_code == 201
    assert stored_files(media) == [Attachment.objects.get().file.name]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (
            {"kind": "photo", "file": _photo(name="virus.exe", content_type="application/octet-stream")},
            "file",
        ),
        ({"kind": "photo", "file": _photo(content=b"MZ" + b"\x00" * 100)}, "file"),
        ({"kind": "video", "file": _photo()}, "kind"),
        ({"kind": "photo"}, "file"),
    ],
)
def test_it_refuses_files_that_break_the_rules(data, field, api, make_order):
    response = api("agent").post(_url(make_order()), data, format="multipart")
    assert response.status_code == 400
    assert field in error(response)["fields"]
    assert Attachment.objects.count() == 0


def test_a_json_body_is_an_unsupported_media_type(api, make_order):
    response = api("agent").post(_url(make_order()), {"kind": "photo"}, format="json")
    assert response.status_code == 415 and error(response)["code"] == "unsupported_media_type"


def test_an_upload_key_reused_for_another_file_is_a_409(api, make_order, media):
    """The same Idempotency-Key with another file is not a retry: 409, not the first file's answer."""
    order = make_order()
    client = api("agent")
    first = client.post(
        _url(order), {"kind": "photo", "file": _photo()}, format="multipart", HTTP_IDEMPOTENCY_KEY="upload-9"
    )
    other = client.post(
        _url(order),
        {"kind": "photo", "file": _photo("another-meter.png")},
        format="multipart",
        HTTP_IDEMPOTENCY_KEY="upload-9",
    )
    assert first.status_code == 201
    assert other.status_code == 409 and other.json()["error"]["code"] == "idempotency_key_reused"
    assert Attachment.objects.count() == 1
