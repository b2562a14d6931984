"""A kind's step template, read once for the rules (:mod:`powerdesk.applications.rules`)."""

from __future__ import annotations

from powerdesk.applications import rules
from powerdesk.applications.models import ApplicationKind, DocumentType, StepTemplate


def kind_steps(kind: ApplicationKind) -> list[StepTemplate]:
    return list(kind.steps.select_related("role").prefetch_related("documents").order_by("seq", "id"))


def template_steps(templates: list[StepTemplate]) -> list[rules.TemplateStep]:
    return [
        rules.TemplateStep(
            id=t.pk,
            seq=t.seq,
            optional=t.optional,
            # in the order the documents were entered (the seed's order: the usual order of the list)
            documents=tuple(d.code for d in sorted(t.documents.all(), key=lambda d: d.pk)),
        )
        for t in templates
    ]


def kind_notice(kind: ApplicationKind) -> list[DocumentType]:
    """The documents told once at acceptance (:func:`rules.notice_list`), as rows in that order."""
    codes = rules.notice_list(template_steps(kind_steps(kind)))
    by_code = {d.code: d for d in DocumentType.objects.filter(code__in=codes)}
    return [by_code[c] for c in codes if c in by_code]


def kinds_notices() -> list[tuple[ApplicationKind, list[DocumentType]]]:
    """Every active kind with its 一次性告知 documents, in three queries (the intake form shows them all)."""
    kinds = list(
        ApplicationKind.objects.filter(is_active=True)
        .prefetch_related("steps__documents")
        .order_by("sort_order")
    )
    every: dict[str, DocumentType] = {}
    lists = []
    for kind in kinds:
        templates = sorted(kind.steps.all(), key=lambda t: (t.seq, t.pk))
        for template in templates:
            every.update({d.code: d for d in template.documents.all()})
        lists.append((kind, [every[c] for c in rules.notice_list(template_steps(templates))]))
    return lists


def notice_names(codes: list[str]) -> list[str]:
    """The stored names of documents by code, in that order (the customer's SMS is in Chinese)."""
    by_code = dict(DocumentType.objects.filter(code__in=codes).values_list("code", "name"))
    return [by_code[c] for c in codes if c in by_code]
