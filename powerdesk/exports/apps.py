from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExportsConfig(AppConfig):
    name = "powerdesk.exports"
    label = "exports"
    verbose_name = _("导出")

    def ready(self) -> None:
        from powerdesk.exports import tasks  # noqa: F401  (the export job and the periodic cleanup)
