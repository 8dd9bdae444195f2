"""The incubator's story in the demo district (demo/story_incubator.py): 大港社区's reservoir with
an eligible unit awaiting its proposal, one proposed and overdue (R7), and 三星重工, whose branch
came out of the incubator and whose union was founded after."""

import pytest
from django.urls import reverse

from gangwan.core.models import User
from gangwan.demo.services import demo_load
from gangwan.incubator.models import Incubation
from gangwan.incubator.selectors import reservoir_groups
from gangwan.organizations.models import Organization


@pytest.fixture
def demo(db):
    demo_load(seed=2013, scale=0.05)


def test_samsung_was_incubated_and_founded_its_union_afterwards(demo):
    inc = Incubation.objects.select_related("unit", "established_organization").get(
        unit__name__startswith="三星重工"
    )
    branch = inc.established_organization
    assert inc.state == "established" and branch.name.startswith("三星重工")
    assert inc.regional_branch.name == "大港社区区域综合党支部"
    assert branch.parent == inc.superior_committee == inc.regional_branch.parent
    assert inc.established_at.date() == branch.established_on
    assert inc.eligible_since < inc.proposed_at < inc.decided_at < inc.established_at
    assert inc.regional_branch.established_on < branch.established_on < inc.unit.union_founded_on
    assert inc.unit.kind == "foreign_enterprise"


def test_dagang_reservoir_has_an_eligible_unit_and_an_overdue_proposal(demo):
    rb = Organization.objects.get(name="大港社区区域综合党支部")
    open_ = Incubation.objects.filter(regional_branch=rb, lapsed_at=None)
    assert open_.filter(state="eligible").exists()
    (proposed,) = open_.filter(state="proposed")
    assert proposed.overdue
    reservoir = reservoir_groups(regional_branch=rb)
    assert len(reservoir.groups) >= 3 and reservoir.without_unit
    eligible = {g.unit.pk for g in reservoir.groups if g.eligible}
    assert proposed.unit_id in eligible and len(eligible) >= 2


@pytest.mark.parametrize("username", ["secretary_dagang", "street_xinqi", "district_admin"])
def test_the_demo_accounts_reach_the_incubator(client, demo, username):
    client.force_login(User.objects.get(username=username))
    rb = Organization.objects.get(name="大港社区区域综合党支部")
    page = client.get(reverse("incubator:index")).content.decode()
    assert 'data-overdue="1"' in page
    assert client.get(reverse("incubator:reservoir", args=[rb.pk])).status_code == 200
