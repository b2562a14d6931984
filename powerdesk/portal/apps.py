from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "powerdesk.portal"
    label = "portal"
    verbose_name = _("网上营业厅")

    def ready(self) -> None:
        from powerdesk.core import refcache
        from powerdesk.portal.models import HallProofRole, PortalSettings, ProofRule, ReportKind

        refcache.watch(HallProofRole, PortalSettings, ProofRule, ReportKind)
