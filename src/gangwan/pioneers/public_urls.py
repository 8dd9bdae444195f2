from django.urls import path

from . import public_views as v

app_name = "pioneers_public"
urlpatterns = [
    path("", v.index, name="index"),
    path("<int:pk>/", v.selection, name="selection"),
    path("<int:pk>/notice/", v.notice, name="notice"),
    path("candidates/<int:pk>/", v.candidate, name="candidate"),
    path("pioneer/<int:pk>/", v.pioneer, name="pioneer"),
    path("photos/<int:pk>/", v.photo, name="photo"),
    path("objection/verify/", v.objection_verify, name="objection_verify"),
    path("objection/thanks/", v.objection_thanks, name="objection_thanks"),
]
