from django.urls import path

from . import views as v

app_name = "voting"
urlpatterns = [
    path("", v.poll_list, name="list"),
    path("new/", v.poll_create, name="create"),
    path("<int:pk>/", v.poll_detail, name="detail"),
    path("<int:pk>/edit/", v.poll_edit, name="edit"),
    path("<int:pk>/candidates/", v.candidate_add, name="candidate_add"),
    path(
        "<int:pk>/candidates/<int:candidate_pk>/remove/",
        v.candidate_remove,
        name="candidate_remove",
    ),
    path("<int:pk>/recount/", v.recount, name="recount"),
    path("<int:pk>/invalidate/", v.invalidate, name="invalidate"),
    path("<int:pk>/ballots/", v.ballots, name="ballots"),
    path("<int:pk>/flags/", v.flags, name="flags"),
    path("<int:pk>/flags/scan/", v.flags_scan, name="flags_scan"),
    path("<int:pk>/flags/<int:flag_pk>/", v.flag_review, name="flag_review"),
    path("<int:pk>/results.xlsx", v.results_export, name="export"),
]
