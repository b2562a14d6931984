from django.urls import path

from powerdesk.feedback import views

app_name = "feedback"

urlpatterns = [
    path("follow-ups/", views.follow_ups, name="follow_ups"),
    path("follow-ups/<int:pk>/close/", views.follow_up_close, name="follow_up_close"),
    path("opinions/", views.opinions, name="opinions"),
    path("halls/<int:pk>/qr/", views.hall_qr, name="hall_qr"),
    path("campaigns/", views.campaign_list, name="campaigns"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign"),
]
