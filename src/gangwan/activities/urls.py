from django.urls import path

from . import views

app_name = "activities"
urlpatterns = [
    path("", views.activity_list, name="list"),
    path("export.xlsx", views.activity_export, name="export"),
    path("new/", views.activity_create, name="create"),
    path("<int:pk>/", views.activity_detail, name="detail"),
    path("<int:pk>/edit/", views.activity_edit, name="edit"),
    path("<int:pk>/record.pdf", views.activity_pdf, name="pdf"),
    path("<int:pk>/files/<int:attachment_pk>/", views.attachment_download, name="attachment"),
]
