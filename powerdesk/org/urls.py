from django.urls import path

from powerdesk.org import views

urlpatterns = [
    path("", views.second_factor_verify, name="second_factor_verify"),
    path("enrol/", views.second_factor_enrol, name="second_factor_enrol"),
]
