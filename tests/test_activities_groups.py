"""Party groups (R12): a branch sets them up with a leader from its members; pages are scoped."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from gangwan.activities import groups
from gangwan.activities.models import PartyGroup
from gangwan.core.models import AuditEntry
from tests import factories as f


@pytest.fixture
def branch(district):
    unit = f.unit(district.gaotang, "高塘物业公司")
    org = f.organization(
        "高塘物业公司党支部", "branch", district.gaotang, district.gaotang_committee, units=[unit]
    )
    members = [f.member(org, unit=unit) for _ in range(4)]
    return org, members


def test_r12_a_branch_sets_up_a_group_with_a_leader_from_its_members(branch):
    org, members = branch
    actor = f.user()
    group = groups.party_group_create(
        actor=actor, organization=org, name="第一党小组", leader=members[0], members=members[:3]
    )
    assert group.members.count() == 3 and group.leader == members[0]
    assert AuditEntry.objects.filter(action="party_group.create", object_id=str(org.pk)).exists()


def test_members_of_other_organizations_and_outside_leaders_are_refused(branch, district):
    org, members = branch
    stranger = f.member(district.qingzhi_committee)
    with pytest.raises(ValidationError):
        groups.party_group_create(
            actor=None, organization=org, name="第二党小组", members=[members[0], stranger]
        )
    with pytest.raises(ValidationError):
        groups.party_group_create(
            actor=None, organization=org, name="第二党小组", leader=members[3], members=members[:2]
        )
    assert not PartyGroup.objects.exists()


def test_groups_are_managed_from_the_pages(client, branch, district):
    org, members = branch
    client.force_login(f.user("xinqi", role="street_admin", region=district.xinqi))
    resp = client.post(
        reverse("activities:group_create", args=[org.pk]),
        {"name": "第一党小组", "members": [m.pk for m in members[:2]], "leader": members[0].pk},
    )
    assert resp.status_code == 302
    group = PartyGroup.objects.get()
    assert "第一党小组" in client.get(reverse("activities:groups", args=[org.pk])).content.decode()
    client.post(reverse("activities:group_dissolve", args=[org.pk, group.pk]))
    group.refresh_from_db()
    assert group.dissolved_on is not None


@pytest.mark.parametrize("role", ["street_admin", "secretary", "reviewer"])
def test_group_pages_are_closed_outside_the_scope(client, branch, district, role):
    org, members = branch
    group = groups.party_group_create(
        actor=None, organization=org, name="第一党小组", members=members[:2]
    )
    user = {
        "street_admin": lambda: f.user("xiaogang", role="street_admin", region=district.xiaogang),
        "secretary": lambda: f.user(
            "qz", role="secretary", organization=district.qingzhi_committee
        ),
        "reviewer": lambda: f.user("rv", role="reviewer"),
    }[role]()
    client.force_login(user)
    for url in [
        reverse("activities:groups", args=[org.pk]),
        reverse("activities:group_create", args=[org.pk]),
        reverse("activities:group_edit", args=[org.pk, group.pk]),
    ]:
        assert client.get(url).status_code in (403, 404), url
    assert client.post(
        reverse("activities:group_dissolve", args=[org.pk, group.pk])
    ).status_code in (403, 404)
    group.refresh_from_db()
    assert group.dissolved_on is None
