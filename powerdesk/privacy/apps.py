from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "powerdesk.privacy"
    label = "privacy"
    verbose_name = _("隐私与保存期限")

    def ready(self) -> None:
        from powerdesk.privacy import tasks  # noqa: F401  (the periodic anonymisation)
