from django.urls import path

from powerdesk.audit import views

app_name = "audit"

urlpatterns = [
    path("", views.entry_list, name="list"),
    path("export.csv", views.entry_export, name="export"),
    path("reveal/", views.reveal_value, name="reveal"),
]
