from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "powerdesk.core"
    label = "core"
    verbose_name = _("基础")

    def ready(self) -> None:
        from powerdesk.core import lookups, refcache
        from powerdesk.core.dbroles import grant_after_migrate
        from powerdesk.core.dbtypes import use_c_timestamptz_loader
        from powerdesk.core.models import CalendarDay, CalendarYear

        # Reference rows cached per process by the hot paths: a save here clears the cache at once.
        refcache.watch(CalendarDay, CalendarYear)
        assert lookups.Any_.lookup_name == "any"  # registered on import
        # The application role's rights, in every database the owner migrates (the test databases too).
        post_migrate.connect(grant_after_migrate, sender=self, dispatch_uid="core.grant_after_migrate")
        connection_created.connect(use_c_timestamptz_loader, dispatch_uid="core.c_timestamptz_loader")
