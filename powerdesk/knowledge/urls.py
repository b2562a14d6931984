from django.urls import path

from powerdesk.knowledge import views

app_name = "knowledge"

urlpatterns = [
    path("", views.case_search, name="search"),
    path("new/", views.case_new, name="new"),
    path("review/", views.review_list, name="review"),
    path("<int:case_id>/", views.case_detail, name="detail"),
    path("<int:case_id>/revise/", views.case_revise, name="revise"),
    path("<int:case_id>/attachments/", views.attachment_add, name="attachment_add"),
    path("<int:case_id>/attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("<int:case_id>/v<int:number>/", views.case_version, name="version"),
    path("<int:case_id>/v<int:number>/edit/", views.case_edit, name="edit"),
    path("<int:case_id>/v<int:number>/step/", views.case_step, name="step"),
]
