from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.landing, name="landing"),
    path("find-a-home/", views.find_a_home, name="find_a_home"),
    path("find-a-home/verify/", views.verify, name="verify"),
    path("find-a-home/resend/", views.resend, name="resend"),
    path("find-a-home/thanks/", views.thanks, name="thanks"),
]
