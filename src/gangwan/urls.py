from django.urls import include, path

from .api import api

urlpatterns = [
    path("", include("gangwan.dashboard.urls")),
    path("accounts/", include("gangwan.core.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("regions/", include("gangwan.regions.urls")),
    path("units/", include("gangwan.units.urls")),
    path("organizations/", include("gangwan.organizations.urls")),
    path("members/", include("gangwan.members.urls")),
    path("floating/", include("gangwan.floating.urls")),
    path("incubator/", include("gangwan.incubator.urls")),
    path("transfers/", include("gangwan.transfers.urls")),
    path("portal/", include("gangwan.portal.urls")),
    path("portal/exemplars/", include("gangwan.exemplars.public_urls")),
    path("portal/brands/", include("gangwan.brands.public_urls")),
    path("portal/polls/", include("gangwan.voting.public_urls")),
    path("portal/pioneers/", include("gangwan.pioneers.public_urls")),
    path("portal/cobuild/", include("gangwan.cobuild.public_urls")),
    path("activities/", include("gangwan.activities.urls")),
    path("appraisals/", include("gangwan.appraisals.urls")),
    path("dues/", include("gangwan.dues.urls")),
    path("compliance/", include("gangwan.compliance.urls")),
    path("exemplars/", include("gangwan.exemplars.urls")),
    path("brands/", include("gangwan.brands.urls")),
    path("voting/", include("gangwan.voting.urls")),
    path("pioneers/", include("gangwan.pioneers.urls")),
    path("cobuild/", include("gangwan.cobuild.urls")),
    path("api/v1/", api.urls),
]
