from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutagesConfig(AppConfig):
    name = "powerdesk.outages"
    label = "outages"
    verbose_name = _("停电管理")

    def ready(self) -> None:
        # How outages plug in (workorders, customers and grid cannot import it): the intake resolver, the
        # customer page's panel and API field, and the marks on the topology tree.
        from powerdesk.outages import exports, extension, intake, prediction

        intake.register()
        extension.register()
        prediction.register()
        exports.register()  # the outage list as Excel
