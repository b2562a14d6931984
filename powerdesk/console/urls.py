from django.urls import path

from powerdesk.console import views

urlpatterns = [
    path("", views.home, name="home"),
]
