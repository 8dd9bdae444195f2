from django.urls import path

from . import views, views_projects

app_name = "cobuild"
urlpatterns = [
    path("", views.need_list, name="index"),
    path("needs/", views.need_list, name="needs"),
    path("needs/new/", views.need_create, name="need_create"),
    path("needs/export/", views.need_export, name="need_export"),
    path("needs/<int:pk>/", views.need_detail, name="need"),
    path("needs/<int:pk>/moderate/", views.need_moderate, name="need_moderate"),
    path("needs/<int:pk>/claim/", views.need_claim, name="need_claim"),
    path("needs/<int:pk>/close/", views.need_close, name="need_close"),
    path("photos/<int:pk>/", views.need_photo, name="photo"),
    path("resources/", views.resource_list, name="resources"),
    path("resources/new/", views.resource_create, name="resource_create"),
    path("resources/export/", views.resource_export, name="resource_export"),
    path("resources/<int:pk>/", views.resource_detail, name="resource"),
    path("resources/<int:pk>/withdraw/", views.resource_withdraw, name="resource_withdraw"),
    path("exchanges/new/", views.exchange_create, name="exchange_create"),
    path("councils/", views_projects.council_list, name="councils"),
    path("councils/new/", views_projects.council_create, name="council_create"),
    path("councils/<int:pk>/", views_projects.council_detail, name="council"),
    path("councils/<int:pk>/meetings/", views_projects.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", views_projects.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/agenda/", views_projects.agenda_add, name="agenda_add"),
    path(
        "meetings/<int:pk>/items/<int:item_pk>/decide/",
        views_projects.deliberation_decide,
        name="decide",
    ),
    path("projects/", views_projects.project_list, name="projects"),
    path("projects/new/", views_projects.project_create, name="project_create"),
    path("projects/export/", views_projects.project_export, name="project_export"),
    path("projects/<int:pk>/", views_projects.project_detail, name="project"),
    path("projects/<int:pk>/milestones/", views_projects.milestone_add, name="milestone_add"),
    path(
        "projects/<int:pk>/milestones/<int:milestone_pk>/done/",
        views_projects.milestone_done,
        name="milestone_done",
    ),
    path("projects/<int:pk>/complete/", views_projects.project_complete, name="project_complete"),
]
