from django.urls import path

from powerdesk.reliability import views

app_name = "reliability"

urlpatterns = [
    path("", views.reliability, name="report"),
]
