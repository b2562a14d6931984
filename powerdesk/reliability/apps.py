from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReliabilityConfig(AppConfig):
    name = "powerdesk.reliability"
    label = "reliability"
    verbose_name = _("供电可靠性")
