from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "powerdesk.customers"
    label = "customers"
    verbose_name = _("客户")

    def ready(self) -> None:
        from powerdesk.customers import reveal

        reveal.register()

        from powerdesk.customers import supply

        # The grid's tree view counts the customers below each device (grid cannot import customers).
        supply.register()
