from django.urls import path

from . import views, views_groups

app_name = "activities"
urlpatterns = [
    path("", views.activity_list, name="list"),
    path("export.xlsx", views.activity_export, name="export"),
    path("new/", views.activity_create, name="create"),
    path("<int:pk>/", views.activity_detail, name="detail"),
    path("<int:pk>/edit/", views.activity_edit, name="edit"),
    path("<int:pk>/record.pdf", views.activity_pdf, name="pdf"),
    path("<int:pk>/files/<int:attachment_pk>/", views.attachment_download, name="attachment"),
    path(
        "<int:pk>/files/<int:attachment_pk>/remove/",
        views.attachment_remove,
        name="attachment_remove",
    ),
    path(
        "<int:pk>/decisions/<int:decision_pk>/remove/",
        views.decision_remove,
        name="decision_remove",
    ),
    path("organizations/<int:org_pk>/groups/", views_groups.group_list, name="groups"),
    path("organizations/<int:org_pk>/groups/new/", views_groups.group_create, name="group_create"),
    path("organizations/<int:org_pk>/groups/<int:pk>/", views_groups.group_edit, name="group_edit"),
    path(
        "organizations/<int:org_pk>/groups/<int:pk>/dissolve/",
        views_groups.group_dissolve,
        name="group_dissolve",
    ),
]
