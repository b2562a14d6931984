"""The audit trail: one append-only table (the database refuses UPDATE, DELETE and TRUNCATE, as on the
order timeline; migration 0001)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from powerdesk.core import clock


class AuditEntry(models.Model):
    """Who (``actor``, ``actor_name``) did or saw what (``kind``, ``target``), whose (``subject``), when
    (``at``), from where (``address``), why (``reason``). Stored as codes and data (``data``); the kind's
    label and the details are rendered in the reader's language when read (:mod:`powerdesk.audit.kinds`)."""

    at = models.DateTimeField(_("时间"), default=clock.now)
    kind = models.CharField(_("类别"), max_length=40)
    # PROTECT: an audited user is deactivated, never deleted (deleting would rewrite the trail).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    # The login name as it was used: kept for failed logins of unknown names, and for searching by name.
    actor_name = models.CharField(_("登录名"), max_length=150, blank=True)
    target = models.CharField(_("对象"), max_length=200, blank=True)
    subject = models.CharField(_("当事人"), max_length=200, blank=True)
    reason = models.CharField(_("事由"), max_length=500, blank=True)
    address = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    data = models.JSONField(_("详情"), default=dict, blank=True)

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-at", "-id"]
        # The console and the API list newest first, filtered by one of these (and a date range).
        indexes = [
            models.Index(fields=["-at", "-id"], name="audit_at"),
            models.Index(fields=["kind", "-at"], name="audit_kind_at"),
            models.Index(fields=["actor_name", "-at"], name="audit_actor_at"),
            models.Index(fields=["subject", "-at"], name="audit_subject_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.kind} {self.actor_name}"
