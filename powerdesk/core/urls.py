from django.urls import path

from powerdesk.core import views

urlpatterns = [
    path("", views.home, name="home"),
]
