from django.urls import path

from powerdesk.customers import views

app_name = "customers"

urlpatterns = [
    path("", views.customer_search_page, name="search"),
    path("<str:account_no>/", views.customer_detail, name="detail"),
]
