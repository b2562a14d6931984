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
    path("report/", views.report, name="report"),
    path("orders/<str:number>/", views.order_detail, name="order"),
    path("orders/<str:number>/cancel/", views.order_cancel, name="cancel"),
]
