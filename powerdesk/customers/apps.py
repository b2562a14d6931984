from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "powerdesk.customers"
    label = "customers"
    verbose_name = _("客户")

    def ready(self) -> None:
        from powerdesk.customers import reveal

        reveal.register()
