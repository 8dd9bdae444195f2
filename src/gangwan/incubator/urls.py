app_name = "incubator"
urlpatterns: list = []
