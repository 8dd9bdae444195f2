from django.urls import path

from . import views

app_name = "organizations"
urlpatterns = [
    path("", views.organization_list, name="list"),
    path("new/", views.organization_create, name="create"),
    path("terms/", views.terms_ending, name="terms"),
    path("coverage/", views.coverage, name="coverage"),
    path("<int:pk>/", views.organization_detail, name="detail"),
    path("<int:pk>/edit/", views.organization_edit, name="edit"),
    path("<int:pk>/move/", views.organization_move, name="move"),
    path("<int:pk>/dissolve/", views.organization_dissolve, name="dissolve"),
    path("<int:pk>/offices/new/", views.office_assign, name="office_assign"),
    path("<int:pk>/offices/<int:office_pk>/end/", views.office_end, name="office_end"),
    path("<int:pk>/terms/new/", views.term_start, name="term_start"),
]
