from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "powerdesk.org"
    label = "org"
    verbose_name = _("组织与人员")
