from django.urls import path

from powerdesk.applications import views

app_name = "applications"

urlpatterns = [
    path("", views.steps, name="steps"),
    path("new/", views.start, name="start"),
    path("<str:number>/steps/<int:pk>/complete/", views.step_complete, name="step_complete"),
    path("<str:number>/steps/<int:pk>/return/", views.step_return, name="step_return"),
    path("<str:number>/steps/<int:pk>/documents/", views.document_receive, name="document_receive"),
    path("<str:number>/document-requests/", views.document_request, name="document_request"),
    path("<str:number>/kind/", views.kind_change, name="kind_change"),
    path("<str:number>/notice/", views.notice, name="notice"),
]
