from django.urls import path

from powerdesk.triage import views

app_name = "triage"

urlpatterns = [
    path("suggest/", views.suggestion, name="suggest"),
    path("models/", views.models_page, name="models"),
    path("models/train/", views.train, name="train"),
    path("models/<int:pk>/activate/", views.activate, name="activate"),
]
