from django.urls import path  # noqa: F401

app_name = "cobuild_public"
urlpatterns: list = []
