from django.urls import path

from . import public_views

app_name = "exemplars_public"
urlpatterns = [
    path("", public_views.index, name="index"),
    path("bases/<int:pk>/", public_views.base, name="base"),
    path("photos/<int:pk>/", public_views.photo, name="photo"),
    path("notices/<int:pk>/", public_views.notice, name="notice"),
]
