from django.urls import path

from powerdesk.privacy import views

app_name = "privacy"

urlpatterns = [
    path("", views.requests_page, name="requests"),
    path("export/", views.export, name="export"),
    path("correct/", views.correct, name="correct"),
    path("erase/", views.erase, name="erase"),
    path("holds/", views.hold_place, name="hold_place"),
    path("holds/<int:pk>/release/", views.hold_release, name="hold_release"),
]
