from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "powerdesk.analytics"
    label = "analytics"
    verbose_name = _("统计分析")

    def ready(self) -> None:
        from powerdesk.analytics import extension, filters
        from powerdesk.core import refcache
        from powerdesk.org.models import UnitHead

        # The dashboards' drill-down filters of the order list, and the malicious-demand flag on the order.
        filters.register()
        extension.register()

        # Who heads a unit decides who sees the quality view (selectors.user_sees_quality), read on every
        # console page for the navigation: cached, cleared when a head changes.
        refcache.watch(UnitHead)

        from powerdesk.analytics import dashboard_exports, exports

        exports.register()
        dashboard_exports.register()
