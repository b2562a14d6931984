from django.urls import path

from powerdesk.knowledge import learning_views, views

app_name = "knowledge"

urlpatterns = [
    path("cases/", views.case_search, name="search"),
    path("cases/new/", views.case_new, name="new"),
    path("cases/review/", views.review_list, name="review"),
    path("cases/learning/", learning_views.mine, name="learning_mine"),
    path("cases/learning/<int:pk>/", learning_views.read, name="learning_read"),
    path("cases/learning/<int:pk>/confirm/", learning_views.confirm, name="learning_confirm"),
    path("cases/learning/manage/", learning_views.manage, name="learning_manage"),
    path("cases/learning/manage/new/", learning_views.new, name="learning_new"),
    path("cases/learning/manage/<int:pk>/", learning_views.progress, name="learning_progress"),
    path("cases/<int:case_id>/", views.case_detail, name="detail"),
    path("cases/<int:case_id>/revise/", views.case_revise, name="revise"),
    path("cases/<int:case_id>/attachments/", views.attachment_add, name="attachment_add"),
    path("cases/<int:case_id>/attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("cases/<int:case_id>/v<int:number>/", views.case_version, name="version"),
    path("cases/<int:case_id>/v<int:number>/edit/", views.case_edit, name="edit"),
    path("cases/<int:case_id>/v<int:number>/step/", views.case_step, name="step"),
    path("scripts/", views.script_list, name="scripts"),
    path("scripts/new/", views.script_new, name="script_new"),
    path("scripts/review/", views.script_review, name="script_review"),
    path("scripts/intake/", views.intake_scripts, name="intake_scripts"),
    path("scripts/<int:script_id>/", views.script_detail, name="script_detail"),
    path("scripts/<int:script_id>/revise/", views.script_revise, name="script_revise"),
    path("scripts/<int:script_id>/v<int:number>/", views.script_version, name="script_version"),
    path("scripts/<int:script_id>/v<int:number>/edit/", views.script_edit, name="script_edit"),
    path("scripts/<int:script_id>/v<int:number>/step/", views.script_step, name="script_step"),
]
