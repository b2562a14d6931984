from django.urls import path

from powerdesk.notify import views

app_name = "notify"

urlpatterns = [
    path("customers/<int:pk>/opt-outs/", views.customer_opt_outs_edit, name="customer_opt_outs"),
]
