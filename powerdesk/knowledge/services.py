"""Every write of the case library: a case and its first draft, editing a draft, the life-cycle steps,
a new version of a published case, attachments, and an order's citation.

Each service takes the case's row lock first (``Case`` ``FOR UPDATE``), so two people stepping the same
case are serialised; the partial unique indexes of ``CaseVersion`` are the last guard. Each step writes
one ``CaseStep`` (who, when, from, to)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from powerdesk.core import clock
from powerdesk.core.errors import NotFound, NotPermitted, TransitionNotAllowed, ValidationFailed
from powerdesk.knowledge import rules, search, selectors
from powerdesk.knowledge.models import (
    OPEN_STATES,
    Case,
    CaseAttachment,
    CaseCitation,
    CaseRule,
    CaseState,
    CaseStep,
    CaseVersion,
    Script,
    ScriptCitation,
    ScriptKind,
    ScriptStep,
    ScriptVersion,
)
from powerdesk.org.models import User
from powerdesk.workorders.attachments import upload_check
from powerdesk.workorders.models import SubType, Topic, WorkOrder

ATTACHMENT_KINDS = ("photo", "document")
CONTENT_FIELDS = (
    "title",
    "area",
    "business_type",
    "sub_type",
    "situation",
    "findings",
    "criteria",
    "verdict",
    "judgment",
    "should_have",
    "lessons",
    "tags",
)


@dataclass(frozen=True)
class RuleInput:
    reference: str
    source: str = ""
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None


def _require_author(actor: User) -> None:
    if not (selectors.user_may_author(actor) or selectors.user_may_review(actor)):
        raise NotPermitted(_("您的角色不能编写案例。"))


def _lock(case_id: int) -> Case:
    case: Case = CASES.lock(case_id)
    return case


def _check_content(content: Mapping[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    if not str(content.get("title") or "").strip():
        errors["title"] = [_("请填写标题。")]
    if not isinstance(content.get("area"), Topic):
        errors["area"] = [_("请选择领域。")]
    if not str(content.get("situation") or "").strip():
        errors["situation"] = [_("请填写案例经过。")]
    sub_type = content.get("sub_type")
    business_type = content.get("business_type") or ""
    if isinstance(sub_type, SubType) and business_type and sub_type.business_type != business_type:
        errors["sub_type"] = [_("业务子类与业务类型不一致。")]
    for rule in content.get("rules") or []:
        if rule.valid_from and rule.valid_to and rule.valid_to < rule.valid_from:
            errors["rules"] = [_("依据条款的失效日期早于生效日期。")]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], fields=errors)


def _apply(version: CaseVersion, content: Mapping[str, Any]) -> None:
    for name in CONTENT_FIELDS:
        if name in content:
            value = content[name]
            if name == "tags":
                value = clean_tags(value)
            elif name == "business_type" and isinstance(content.get("sub_type"), SubType) and not value:
                value = content["sub_type"].business_type
            setattr(version, name, value if value is not None or name == "sub_type" else "")
    for key, value in search.search_fields(
        title=version.title,
        tags=version.tags,
        situation=version.situation,
        findings=version.findings,
        should_have=version.should_have,
        lessons=version.lessons,
    ).items():
        setattr(version, key, value)


def clean_tags(value: Iterable[str] | str | None) -> list[str]:
    if isinstance(value, str):
        value = value.replace("，", ",").split(",")
    return list(dict.fromkeys(t.strip()[:30] for t in value or [] if t and t.strip()))


def _write_rules(version: CaseVersion, items: Sequence[RuleInput]) -> None:
    version.rules.all().delete()
    CaseRule.objects.bulk_create(
        CaseRule(
            version=version,
            reference=r.reference.strip()[:200],
            source=r.source.strip()[:200],
            valid_from=r.valid_from,
            valid_to=r.valid_to,
            position=i,
        )
        for i, r in enumerate(items)
        if r.reference.strip()
    )


@transaction.atomic
def case_create(*, actor: User, rules_: Sequence[RuleInput] = (), **content: Any) -> CaseVersion:
    """A new case and its first version, a draft by ``actor``."""
    _require_author(actor)
    _check_content({**content, "rules": rules_})
    now = clock.now()
    case = Case.objects.create(created_by=actor, created_at=now)
    version = CaseVersion(case=case, number=1, author=actor, created_at=now, updated_at=now)
    _apply(version, content)
    version.save()
    _write_rules(version, rules_)
    CASES.record(version, before="", actor=actor, at=now)
    return version


@transaction.atomic
def case_draft_update(
    *, version: CaseVersion, actor: User, rules_: Sequence[RuleInput] = (), **content: Any
) -> CaseVersion:
    """Edit a draft (a version in review is sent back first; a published one is revised)."""
    _require_author(actor)
    _lock(version.case_id)
    version = CaseVersion.objects.get(pk=version.pk)
    if version.state != CaseState.DRAFT:
        raise TransitionNotAllowed(_("只能编辑草稿；已发布的案例请先生成新版本。"))
    _check_content({**content, "rules": rules_})
    _apply(version, content)
    version.updated_at = clock.now()
    version.save()
    _write_rules(version, rules_)
    return version


@transaction.atomic
def case_revise(*, version: CaseVersion, actor: User) -> CaseVersion:
    """A new draft version copied from a published one (which stays published until the new one is);
    the open draft or review version if the case already has one."""
    copy = (*CONTENT_FIELDS, "search_a", "search_b", "search_c")
    source, draft = version_revise(library=CASES, version=version, actor=actor, copy=copy)
    if draft.number > source.number and not draft.rules.exists():
        _write_rules(
            draft,
            [RuleInput(r.reference, r.source, r.valid_from, r.valid_to) for r in source.rules.all()],
        )
    return draft


@dataclass(frozen=True)
class Library:
    """What the life cycle needs to know of a kind of versioned text (cases, scripts): its identity
    model, its version and step models, and the field of the version naming the identity. One
    implementation of the steps (``version_step``) serves both."""

    identity: type[Case] | type[Script]
    version: type[CaseVersion] | type[ScriptVersion]
    step: type[CaseStep] | type[ScriptStep]
    owner: str  # "case" or "script": the version's foreign key to the identity

    def lock(self, pk: int) -> Any:
        row = self.identity.objects.select_for_update().filter(pk=pk).first()  # type: ignore[attr-defined]
        if row is None:
            raise NotFound(_("找不到该案例。") if self.owner == "case" else _("找不到该话术。"))
        return row

    def versions(self, version: Any) -> Any:
        return self.version.objects.filter(**{f"{self.owner}_id": getattr(version, f"{self.owner}_id")})  # type: ignore[attr-defined]

    def record(self, version: Any, *, before: str, actor: User, at: dt.datetime, note: str = "") -> None:
        self.step.objects.create(  # type: ignore[attr-defined]
            version=version, from_state=before, to_state=version.state, by=actor, at=at, note=note[:500]
        )


CASES = Library(Case, CaseVersion, CaseStep, "case")
SCRIPTS = Library(Script, ScriptVersion, ScriptStep, "script")


@transaction.atomic
def version_step(*, library: Library, version: Any, actor: User, step: str, note: str = "") -> Any:
    """Submit, publish, reject (back to draft) or retire a version of ``library``. Publishing retires
    the version that was published before it, with a step of its own."""
    spec = rules.STEPS.get(step)
    if spec is None:
        raise ValidationFailed(_("未知的操作。"), fields={"step": [_("未知的操作。")]})
    library.lock(getattr(version, f"{library.owner}_id"))
    version = library.version.objects.get(pk=version.pk)  # type: ignore[attr-defined]
    may_author, may_review = selectors.user_may_author(actor), selectors.user_may_review(actor)
    if not (may_author or may_review) or (spec.right == "review" and not may_review):
        raise NotPermitted(_("您的角色不能执行该操作。"))
    if not rules.step_allowed(spec, state=version.state, may_author=may_author, may_review=may_review):
        raise TransitionNotAllowed(_("当前状态不允许该操作。"))
    if step == "publish" and not rules.reviewer_is_not_author(
        author_id=version.author_id, reviewer_id=actor.pk, reviewer_is_superuser=actor.is_superuser
    ):
        raise NotPermitted(_("须由作者以外的审核人发布。"))
    if step == "reject" and not note.strip():
        raise ValidationFailed(_("请填写退回原因。"), fields={"note": [_("请填写退回原因。")]})
    now = clock.now()
    if step == "publish":
        for old in library.versions(version).filter(state=CaseState.PUBLISHED):
            old.state = CaseState.RETIRED
            old.save(update_fields=["state"])
            library.record(old, before=CaseState.PUBLISHED, actor=actor, at=now, note=_("被新版本取代"))
        version.published_at = now
    before = version.state
    version.state = spec.to_state
    version.updated_at = now
    version.save(update_fields=["state", "updated_at", "published_at"])
    library.record(version, before=before, actor=actor, at=now, note=note)
    return version


def version_revise(*, library: Library, version: Any, actor: User, copy: Sequence[str]) -> tuple[Any, Any]:
    """Inside a transaction: a new draft version copied (``copy``: the field names) from a published
    one, which stays published until the new one is; the open draft or review version if there is one.
    Returns (source, draft)."""
    _require_author(actor)
    library.lock(getattr(version, f"{library.owner}_id"))
    source = library.version.objects.get(pk=version.pk)  # type: ignore[attr-defined]
    if source.state != CaseState.PUBLISHED:
        raise TransitionNotAllowed(_("只有已发布的版本可以生成新版本。"))
    existing = library.versions(source).filter(state__in=OPEN_STATES).first()
    if existing is not None:
        return source, existing
    now = clock.now()
    last = library.versions(source).order_by("-number").first()
    draft = library.version(number=(last.number if last else 0) + 1)
    setattr(draft, f"{library.owner}_id", getattr(source, f"{library.owner}_id"))
    for name in copy:
        setattr(draft, name, getattr(source, name))
    draft.author, draft.created_at, draft.updated_at = actor, now, now
    draft.state = CaseState.DRAFT
    draft.save()
    library.record(draft, before="", actor=actor, at=now, note=_("基于版本 %(n)s") % {"n": source.number})
    return source, draft


def case_step(*, version: CaseVersion, actor: User, step: str, note: str = "") -> CaseVersion:
    result: CaseVersion = version_step(library=CASES, version=version, actor=actor, step=step, note=note)
    return result


def case_attachment_add(
    *, version: CaseVersion, actor: User, kind: str, upload: UploadedFile
) -> CaseAttachment:
    """A file of the case, checked like an order's evidence (type, size, leading bytes)."""
    _require_author(actor)
    if kind not in ATTACHMENT_KINDS:
        raise ValidationFailed(_("不支持的附件类别。"), fields={"kind": [_("请选择照片或文档。")]})
    checked = upload_check(kind=kind, upload=upload)
    with transaction.atomic():
        _lock(version.case_id)
        att = CaseAttachment(
            case_id=version.case_id,
            kind=kind,
            original_name=checked.name,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            uploaded_by=actor,
            uploaded_at=clock.now(),
        )
        att.file.save(checked.name, upload, save=False)
        name = str(att.file.name)
        try:
            att.save()
        except BaseException:
            CaseAttachment.file.field.storage.delete(name)
            raise
    return att


def published_version(version_id: Any) -> CaseVersion | None:
    try:
        pk = int(version_id)
    except (TypeError, ValueError):
        return None
    return CaseVersion.objects.filter(pk=pk, state=CaseState.PUBLISHED).select_related("case").first()


def citation_write(
    *, order: WorkOrder, version_id: int, transition: str, actor: User, at: dt.datetime
) -> None:
    """Inside the order's transition: the order cites this version (kept when the case is edited)."""
    CaseCitation.objects.create(order=order, version_id=version_id, transition=transition, by=actor, at=at)


# --- scripts (话术) -------------------------------------------------------------------------------------

SCRIPT_FIELDS = ("title", "kind", "business_type", "topic", "sub_type", "body", "position")


def _check_script(content: Mapping[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    if not str(content.get("title") or "").strip():
        errors["title"] = [_("请填写标题。")]
    if content.get("kind") not in ScriptKind.values:
        errors["kind"] = [_("请选择话术情形。")]
    body = str(content.get("body") or "")
    if not body.strip():
        errors["body"] = [_("请填写话术内容。")]
    else:
        unknown = rules.unknown_placeholders(body)
        if unknown:
            errors["body"] = [
                _("话术中有未知的占位符：%(names)s。可用的占位符：%(known)s。")
                % {
                    "names": "、".join("{" + n + "}" for n in unknown),
                    "known": "、".join("{" + n + "}" for n in rules.PLACEHOLDERS),
                }
            ]
    sub_type = content.get("sub_type")
    business_type = content.get("business_type") or ""
    if isinstance(sub_type, SubType) and business_type and sub_type.business_type != business_type:
        errors["sub_type"] = [_("业务子类与业务类型不一致。")]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], fields=errors)


def _apply_script(version: ScriptVersion, content: Mapping[str, Any]) -> None:
    for name in SCRIPT_FIELDS:
        if name not in content:
            continue
        value = content[name]
        if name == "business_type" and isinstance(content.get("sub_type"), SubType) and not value:
            value = content["sub_type"].business_type
        if name == "position":
            value = 100 if value in (None, "") else value
        elif name not in ("topic", "sub_type") and value is None:
            value = ""
        setattr(version, name, value)


@transaction.atomic
def script_create(*, actor: User, **content: Any) -> ScriptVersion:
    """A new script and its first version, a draft by ``actor``. Unknown placeholders are refused."""
    _require_author(actor)
    _check_script(content)
    now = clock.now()
    script = Script.objects.create(created_by=actor, created_at=now)
    version = ScriptVersion(script=script, number=1, author=actor, created_at=now, updated_at=now)
    _apply_script(version, content)
    version.save()
    SCRIPTS.record(version, before="", actor=actor, at=now)
    return version


@transaction.atomic
def script_draft_update(*, version: ScriptVersion, actor: User, **content: Any) -> ScriptVersion:
    _require_author(actor)
    SCRIPTS.lock(version.script_id)
    version = ScriptVersion.objects.get(pk=version.pk)
    if version.state != CaseState.DRAFT:
        raise TransitionNotAllowed(_("只能编辑草稿；已发布的话术请先生成新版本。"))
    _check_script(content)
    _apply_script(version, content)
    version.updated_at = clock.now()
    version.save()
    return version


@transaction.atomic
def script_revise(*, version: ScriptVersion, actor: User) -> ScriptVersion:
    _source, draft = version_revise(library=SCRIPTS, version=version, actor=actor, copy=SCRIPT_FIELDS)
    result: ScriptVersion = draft
    return result


def script_step(*, version: ScriptVersion, actor: User, step: str, note: str = "") -> ScriptVersion:
    result: ScriptVersion = version_step(library=SCRIPTS, version=version, actor=actor, step=step, note=note)
    return result


def published_script(version_id: Any) -> ScriptVersion | None:
    try:
        pk = int(version_id)
    except (TypeError, ValueError):
        return None
    return ScriptVersion.objects.filter(pk=pk, state=CaseState.PUBLISHED).first()


def script_citation_write(
    *, order: WorkOrder, version_id: int, transition: str, actor: User, at: dt.datetime
) -> None:
    """Inside the order's transition: the order cites this script version (kept when it is edited)."""
    ScriptCitation.objects.create(order=order, version_id=version_id, transition=transition, by=actor, at=at)
