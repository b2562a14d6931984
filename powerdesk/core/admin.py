from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from powerdesk.core import workdays
from powerdesk.core.models import CalendarDay, CalendarYear


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ["year", "source", "loaded_at"]
    actions = ["reload_from_package"]

    @admin.action(description=_("从 chinese-calendar 重新导入所选年份"))
    def reload_from_package(self, request, queryset):
        loaded = workdays.load_from_chinese_calendar([y.year for y in queryset])
        self.message_user(
            request, _("已导入：%(years)s") % {"years": ", ".join(map(str, loaded)) or "-"}, messages.INFO
        )


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "is_workday", "name"]
    list_filter = ["is_workday", ("date", admin.DateFieldListFilter)]
    list_editable = ["is_workday", "name"]
    search_fields = ["name"]
    date_hierarchy = "date"
