from django.urls import path

from powerdesk.risk import views

app_name = "risk"

urlpatterns = [
    path("", views.orders, name="orders"),
]
