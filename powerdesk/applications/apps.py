from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    name = "powerdesk.applications"
    label = "applications"
    verbose_name = _("业务办理")

    def ready(self) -> None:
        from powerdesk.applications import extension, retiming
        from powerdesk.core import seeded_names

        # How applications plug into the order (workorders cannot import this app): the order page's
        # panel, the API detail field, the timeline's kinds and presenter.
        extension.register()
        retiming.register()  # the step clocks follow a change of the working-day calendar
        # the seeded kinds, steps and documents in the reader's language (applications.seeded)
        seeded_names.register("applications.applicationkind", "application_kind")
        seeded_names.register("applications.steptemplate", "application_step")
        seeded_names.register("applications.returnreason", "return_reason")
        seeded_names.register("applications.documenttype", "document")
