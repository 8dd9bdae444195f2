from django.urls import path

from . import exports, views

app_name = "pioneers"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.selection_create, name="create"),
    path("<int:pk>/", views.selection_detail, name="detail"),
    path("<int:pk>/advance/<str:step>/", views.selection_advance, name="advance"),
    path("<int:pk>/nominate/", views.nomination_create, name="nominate"),
    path("<int:pk>/review-queue/", views.review_queue, name="queue"),
    path("<int:pk>/ranking/", views.ranking, name="ranking"),
    path("<int:pk>/objections/", views.objections, name="objections"),
    path("<int:pk>/nominations.xlsx", exports.nominations_xlsx, name="export_nominations"),
    path("<int:pk>/review-scores.xlsx", exports.reviews_xlsx, name="export_reviews"),
    path("<int:pk>/results.xlsx", exports.results_xlsx, name="export_results"),
    path("nominations/<int:pk>/", views.nomination_detail, name="nomination"),
    path("nominations/<int:pk>/review/", views.nomination_review, name="review"),
    path("nominations/<int:pk>/photos/", views.nomination_photos, name="nomination_photos"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("objections/<int:pk>/answer/", views.objection_answer, name="answer"),
    path("pioneer/<int:pk>/", views.pioneer_detail, name="pioneer"),
    path("pioneer/<int:pk>/learning/", views.learning_link, name="learning_link"),
    path("learning/<int:pk>/remove/", views.learning_unlink, name="learning_unlink"),
]
