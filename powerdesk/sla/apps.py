from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "powerdesk.sla"
    label = "sla"
    verbose_name = _("服务时限")

    def ready(self) -> None:
        from powerdesk.core import refcache
        from powerdesk.sla import extension, filters, retiming
        from powerdesk.sla.models import EscalationStep, SlaPolicy, SuspendReason

        # Reference rows cached per process by the hot paths: a save here clears the cache at once.
        refcache.watch(SlaPolicy, EscalationStep, SuspendReason)
        # How the SLA app plugs into the order (workorders cannot import it): hooks, panels, inputs,
        # timeline, and the order list's breached filter and due sort key.
        extension.register()
        filters.register()
        # The calendar (core) cannot import the clocks: a change of its working days re-times them here.
        retiming.register()

        from powerdesk.core import seeded_names

        seeded_names.register("sla.slapolicy", "policy")
        seeded_names.register("sla.suspendreason", "suspend_reason")
