from django.urls import path

from powerdesk.customers import views

app_name = "customers"

urlpatterns = [
    path("", views.customer_search_page, name="search"),
    path("id/<int:pk>/", views.customer_detail_by_id, name="detail_id"),
    path("<str:account_no>/", views.customer_detail, name="detail"),
]
