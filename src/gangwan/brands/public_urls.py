from django.urls import path  # noqa: F401

app_name = "brands_public"
urlpatterns: list = []
