from django.urls import path

from powerdesk.portal import hall_views

app_name = "hall"

urlpatterns = [
    path("proofs/", hall_views.proofs, name="proofs"),
    path("proofs/<int:pk>/confirm/", hall_views.proof_confirm, name="proof_confirm"),
    path("proofs/<int:pk>/reject/", hall_views.proof_reject, name="proof_reject"),
]
