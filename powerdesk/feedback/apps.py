from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "powerdesk.feedback"
    label = "feedback"
    verbose_name = _("回访与满意度")

    def ready(self) -> None:
        from powerdesk.core import refcache, seeded_names
        from powerdesk.feedback import customer_panel, extension, filters
        from powerdesk.feedback.models import CallbackRule, CallbackScript, FeedbackPolicy, TimeBand

        refcache.watch(CallbackRule, CallbackScript, FeedbackPolicy, TimeBand)
        # How the feedback app plugs into the order (workorders cannot import it).
        extension.register()
        filters.register()
        customer_panel.register()
        seeded_names.register("feedback.questionset", "question_set")
        seeded_names.register("feedback.timeband", "time_band")
