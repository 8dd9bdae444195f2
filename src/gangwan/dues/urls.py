from django.urls import path

from . import views

app_name = "dues"
urlpatterns = [
    path("organizations/<int:pk>/", views.dues_overview, name="overview"),
    path("organizations/<int:pk>/export.xlsx", views.dues_export, name="export"),
    path("members/<int:pk>/pay/", views.dues_pay, name="pay"),
    path("members/<int:pk>/assess/", views.dues_assess, name="assess"),
    path("members/<int:pk>/reassess/", views.dues_reassess, name="reassess"),
    path("members/<int:pk>/reduce/", views.dues_reduce_request, name="reduce"),
    path("reductions/", views.dues_reductions, name="reductions"),
    path("reductions/<int:pk>/decide/", views.dues_reduction_decide, name="reduction_decide"),
]
