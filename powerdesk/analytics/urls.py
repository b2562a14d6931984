from django.urls import path

from powerdesk.analytics import dashboard_views, report_views, views

app_name = "analytics"

urlpatterns = [
    path("", dashboard_views.manager, name="dashboard"),
    path("unit/", dashboard_views.unit_head, name="unit_dashboard"),
    path("orders/<str:number>/malicious/", dashboard_views.malicious, name="malicious"),
    path("quality/", views.quality, name="quality"),
    path("quality/export/", views.quality_export, name="quality_export"),
    path("reports/", report_views.report_list, name="reports"),
    path("reports/<int:pk>/", report_views.report_detail, name="report"),
    path("reports/<int:pk>/pdf/", report_views.report_pdf, name="report_pdf"),
]
