"""Where the training rows come from: the shipped corpus (``corpus/train/*.jsonl``, one file per business
type) and the archived
orders with the classification the agent confirmed at intake (before any later reclassification), their
personal data replaced by placeholders. The evaluation set (``corpus/eval.jsonl``) is read apart and
never trained on."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from powerdesk.workorders import reference as wo_reference
from powerdesk.workorders.choices import EventKind, Status
from powerdesk.workorders.models import WorkOrder, WorkOrderEvent

CORPUS = Path(__file__).resolve().parent / "corpus"
TRAIN_DIR = CORPUS / "train"
EVAL_FILE = CORPUS / "eval.jsonl"

_MOBILE = re.compile(r"(?<!\d)(?:\+?86)?1[3-9]\d{9}(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)")
_ID_NUMBER = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
_ACCOUNT = re.compile(r"(?<!\d)\d{8,}(?!\d)")
_ADDRESS = re.compile(
    r"[\u4e00-\u9fa5A-Za-z0-9]{1,12}(?:路|街|道|巷|村|小区|花园|苑)\d*号?[\u4e00-\u9fa5\d\-]{0,16}?(?:室|号|户)"
)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    rows = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line:
                row = json.loads(line)
                if row.get("text"):
                    rows.append(row)
    return rows


def read_corpus(path: Path) -> list[dict[str, Any]]:
    """The rows of one jsonl file, or of every ``*.jsonl`` file of a folder in name order."""
    if path.is_dir():
        return [row for file in sorted(path.glob("*.jsonl")) for row in read_jsonl(file)]
    return read_jsonl(path)


def scrub(text: str, *, names: tuple[str, ...] = (), address: str = "") -> str:
    """``text`` with phone numbers, ID numbers, long numbers, the caller's names and addresses replaced
    by placeholders, before anything is trained on it."""
    if address:
        text = text.replace(address, "〔地址〕")
    for name in names:
        if name and len(name) >= 2:
            text = text.replace(name, "〔姓名〕")
    text = _ID_NUMBER.sub("〔证件〕", text)
    text = _MOBILE.sub("〔电话〕", text)
    text = _LANDLINE.sub("〔电话〕", text)
    text = _ACCOUNT.sub("〔号码〕", text)
    return _ADDRESS.sub("〔地址〕", text)


def _first_classification(order: WorkOrder) -> tuple[str, int | None, int | None]:
    """The business type, sub-type and topic the order had at intake: a reclassify event's ``before``
    holds the values it replaced (the first such event, the intake's)."""
    btype, sub_type_id, topic_id = order.business_type, order.sub_type_id, order.topic_id
    first = (
        WorkOrderEvent.objects.filter(order=order, kind=EventKind.RECLASSIFY)
        .order_by("at", "pk")
        .values_list("data", flat=True)
        .first()
    )
    before = (first or {}).get("before") or {}
    btype = before.get("business_type", btype)
    sub_type_id = before.get("sub_type_id", sub_type_id)
    topic_id = before.get("topic_id", topic_id)
    return btype, sub_type_id, topic_id


def archived_rows(limit: int = 20000) -> Iterator[dict[str, Any]]:
    orders = (
        WorkOrder.objects.filter(status=Status.ARCHIVED)
        .select_related("customer")
        .only(
            "description",
            "business_type",
            "sub_type_id",
            "topic_id",
            "caller_name",
            "address",
            "customer__name",
        )
        .order_by("-closed_at")[:limit]
    )
    for order in orders:
        btype, sub_type_id, topic_id = _first_classification(order)
        topic = wo_reference.topic_by_id(topic_id) if topic_id else None
        sub_type = wo_reference.sub_type_by_id(sub_type_id)
        if topic is None:
            continue
        names = (order.caller_name, order.customer.name if order.customer else "")
        yield {
            "text": scrub(order.description, names=names, address=order.address),
            "business_type": btype,
            "topic": topic.code,
            "sub_type": sub_type.code if sub_type else "",
            "emotion": "",
            "urgent": None,
        }


def training_rows(*, include_archive: bool = True, corpus: Path = TRAIN_DIR) -> list[dict[str, Any]]:
    rows = read_corpus(corpus)
    if include_archive:
        rows.extend(archived_rows())
    return rows


def eval_rows() -> list[dict[str, Any]] | None:
    return read_jsonl(EVAL_FILE) if EVAL_FILE.exists() else None
