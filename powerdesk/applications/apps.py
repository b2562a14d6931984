from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    name = "powerdesk.applications"
    label = "applications"
    verbose_name = _("业务办理")

    def ready(self) -> None:
        from powerdesk.applications import extension, retiming

        # How applications plug into the order (workorders cannot import this app): the order page's
        # panel, the API detail field, the timeline's kinds and presenter.
        extension.register()
        retiming.register()  # the step clocks follow a change of the working-day calendar
