from django.urls import path

from powerdesk.notify import views

app_name = "notify"

urlpatterns = [
    path("customers/<int:pk>/opt-outs/", views.customer_opt_outs_edit, name="customer_opt_outs"),
    path("failed/", views.failed_list, name="failed"),
    path("<int:pk>/resend/", views.resend, name="resend"),
]
