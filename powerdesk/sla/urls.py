from django.urls import path

from powerdesk.sla import views

app_name = "sla"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("at-risk/", views.at_risk, name="at_risk"),
]
