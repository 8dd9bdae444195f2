from django.urls import path

from . import public

app_name = "brands_public"
urlpatterns = [
    path("", public.brand_list, name="list"),
    path("<int:pk>/", public.brand_detail, name="detail"),
    path("events/<int:pk>/", public.event_detail, name="event"),
    path("events/<int:pk>/verify/", public.event_verify, name="verify"),
    path("events/<int:pk>/done/", public.event_done, name="done"),
]
