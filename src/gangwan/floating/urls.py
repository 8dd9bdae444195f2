app_name = "floating"
urlpatterns: list = []
