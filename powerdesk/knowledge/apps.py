from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    name = "powerdesk.knowledge"
    label = "knowledge"
    verbose_name = _("案例库")

    def ready(self) -> None:
        from powerdesk.core import refcache
        from powerdesk.knowledge import extension
        from powerdesk.knowledge.models import CaseRight

        refcache.watch(CaseRight)
        # How cases reach the order (workorders cannot import this app): the cited case on 处理完成 and
        # 回单, its line on the timeline, and the relevant cases beside the order.
        extension.register()
        from powerdesk.knowledge import exports

        exports.register()  # an assignment's learning progress as Excel
