from django.urls import path

from . import views

app_name = "brands"
urlpatterns = [
    path("", views.brand_list, name="list"),
    path("new/", views.brand_create, name="create"),
    path("export.xlsx", views.export_brands, name="export"),
    path("records/export.xlsx", views.export_records, name="export_records"),
    path("<int:pk>/", views.brand_detail, name="detail"),
    path("<int:pk>/edit/", views.brand_edit, name="edit"),
    path("<int:pk>/records/new/", views.record_create, name="record_create"),
    path("<int:pk>/problems/new/", views.problem_report, name="problem_report"),
    path("<int:pk>/events/new/", views.event_create, name="event_create"),
    path("problems/", views.problem_list, name="problems"),
    path("problems/export.xlsx", views.export_problems, name="export_problems"),
    path("problems/<int:pk>/", views.problem_detail, name="problem"),
    path(
        "problems/<int:pk>/<str:action>/",
        views.problem_action,
        name="problem_action",
    ),
    path("events/", views.event_list, name="events"),
    path("events/<int:pk>/", views.event_detail, name="event"),
    path(
        "registrations/<int:pk>/<str:action>/",
        views.registration_change,
        name="registration",
    ),
]
