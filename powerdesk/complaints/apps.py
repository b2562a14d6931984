from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "powerdesk.complaints"
    label = "complaints"
    verbose_name = _("投诉管理")

    def ready(self) -> None:
        from powerdesk.complaints import extension, filters
        from powerdesk.complaints.models import RepeatComplaintRule
        from powerdesk.core import refcache, seeded_names

        refcache.watch(RepeatComplaintRule)

        # How complaints plug into the order (workorders cannot import this app): the record written at
        # opening, its panel and API field, the timeline's kinds and presenter.
        extension.register()
        filters.register()  # the order list's 重复投诉 filter
        seeded_names.register("complaints.severity", "severity")
        seeded_names.register("complaints.checklist", "checklist")

        from powerdesk.complaints import exports

        exports.register()  # the rectification list as Excel
