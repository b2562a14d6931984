"""Evidence photos of the demo's field work for sensitive customers: their orders cannot be 处理完成
without a photo or a recording (the risk app's transition validator), so the crew "takes" one on site.

Written as the upload service writes it (the row, the file, the order's version, one 上传附件 event), but
in the caller's transaction: ``attachment_add`` insists on a durable transaction of its own, and the demo
loads in one transaction.
"""

from __future__ import annotations

import hashlib
import struct
import zlib

from django.core.files.base import ContentFile
from django.db import transaction

from powerdesk.core import clock
from powerdesk.org.models import User
from powerdesk.workorders.choices import FIELD_TYPES, EventKind
from powerdesk.workorders.events import event_write
from powerdesk.workorders.models import Attachment, WorkOrder


def _png() -> bytes:
    """A tiny grey PNG: the demo's stand-in for a photo of the site."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    raw = b"".join(b"\x00" + b"\x80" * 4 for _ in range(4))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def needs_evidence(order: WorkOrder) -> bool:
    customer = order.customer
    return order.business_type in FIELD_TYPES and customer is not None and customer.is_sensitive


@transaction.atomic  # the parallel replay runs each step in autocommit: the row lock needs a transaction
def evidence_photo_add(*, order: WorkOrder, actor: User) -> WorkOrder:
    """One site photo on ``order`` by ``actor`` now (the demo clock); the order with its new version."""
    content = _png()
    name = "现场照片.png"
    locked = WorkOrder.objects.select_for_update().get(pk=order.pk)
    att = Attachment(
        order=locked,
        kind="photo",
        original_name=name,
        content_type="image/png",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=actor,
        uploaded_at=clock.now(),
    )
    att.file.save(name, ContentFile(content), save=False)
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
        note=name,
        data={"attachment": att.pk, "kind": "photo", "size": att.size, "sha256": att.sha256},
        at=att.uploaded_at,
    )
    return locked
