"""The incubator in the back office: the seed's story through the pages, each page's scope (404
outside it, 403 for the wrong role, no out-of-scope row in a list) and the query counts of the
overview and the reservoir."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gangwan.core.models import AuditEntry, Notification
from gangwan.incubator import services
from gangwan.incubator.models import Incubation, IncubationState
from gangwan.members.models import Member
from gangwan.organizations.models import Organization
from tests import factories as f
from tests.test_incubator_services import SAMSUNG, IncubatorWorld

OUT = "OUT-OF-SCOPE"


@pytest.fixture
def world(district):
    return IncubatorWorld(district)


@pytest.fixture
def en(settings):
    settings.LANGUAGE_CODE = "en"


def _login(client, world, role):
    client.force_login(world.users[role])
    return client


def test_the_samsung_story_through_the_pages(client, world, en):
    """The third full member arrives → eligible, the secretary is told → proposed → approved by
    the street's working committee → established, with the members moved and every step shown."""
    world.third_member_arrives()
    inc = world.incubation()

    c = _login(client, world, "regional_secretary")
    note = Notification.objects.get(user=world.users["regional_secretary"])
    assert note.url == reverse("incubator:detail", args=[inc.pk])
    page = c.get(reverse("incubator:index")).content.decode()
    assert SAMSUNG in page and 'data-state="eligible"' in page
    reservoir = c.get(reverse("incubator:reservoir", args=[world.rb.pk])).content.decode()
    assert f'data-unit="{world.samsung.pk}"' in reservoir and "无单位" not in reservoir
    detail = c.get(note.url).content.decode()
    assert 'id="action-propose"' in detail and 'id="action-decide"' not in detail

    resp = c.post(reverse("incubator:propose", args=[inc.pk]), {"proposal_text": ""})
    assert resp.status_code == 200 and "This field is required" in resp.content.decode()
    resp = c.post(
        reverse("incubator:propose", args=[inc.pk]),
        {"proposal_text": "三星重工已有3名正式党员，申请单独组建党支部。"},
    )
    assert resp.status_code == 302
    inc.refresh_from_db()
    assert (
        inc.state == IncubationState.PROPOSED
        and inc.proposed_by == world.users["regional_secretary"]
    )
    # The regional branch cannot approve its own proposal.
    assert c.get(reverse("incubator:decide", args=[inc.pk])).status_code == 403
    assert (
        c.post(reverse("incubator:decide", args=[inc.pk]), {"decision": "approve"}).status_code
        == 403
    )

    c = _login(client, world, "committee_secretary")
    detail = c.get(reverse("incubator:detail", args=[inc.pk])).content.decode()
    assert 'id="action-decide"' in detail
    resp = c.post(
        reverse("incubator:decide", args=[inc.pk]), {"decision": "approve", "reason": "同意"}
    )
    assert resp.status_code == 302
    inc.refresh_from_db()
    assert inc.state == IncubationState.APPROVED

    form = c.get(reverse("incubator:establish", args=[inc.pk]))
    assert form.status_code == 200 and SAMSUNG in form.content.decode()
    resp = c.post(
        reverse("incubator:establish", args=[inc.pk]),
        {
            "name": "三星重工（宁波）有限公司党支部",
            "established_on": timezone.localdate().isoformat(),
            "document_no": "新碶党工〔2026〕7号",
        },
    )
    assert resp.status_code == 302, resp.content.decode()
    inc.refresh_from_db()
    branch = inc.established_organization
    assert inc.state == IncubationState.ESTABLISHED
    assert (branch.parent, branch.region, branch.kind) == (
        world.d.xinqi_wc,
        world.d.dagang,
        "branch",
    )
    assert Member.objects.filter(home_organization=branch).count() == 5
    assert Member.objects.filter(organization=branch).count() == 4  # one held by 高塘社区党委

    detail = c.get(reverse("incubator:detail", args=[inc.pk])).content.decode()
    assert 'id="established-organization"' in detail
    for action in (
        "incubation.eligible",
        "incubation.propose",
        "incubation.approve",
        "incubation.establish",
    ):
        assert action in detail
    assert "周建国" in detail  # who decided
    region = c.get(reverse("regions:detail", args=[world.d.dagang.pk])).content.decode()
    assert "三星重工（宁波）有限公司党支部" in region  # one of the area's N


def test_a_declined_proposal_is_final_in_the_pages(client, world, en):
    inc = world.proposed()
    c = _login(client, world, "street_admin")
    resp = c.post(reverse("incubator:decide", args=[inc.pk]), {"decision": "decline", "reason": ""})
    assert resp.status_code == 200 and "Give the reason for declining." in resp.content.decode()
    resp = c.post(
        reverse("incubator:decide", args=[inc.pk]),
        {"decision": "decline", "reason": "企业即将搬迁"},
    )
    assert resp.status_code == 302
    for name in ("incubator:decide", "incubator:establish"):
        resp = c.post(reverse(name, args=[inc.pk]), {"decision": "approve", "name": "x"})
        assert resp.status_code == 302 and resp.url == reverse("incubator:detail", args=[inc.pk])
    inc.refresh_from_db()
    assert inc.state == IncubationState.DECLINED
    detail = c.get(reverse("incubator:detail", args=[inc.pk])).content.decode()
    assert "企业即将搬迁" in detail and 'id="actions"' in detail and "action-" not in detail


def test_r7_overdue_proposals_are_flagged_on_the_overview_and_the_detail(client, world):
    inc = world.proposed()
    c = _login(client, world, "street_admin")
    resp = c.get(reverse("incubator:index"))
    assert resp.context["overdue_count"] == 0 and 'data-overdue="1"' not in resp.content.decode()
    Incubation.objects.filter(pk=inc.pk).update(
        proposed_at=timezone.now() - dt.timedelta(days=35),
        reply_due_on=timezone.localdate() - dt.timedelta(days=4),
    )
    resp = c.get(reverse("incubator:index"))
    assert resp.context["overdue_count"] == 1 and 'data-overdue="1"' in resp.content.decode()
    detail = c.get(reverse("incubator:detail", args=[inc.pk])).content.decode()
    assert 'data-overdue="1"' in detail


def test_the_overview_lists_incubated_branches_below_three(client, world):
    inc = services.incubation_establish(
        actor=world.users["street_admin"], incubation=world.approved()
    )
    Member.objects.filter(organization=inc.established_organization, status="full").first().delete()
    page = _login(client, world, "street_admin").get(reverse("incubator:index")).content.decode()
    assert 'id="below-minimum"' in page and inc.established_organization.name in page


def test_the_reservoir_recheck_button_opens_eligible_units(client, world):
    f.member(world.rb, unit=world.samsung)  # written without the services: nobody re-checked
    assert not Incubation.objects.exists()
    c = _login(client, world, "regional_secretary")
    resp = c.post(reverse("incubator:reservoir_recheck", args=[world.rb.pk]))
    assert resp.status_code == 302
    assert world.incubation().state == IncubationState.ELIGIBLE


# --- scope --------------------------------------------------------------------------------------
@pytest.fixture
def scoped(world):
    """Everything of the story is in 新碶街道 and carries the OUT marker for 小港 users; 青峙社区
    gets its own regional branch with an eligible unit, which 新碶 users must not see."""
    world.samsung.name = f"{OUT}三星重工"
    world.samsung.save()
    Organization.objects.filter(pk=world.rb.pk).update(name=f"{OUT}大港社区区域综合党支部")
    world.third_member_arrives()
    d = world.d
    qz_rb = f.organization(
        "青峙社区区域综合党支部", "regional_branch", d.qingzhi, d.qingzhi_committee
    )
    qz_unit = f.unit(d.qingzhi, "青峙物流有限公司")
    for _ in range(3):
        f.member(qz_rb, unit=qz_unit)
    services.incubation_recheck(unit_ids=[qz_unit.pk])
    return {
        "inc": world.incubation(),
        "qz_rb": qz_rb,
        "qz_inc": Incubation.objects.get(unit=qz_unit),
    }


def _urls(world, inc):
    return {
        "get": [
            reverse("incubator:reservoir", args=[world.rb.pk]),
            reverse("incubator:detail", args=[inc.pk]),
            reverse("incubator:propose", args=[inc.pk]),
            reverse("incubator:decide", args=[inc.pk]),
            reverse("incubator:establish", args=[inc.pk]),
        ],
        "post": [
            (reverse("incubator:reservoir_recheck", args=[world.rb.pk]), {}),
            (reverse("incubator:propose", args=[inc.pk]), {"proposal_text": "越权"}),
            (reverse("incubator:decide", args=[inc.pk]), {"decision": "approve"}),
            (
                reverse("incubator:establish", args=[inc.pk]),
                {"name": "x", "established_on": "2026-01-01"},
            ),
        ],
    }


OUTSIDERS = ["other_street_admin", "other_secretary", "reviewer", "member"]


@pytest.mark.parametrize("role", OUTSIDERS)
def test_out_of_scope_incubations_and_reservoirs_are_refused_for_every_role(
    client, world, scoped, role
):
    c = _login(client, world, role)
    urls = _urls(world, scoped["inc"])
    for url in urls["get"]:
        resp = c.get(url)
        assert resp.status_code in (403, 404), (role, url, resp.status_code)
        assert OUT not in resp.content.decode()
    before = AuditEntry.objects.count()
    for url, data in urls["post"]:
        resp = c.post(url, data)
        assert resp.status_code in (403, 404), (role, url, resp.status_code)
    assert AuditEntry.objects.count() == before
    assert scoped["inc"].__class__.objects.get(pk=scoped["inc"].pk).state == "eligible"


@pytest.mark.parametrize("role", OUTSIDERS)
def test_the_overview_holds_no_out_of_scope_rows(client, world, scoped, role):
    resp = _login(client, world, role).get(reverse("incubator:index"))
    assert resp.status_code in (200, 403)
    assert OUT not in resp.content.decode()


def test_reviewers_and_members_have_no_incubator(client, world, scoped):
    for role in ("reviewer", "member"):
        assert _login(client, world, role).get(reverse("incubator:index")).status_code == 403


def test_in_scope_users_see_their_own_rows_only(client, world, scoped):
    page = (
        _login(client, world, "other_street_admin").get(reverse("incubator:index")).content.decode()
    )
    assert "青峙物流有限公司" in page and "青峙社区区域综合党支部" in page
    page = _login(client, world, "street_admin").get(reverse("incubator:index")).content.decode()
    assert OUT in page and "青峙物流" not in page and "青峙社区区域" not in page
    page = (
        _login(client, world, "regional_secretary").get(reverse("incubator:index")).content.decode()
    )
    assert OUT in page and "青峙" not in page
    c = _login(client, world, "street_admin")
    assert c.get(reverse("incubator:reservoir", args=[scoped["qz_rb"].pk])).status_code == 404
    assert c.get(reverse("incubator:detail", args=[scoped["qz_inc"].pk])).status_code == 404


def test_wrong_roles_inside_the_scope_get_403(client, world, scoped):
    inc = scoped["inc"]
    # The regional branch proposes; it does not decide or establish.
    c = _login(client, world, "regional_secretary")
    assert c.get(reverse("incubator:propose", args=[inc.pk])).status_code == 200
    assert c.get(reverse("incubator:decide", args=[inc.pk])).status_code == 403
    assert c.get(reverse("incubator:establish", args=[inc.pk])).status_code == 403
    # A secretary elsewhere under the same working committee does not see it at all.
    gaotang_sec = f.user("gaotang_sec", "secretary", organization=world.d.gaotang_committee)
    client.force_login(gaotang_sec)
    assert client.get(reverse("incubator:detail", args=[inc.pk])).status_code == 404


def test_anonymous_users_are_sent_to_login(client, world, scoped):
    for url in [reverse("incubator:index"), *_urls(world, scoped["inc"])["get"]]:
        resp = client.get(url)
        assert resp.status_code == 302 and resp.url.startswith(reverse("login"))


# --- query counts -------------------------------------------------------------------------------
def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _grow_incubations(world, n, tag):
    d = world.d
    for i in range(n):
        unit = f.unit(d.dagang, f"扩容企业{tag}{i}")
        for _ in range(3):
            f.member(world.rb, unit=unit)
        f.member(world.rb, unit=unit, status="probationary")
        services.incubation_recheck(unit_ids=[unit.pk])
        area = f.community(d.xinqi, f"扩容社区{tag}{i}", kind="industrial_community")
        f.organization(f"扩容社区{tag}{i}区域综合党支部", "regional_branch", area, d.xinqi_wc)


def test_the_overview_does_not_query_per_row(client, world, django_assert_max_num_queries):
    c = _login(client, world, "street_admin")
    _grow_incubations(world, 1, "a")
    few = _queries(c, reverse("incubator:index"))
    _grow_incubations(world, 30, "b")
    ten = list(Incubation.objects.filter(state="eligible").values_list("pk", flat=True)[:10])
    Incubation.objects.filter(pk__in=ten).update(
        state="proposed", proposed_at=timezone.now(), reply_due_on=timezone.localdate()
    )
    with django_assert_max_num_queries(few):
        assert c.get(reverse("incubator:index")).status_code == 200
    for state in ("open", "proposed"):
        with django_assert_max_num_queries(few):
            assert c.get(reverse("incubator:index"), {"state": state}).status_code == 200


def test_the_reservoir_page_does_not_query_per_member(client, world, django_assert_max_num_queries):
    c = _login(client, world, "regional_secretary")
    url = reverse("incubator:reservoir", args=[world.rb.pk])
    _grow_incubations(world, 1, "a")
    few = _queries(c, url)
    _grow_incubations(world, 20, "b")
    for i in range(20):
        f.member(world.rb, f"无单位{i}")
    with django_assert_max_num_queries(few):
        assert c.get(url).status_code == 200
