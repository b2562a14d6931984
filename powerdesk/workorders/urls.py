from django.urls import path

from powerdesk.workorders import views

app_name = "workorders"

urlpatterns = [
    path("", views.order_list_page, name="list"),
    path("new/", views.order_new, name="new"),
    path("queue-counts/", views.queue_counts_fragment, name="queue_counts"),
    path("new/repeat-check/", views.repeat_check, name="repeat_check"),
    path("new/customer-orders/", views.customer_orders, name="customer_orders"),
    path("<str:number>/", views.order_detail, name="detail"),
    path("<str:number>/do/<str:code>/", views.order_transition, name="transition"),
    path("<str:number>/add-contact/", views.add_contact, name="add_contact"),
    path("<str:number>/dispatch/staff/", views.dispatch_staff, name="dispatch_staff"),
    path("<str:number>/attachments/", views.attachment_upload, name="attachment_add"),
    path("<str:number>/attachments/<int:pk>/", views.attachment_download, name="attachment"),
]
