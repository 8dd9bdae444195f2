from django.urls import path

from . import views, views_stations

app_name = "floating"
urlpatterns = [
    path("", views.home, name="home"),
    path("members/", views.floating_list, name="list"),
    path("members/<int:pk>/", views.floating_detail, name="detail"),
    path("members/<int:pk>/first-activity/", views.first_activity, name="first_activity"),
    path(
        "members/<int:pk>/certificate-review/",
        views.certificate_review,
        name="certificate_review",
    ),
    path("follow-up/", views.follow_up, name="follow_up"),
    path("certificates/", views.certificates, name="certificates"),
    path("register/", views_stations.register, name="register"),
    path(
        "self-registrations/",
        views_stations.self_registration_list,
        name="self_registrations",
    ),
    path(
        "self-registrations/<int:pk>/",
        views_stations.self_registration_detail,
        name="self_registration_detail",
    ),
    path(
        "self-registrations/<int:pk>/accept/",
        views_stations.self_registration_accept_view,
        name="self_registration_accept",
    ),
    path(
        "self-registrations/<int:pk>/reject/",
        views_stations.self_registration_reject_view,
        name="self_registration_reject",
    ),
    path("stations/", views_stations.station_list, name="stations"),
    path("stations/new/", views_stations.station_create, name="station_create"),
    path("stations/<int:pk>/", views_stations.station_detail, name="station_detail"),
    path("stations/<int:pk>/staff/", views_stations.station_staff_add, name="station_staff_add"),
]
