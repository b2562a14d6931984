from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TriageConfig(AppConfig):
    name = "powerdesk.triage"
    label = "triage"
    verbose_name = _("来电分诊")

    def ready(self) -> None:
        from powerdesk.core import refcache
        from powerdesk.triage import extension
        from powerdesk.triage.models import LexiconTerm, ModelVersion

        # The lexicon is read on every suggestion and every risk score; the active model on every
        # suggestion. A save clears this process's cache; others follow within the TTL.
        refcache.watch(LexiconTerm, ModelVersion)
        extension.register()
