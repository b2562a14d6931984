from django.urls import path

from powerdesk.exports import views

app_name = "exports"

urlpatterns = [
    path("", views.job_list, name="list"),
    path("start/<str:code>/", views.start, name="start"),
    path("<int:pk>/", views.job_detail, name="detail"),
    path("<int:pk>/status/", views.job_status, name="status"),
    path("<int:pk>/download/", views.job_download, name="download"),
]
