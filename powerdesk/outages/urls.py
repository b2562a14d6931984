from django.urls import path

from powerdesk.outages import prediction_views, views

app_name = "outages"

urlpatterns = [
    path("", views.outage_list, name="list"),
    path("new/", views.outage_new, name="new"),
    path("events/new/", views.known_event_new, name="event_new"),
    path("events/<int:pk>/close/", views.known_event_close, name="event_close"),
    path("place/", views.place, name="place"),
    path("proofs/", prediction_views.proofs, name="proofs"),
    path("storm/", prediction_views.storm, name="storm"),
    path("storm/<int:pk>/end/", prediction_views.storm_end, name="storm_end"),
    path("<str:number>/", views.outage_detail, name="detail"),
    path("<str:number>/etr/", views.outage_etr, name="etr"),
    path("<str:number>/restore/", views.outage_restore, name="restore"),
    path("<str:number>/confirm/", views.outage_confirm, name="confirm"),
    path("<str:number>/reject/", prediction_views.outage_reject, name="reject"),
]
