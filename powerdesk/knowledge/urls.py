from django.urls import path

from powerdesk.knowledge import learning_views, views

app_name = "knowledge"

urlpatterns = [
    path("", views.case_search, name="search"),
    path("new/", views.case_new, name="new"),
    path("review/", views.review_list, name="review"),
    path("learning/", learning_views.mine, name="learning_mine"),
    path("learning/<int:pk>/", learning_views.read, name="learning_read"),
    path("learning/<int:pk>/confirm/", learning_views.confirm, name="learning_confirm"),
    path("learning/manage/", learning_views.manage, name="learning_manage"),
    path("learning/manage/new/", learning_views.new, name="learning_new"),
    path("learning/manage/<int:pk>/", learning_views.progress, name="learning_progress"),
    path("learning/manage/<int:pk>/export/", learning_views.export, name="learning_export"),
    path("<int:case_id>/", views.case_detail, name="detail"),
    path("<int:case_id>/revise/", views.case_revise, name="revise"),
    path("<int:case_id>/attachments/", views.attachment_add, name="attachment_add"),
    path("<int:case_id>/attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("<int:case_id>/v<int:number>/", views.case_version, name="version"),
    path("<int:case_id>/v<int:number>/edit/", views.case_edit, name="edit"),
    path("<int:case_id>/v<int:number>/step/", views.case_step, name="step"),
]
