from django.urls import path

from . import views

app_name = "transfers"
urlpatterns = [
    path("", views.transfer_list, name="list"),
    path("export.xlsx", views.transfer_export, name="export"),
    path("expired/", views.letters_expired, name="expired"),
    path("receipts-overdue/", views.receipts_overdue, name="receipts_overdue"),
    path("new/", views.transfer_create, name="create"),
    path("<int:pk>/", views.transfer_detail, name="detail"),
    path("<int:pk>/letter.pdf", views.transfer_letter, name="letter"),
    path("<int:pk>/<slug:action>/", views.transfer_action, name="action"),
]
