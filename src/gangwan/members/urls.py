from django.urls import path

from . import views, views_sheets

app_name = "members"
urlpatterns = [
    path("", views.member_list, name="list"),
    path("new/", views.member_create, name="create"),
    path("inactive/", views.member_inactive, name="inactive"),
    path("import/", views_sheets.member_import_view, name="import"),
    path("import/template/", views_sheets.member_import_template, name="import_template"),
    path("import/report/<str:token>/", views_sheets.member_import_report, name="import_report"),
    path("export/", views_sheets.member_export, name="export"),
    path("<int:pk>/", views.member_detail, name="detail"),
    path("<int:pk>/edit/", views.member_edit, name="edit"),
    path("<int:pk>/archive/", views.member_archive, name="archive"),
    path("<int:pk>/reveal/", views.member_reveal, name="reveal"),
]
