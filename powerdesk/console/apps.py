from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsoleConfig(AppConfig):
    """The console's own pages (the home page): the top layer, which may read every app."""

    name = "powerdesk.console"
    label = "console"
    verbose_name = _("工作台")
