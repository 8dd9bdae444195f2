from django.urls import path

from . import views

app_name = "appraisals"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.round_create, name="create"),
    path("<int:pk>/", views.round_detail, name="detail"),
    path("<int:pk>/grade/", views.round_grade, name="grade"),
    path("<int:pk>/export.xlsx", views.round_export, name="export"),
]
