from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "powerdesk.org"
    label = "org"
    verbose_name = _("组织与人员")

    def ready(self) -> None:
        from powerdesk.core import refcache
        from powerdesk.org.models import FieldPolicy

        # The masking policy is read on every page (org.masking): cached, cleared when a rule changes.
        refcache.watch(FieldPolicy)
