from django.contrib import admin

from powerdesk.reliability.models import ReliabilitySettings


@admin.register(ReliabilitySettings)
class ReliabilitySettingsAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "dlt_cutoff_seconds",
        "ieee_cutoff_seconds",
        "med_beta_multiplier",
        "med_history_years",
    )
