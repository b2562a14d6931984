from django.urls import path

from powerdesk.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-in/code/", views.verify, name="verify"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("privacy/", views.consent, name="consent"),
    path("accounts/bind/", views.bind, name="bind"),
    path("accounts/<str:account_no>/", views.account_detail, name="account"),
    path("accounts/<str:account_no>/unbind/", views.unbind, name="unbind"),
    path("report/", views.report, name="report"),
    path("orders/<str:number>/", views.order_detail, name="order"),
    path("orders/<str:number>/cancel/", views.order_cancel, name="cancel"),
    path("orders/<str:number>/documents/", views.order_document, name="order_document"),
    path("apply/", views.apply_kinds, name="apply_kinds"),
    path("apply/<str:code>/", views.apply, name="apply"),
    path("apply/<str:code>/proof/", views.apply_proof, name="apply_proof"),
    path("apply/<str:code>/proof/code/", views.apply_proof_code, name="apply_proof_code"),
]
