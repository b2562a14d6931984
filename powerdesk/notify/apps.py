from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "powerdesk.notify"
    label = "notify"
    verbose_name = _("通知")

    def ready(self) -> None:
        from powerdesk.core import refcache
        from powerdesk.notify import extension
        from powerdesk.notify.models import (
            CustomerMessageRule,
            NotificationCategory,
            NotificationTemplate,
            QuietHours,
        )

        # The rules, templates and quiet hours are read on every intake, transition and sweep: cached,
        # cleared on a save.
        refcache.watch(CustomerMessageRule, NotificationCategory, NotificationTemplate, QuietHours)
        # How notify tells the customer at each step of the order (workorders cannot import it).
        extension.register()
