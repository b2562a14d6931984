from django.urls import path

from powerdesk.grid import views

app_name = "grid"

urlpatterns = [
    path("", views.tree, name="tree"),
    path("devices/<int:pk>/children/", views.children, name="children"),
    path("exchange/", views.exchange_page, name="exchange"),
    path("export/", views.export, name="export"),
]
