"""Evidence files on an order (recordings, photos, documents), checked against ``AttachmentRule``."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import PurePath

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from powerdesk.core import clock, idempotency
from powerdesk.core.errors import NotFound, NotPermitted, ValidationFailed
from powerdesk.org.models import User
from powerdesk.org.selectors import user_may, user_sees_unit
from powerdesk.workorders.choices import EventKind
from powerdesk.workorders.events import event_write
from powerdesk.workorders.models import Attachment, AttachmentRule, WorkOrder
from powerdesk.workorders.services.engine import lock_order

logger = logging.getLogger(__name__)

# Leading bytes of the formats we accept, so a renamed executable is not stored as a "photo".
MAGIC = {
    ".jpg": [b"\xff\xd8\xff"],
    ".jpeg": [b"\xff\xd8\xff"],
    ".png": [b"\x89PNG"],
    ".gif": [b"GIF8"],
    ".pdf": [b"%PDF"],
    ".mp3": [b"ID3", b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"],
    ".wav": [b"RIFF"],
    ".amr": [b"#!AMR"],
    ".m4a": [b"\x00\x00\x00"],
    ".webp": [b"RIFF"],
    ".docx": [b"PK\x03\x04"],
    ".xlsx": [b"PK\x03\x04"],
    ".doc": [b"\xd0\xcf\x11\xe0"],
    ".xls": [b"\xd0\xcf\x11\xe0"],
}


# What the leading bytes say a file is: the content types its content can be. A file whose declared type
# (what the client says) is not among them is refused, whatever its name.
def sniffed_types(head: bytes) -> set[str] | None:
    """The content types ``head`` (a file's first bytes) can be, or None when the content is not one we
    recognise."""
    if head.startswith(b"\xff\xd8\xff"):
        return {"image/jpeg"}
    if head.startswith(b"\x89PNG"):
        return {"image/png"}
    if head.startswith(b"GIF8"):
        return {"image/gif"}
    if head.startswith(b"%PDF"):
        return {"application/pdf"}
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return {"image/webp"}
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return {"audio/wav", "audio/x-wav"}
    if head.startswith(b"#!AMR"):
        return {"audio/amr"}
    if head.startswith((b"ID3", b"\xff\xfb", b"\xff\xf3", b"\xff\xf2")):
        return {"audio/mpeg"}
    if head[4:8] == b"ftyp":
        return {"audio/mp4", "audio/x-m4a"}
    if head.startswith(b"PK\x03\x04"):
        return {
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return {"application/msword", "application/vnd.ms-excel"}
    return None


def name_is_path(name: str) -> bool:
    """A file name that names a place (``../x.pdf``, ``C:\\docs\\x.pdf``, ``/etc/x``) rather than a file:
    refused, not silently cut, so the client learns it sent something it did not mean to."""
    return (
        "/" in name
        or "\\" in name
        or "\x00" in name
        or name.strip() in ("", ".", "..")
        or any(ord(c) < 32 for c in name)
    )


def attachment_add(
    *, order: WorkOrder, actor: User, kind: str, upload: UploadedFile, request_id: str = ""
) -> Attachment:
    """Check the file against its rule, store it and log it on the timeline.

    The file is written inside the transaction that writes its row, and deleted again if that transaction
    does not commit (a DB error, a lock timeout, a failed commit): the storage has no rollback, so without
    this a failed attempt would leave an orphan on disk, and its retry a second copy under another name.
    The transaction is ``durable`` because only the outermost one decides whether the row exists; inside a
    caller's transaction a later rollback could not remove the file.
    """
    checked = upload_check(kind=kind, upload=upload)
    written: list[str] = []
    try:
        with transaction.atomic(durable=True):
            return _store(
                order=order,
                actor=actor,
                kind=kind,
                upload=upload,
                checked=checked,
                request_id=request_id,
                written=written,
            )
    except BaseException:
        for path in written:
            _discard(path)
        raise


def upload_check(*, kind: str, upload: UploadedFile) -> _Checked:
    """The file checked against the ``AttachmentRule`` of ``kind`` (type, size, leading bytes), or
    ValidationFailed; also used by apps that keep files of their own (the case library)."""
    rule = AttachmentRule.objects.filter(kind=kind).first()
    if rule is None:
        raise ValidationFailed(_("不支持的附件类别。"), fields={"kind": [_("请选择录音、照片或文档。")]})
    return _checked(rule, upload)


@dataclass(frozen=True)
class _Checked:
    name: str
    content_type: str
    size: int
    sha256: str


def _checked(rule: AttachmentRule, upload: UploadedFile) -> _Checked:
    """The file's safe name, content type, size and SHA-256, or ValidationFailed if the rule refuses it."""
    raw_name = upload.name or ""
    if name_is_path(raw_name):
        raise ValidationFailed(
            _("文件名不能包含路径。"), fields={"file": [_("文件名不能包含路径，请只上传文件本身。")]}
        )
    name = PurePath(raw_name).name[-200:]
    ext = PurePath(name).suffix.lower()
    content_type = (upload.content_type or "").split(";")[0].strip().lower()
    if ext not in rule.allowed_extensions() or content_type not in rule.allowed_types():
        raise ValidationFailed(
            _("文件类型不符合要求，%(kind)s只接受：%(exts)s。")
            % {"kind": rule.get_kind_display(), "exts": rule.extensions},
            fields={"file": [_("文件类型不符合要求。")]},
        )
    if upload.size is None or upload.size == 0:
        raise ValidationFailed(_("文件为空。"), fields={"file": [_("文件为空。")]})
    if upload.size > rule.max_size_mb * 1024 * 1024:
        raise ValidationFailed(
            _("文件过大，%(kind)s不能超过 %(mb)s MB。")
            % {"kind": rule.get_kind_display(), "mb": rule.max_size_mb},
            fields={"file": [_("文件过大。")]},
        )
    digest = hashlib.sha256()
    head = b""
    for chunk in upload.chunks():
        if len(head) < 16:
            head += chunk[: 16 - len(head)]
        digest.update(chunk)
    if ext in MAGIC and not any(head.startswith(m) for m in MAGIC[ext]):
        raise ValidationFailed(_("文件内容与扩展名不符。"), fields={"file": [_("文件内容与扩展名不符。")]})
    sniffed = sniffed_types(head)
    if sniffed is None or content_type not in sniffed:
        raise ValidationFailed(
            _("文件内容与声明的文件类型不符。"), fields={"file": [_("文件内容与声明的文件类型不符。")]}
        )
    upload.seek(0)
    return _Checked(name, content_type, upload.size, digest.hexdigest())


def _store(
    *,
    order: WorkOrder,
    actor: User,
    kind: str,
    upload: UploadedFile,
    checked: _Checked,
    request_id: str,
    written: list[str],
) -> Attachment:
    """Inside the transaction: the row, the file (its storage name appended to ``written`` as soon as it
    exists), the order's version and the timeline event; a retry gets the first attempt's attachment."""
    locked = lock_order(order.pk)  # the order alone, then re-read: see lock_order
    if not user_sees_unit(actor, locked.unit):
        raise NotFound(_("找不到该工单。"))
    if not user_may(actor, "note"):
        raise NotPermitted(_("您的角色不能上传附件。"))
    # The same caller sending the same file of the same kind (core.idempotency).
    fingerprint = idempotency.fingerprint(
        {"actor": actor.pk, "kind": kind, "name": checked.name, "sha256": checked.sha256}
    )
    if request_id and (earlier := locked.events.filter(request_id=request_id).first()) is not None:
        # A retried upload: answer with the file stored the first time instead of a duplicate.
        stored = Attachment.objects.filter(order=locked, pk=earlier.data.get("attachment")).first()
        if stored is None:
            raise idempotency.mismatch()
        idempotency.require_same_request(earlier.request_fingerprint, fingerprint)
        return stored
    att = Attachment(
        order=locked,
        kind=kind,
        original_name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=actor,
        uploaded_at=clock.now(),
    )
    att.file.save(checked.name, upload, save=False)
    written.append(str(att.file.name))
    att.save()
    locked.version += 1
    locked.updated_at = att.uploaded_at
    locked.save(update_fields=["version", "updated_at"])
    event_write(
        order=locked,
        kind=EventKind.ATTACHMENT,
        actor=actor,
        from_status=locked.status,
        to_status=locked.status,
        note=checked.name,
        data={"attachment": att.pk, "kind": kind, "size": att.size, "sha256": att.sha256},
        request_id=request_id,
        request_fingerprint=fingerprint,
        at=att.uploaded_at,
    )
    return att


def _discard(path: str) -> None:
    """Remove a file whose row was rolled back; a failure here must not hide the error that caused it."""
    try:
        Attachment.file.field.storage.delete(path)
    except OSError:
        logger.exception("could not remove the orphaned upload %s", path)
