from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RiskConfig(AppConfig):
    name = "powerdesk.risk"
    label = "risk"
    verbose_name = _("投诉风险预警")

    def ready(self) -> None:
        from powerdesk.core import refcache
        from powerdesk.risk import extension
        from powerdesk.risk.models import RiskFactor, RiskPolicy

        # The weights and the threshold are read on every contact and transition (the lexicon is
        # triage's, watched there).
        refcache.watch(RiskFactor, RiskPolicy)
        # How the risk app plugs into the order (workorders cannot import it).
        extension.register()
