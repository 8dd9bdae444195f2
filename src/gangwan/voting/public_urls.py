from django.urls import path

from . import public_views as v

app_name = "voting_public"
urlpatterns = [
    path("", v.poll_list, name="list"),
    path("<int:pk>/", v.poll_detail, name="poll"),
    path("<int:pk>/verify/", v.verify, name="verify"),
    path("<int:pk>/cast/", v.cast, name="cast"),
    path("<int:pk>/thanks/<str:receipt>/", v.thanks, name="thanks"),
    path("<int:pk>/results/", v.results, name="results"),
]
