from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from powerdesk.core import services
from powerdesk.core.models import CalendarDay, CalendarYear, HolidayRule


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ["year", "origin", "source", "loaded_at"]
    list_filter = ["origin"]
    actions = ["reload_from_package"]

    @admin.action(description=_("从 chinese-calendar 重新导入所选年份"))
    def reload_from_package(self, request, queryset):
        loaded = services.calendar_load_package([y.year for y in queryset])
        self.message_user(
            request, _("已导入：%(years)s") % {"years": ", ".join(map(str, loaded)) or "-"}, messages.INFO
        )


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "is_workday", "name", "derived"]
    list_filter = ["is_workday", "derived", ("date", admin.DateFieldListFilter)]
    list_editable = ["is_workday", "name"]
    search_fields = ["name"]
    date_hierarchy = "date"


@admin.register(HolidayRule)
class HolidayRuleAdmin(admin.ModelAdmin):
    """The rule's rows; the derived years follow a change at once (their clocks re-timed)."""

    list_display = ["festival", "days", "first_day_offset", "valid_from", "source_note"]
    list_filter = ["festival", "valid_from"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self._derive_again(request)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        self._derive_again(request)

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        self._derive_again(request)

    def _derive_again(self, request):
        changed = services.calendar_sync()
        if changed.years:
            self.message_user(
                request,
                _("已按规则重新推算：%(years)s") % {"years": ", ".join(map(str, changed.years))},
                messages.INFO,
            )
