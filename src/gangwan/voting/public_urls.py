from django.urls import path  # noqa: F401

app_name = "voting_public"
urlpatterns: list = []
