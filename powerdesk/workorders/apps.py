from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkordersConfig(AppConfig):
    name = "powerdesk.workorders"
    label = "workorders"
    verbose_name = _("工单")

    def ready(self) -> None:
        from powerdesk.core import refcache
        from powerdesk.workorders.models import (
            PriorityRule,
            RepeatCallAction,
            RepeatCallRule,
            RoutingRule,
            SubType,
            Topic,
            WorkQueue,
        )

        # Reference rows cached per process by the hot paths: a save here clears the cache at once.
        refcache.watch(Topic, SubType, RepeatCallRule, RepeatCallAction, PriorityRule, RoutingRule, WorkQueue)

        from powerdesk.workorders import customer_panels, exports, extensions, link_filters, reveal, timeline
        from powerdesk.workorders.services.repeats import repeat_resolver

        extensions.intake_resolvers.register("workorders", "repeat_call", repeat_resolver, position=100)
        timeline.register()
        customer_panels.register()
        link_filters.register()
        reveal.register()
        exports.register()

        from powerdesk.core import seeded_names

        seeded_names.register("workorders.subtype", "sub_type")
