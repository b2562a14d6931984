from django.urls import path

from powerdesk.complaints import views

app_name = "complaints"

urlpatterns = [
    path("rectifications/", views.rectification_list, name="rectifications"),
    path("rectifications/<int:pk>/close/", views.rectification_close, name="rectification_close"),
    path("<str:number>/", views.record_edit, name="record"),
    path("<str:number>/judge/", views.judge, name="judge"),
    path("<str:number>/praise/", views.praise_edit, name="praise"),
]
