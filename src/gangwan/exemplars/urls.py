from django.urls import path

from . import views

app_name = "exemplars"
urlpatterns = [
    path("", views.index, name="index"),
    path("scheme/", views.scheme, name="scheme"),
    path("batches/new/", views.batch_create, name="batch_create"),
    path("batches/<int:pk>/", views.batch_detail, name="batch"),
    path("bases/", views.base_list, name="bases"),
    path("bases/export.xlsx", views.base_export, name="base_export"),
    path("bases/print/", views.base_print, name="base_print"),
    path("bases/<int:pk>/", views.base_detail, name="base"),
    path("bases/<int:pk>/name/", views.base_name, name="base_name"),
    path("bases/<int:pk>/assess/", views.assessment_open, name="assessment_open"),
    path("assessments/export.xlsx", views.assessment_export, name="assessment_export"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment"),
    path("assessments/<int:pk>/self/", views.self_assessment, name="self_assessment"),
    path("assessments/<int:pk>/review/", views.review, name="review"),
    path("assessments/<int:pk>/reviewers/", views.reviewers_assign, name="reviewers"),
    path("assessments/<int:pk>/notice/", views.notice_start, name="notice"),
    path("assessments/<int:pk>/award/", views.award, name="award"),
    path("objections/<int:pk>/answer/", views.objection_answer, name="objection_answer"),
    path("evidence/<int:pk>/", views.evidence, name="evidence"),
]
