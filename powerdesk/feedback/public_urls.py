"""Pages customers open without signing in: throttled, under the public base URL."""

from django.urls import path

from powerdesk.feedback import views

app_name = "feedback_public"

urlpatterns = [
    path("s/<str:token>/", views.survey, name="survey"),
    path("hall/<int:hall>/", views.opinion, name="opinion"),
]
