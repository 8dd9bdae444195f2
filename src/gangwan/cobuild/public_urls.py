from django.urls import path

from . import views_public as v

app_name = "cobuild_public"
urlpatterns = [
    path("", v.index, name="index"),
    path("areas/<int:region_pk>/", v.area_needs, name="area"),
    path("needs/<int:pk>/", v.need_detail, name="need"),
    path("photos/<int:pk>/", v.need_photo, name="photo"),
    path("post/", v.need_post, name="post"),
    path("post/verify/", v.verify, name="verify"),
    path("post/resend/", v.resend, name="resend"),
    path("post/thanks/", v.thanks, name="thanks"),
    path("projects/", v.project_list, name="projects"),
    path("projects/<int:pk>/", v.project_detail, name="project"),
    path("projects/<int:pk>/verify/", v.feedback_verify, name="feedback_verify"),
]
