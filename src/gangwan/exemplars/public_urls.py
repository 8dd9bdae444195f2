from django.urls import path  # noqa: F401

app_name = "exemplars_public"
urlpatterns: list = []
