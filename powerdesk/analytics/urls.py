from django.urls import path

from powerdesk.analytics import views

app_name = "analytics"

urlpatterns = [
    path("quality/", views.quality, name="quality"),
    path("quality/export/", views.quality_export, name="quality_export"),
]
