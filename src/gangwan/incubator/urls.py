from django.urls import path

from . import views

app_name = "incubator"
urlpatterns = [
    path("", views.incubator_index, name="index"),
    path("reservoirs/<int:pk>/", views.reservoir_detail, name="reservoir"),
    path("reservoirs/<int:pk>/recheck/", views.reservoir_recheck, name="reservoir_recheck"),
    path("<int:pk>/", views.incubation_detail, name="detail"),
    path("<int:pk>/propose/", views.incubation_propose, name="propose"),
    path("<int:pk>/decide/", views.incubation_decide, name="decide"),
    path("<int:pk>/establish/", views.incubation_establish, name="establish"),
]
