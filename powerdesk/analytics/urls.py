from django.urls import path

from powerdesk.analytics import report_views, views

app_name = "analytics"

urlpatterns = [
    path("quality/", views.quality, name="quality"),
    path("quality/export/", views.quality_export, name="quality_export"),
    path("reports/", report_views.report_list, name="reports"),
    path("reports/<int:pk>/", report_views.report_detail, name="report"),
    path("reports/<int:pk>/pdf/", report_views.report_pdf, name="report_pdf"),
]
