"""The public pages of the selections (no account): candidates and deeds with a link to the vote,
results once visible, the notice with an objection form (phone verified, rate limited), the
pioneers' profiles. Nothing unpublished leaks: drafts, rejected nominations, phones."""

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.test import Client

from gangwan.core.notifications import ConsoleSmsGateway
from gangwan.pioneers import services
from gangwan.pioneers.models import Objection, Pioneer
from tests.test_pioneers_views import ViewWorld


@pytest.fixture
def world(district):
    cache.clear()
    return ViewWorld(district)


def anon():
    return Client(headers={"Accept-Language": "en"})


def test_a_draft_selection_is_not_public(world):
    from gangwan.pioneers.models import Selection

    s = world.selection()
    Selection.objects.filter(pk=s.pk).update(phase="draft")
    assert anon().get(f"/portal/pioneers/{s.pk}/").status_code == 404


def test_during_the_vote_the_public_sees_candidates_deeds_and_the_vote_link(world):
    s, noms = world.to_voting()
    c = anon()
    body = c.get(f"/portal/pioneers/{s.pk}/").content.decode()
    assert "陈建国" in body and f"/portal/polls/{s.poll_id}/" in body
    assert world.qingzhi_full[1].name not in body  # rejected by the committee
    assert " votes" not in body  # results hidden until the poll closes
    assert c.get(f"/portal/pioneers/candidates/{noms[0].pk}/").status_code == 200
    assert c.get(f"/portal/pioneers/candidates/{noms[3].pk}/").status_code == 404  # rejected


def test_before_the_vote_nominations_stay_private(world):
    s = world.selection()
    n = world.nominate(s, world.officer)
    c = anon()
    assert "陈建国" not in c.get(f"/portal/pioneers/{s.pk}/").content.decode()
    assert c.get(f"/portal/pioneers/candidates/{n.pk}/").status_code == 404


def test_announced_pioneers_have_public_profiles_with_deeds(world):
    s, _n = world.announced()
    p = Pioneer.objects.get(member=world.officer)
    c = anon()
    body = c.get(f"/portal/pioneers/pioneer/{p.pk}/").content.decode()
    assert "陈建国" in body and "十五年如一日照顾辖区孤儿" in body
    assert "13912345678" not in c.get(f"/portal/pioneers/{s.pk}/notice/").content.decode()
    body = c.get(f"/portal/pioneers/{s.pk}/").content.decode()
    assert "Ballots: 20 valid, 0 invalidated." in body
    assert c.get("/portal/pioneers/").status_code == 200
    assert "gw-portal-pioneers" in c.get("/portal/").content.decode()


def _on_notice(world):
    s, _n = world.to_voting(quota=2)
    world.rank(s)
    services.selection_start_notice(actor=world.admin, selection=s)
    return s


def test_an_objection_is_recorded_once_the_phone_is_verified(
    world, django_capture_on_commit_callbacks
):
    s = _on_notice(world)
    target = s.nominations.get(rank=1)
    c = anon()
    with django_capture_on_commit_callbacks(execute=True):
        resp = c.post(
            f"/portal/pioneers/{s.pk}/notice/",
            {"nomination": target.pk, "text": "事迹中的年份有误。", "phone": "13912340001"},
        )
    assert resp.status_code == 302 and resp["Location"] == "/portal/pioneers/objection/verify/"
    o = Objection.objects.get()
    assert (
        o.verified_at is None
        and o.phone_hash
        and "13912340001" not in str(o.__dict__.get("phone_hash"))
    )
    assert c.post("/portal/pioneers/objection/verify/", {"code": "000000"}).status_code == 422
    code = re.search(
        r"\d{6}", [t for p, t in ConsoleSmsGateway.outbox if p == "13912340001"][-1]
    ).group()
    resp = c.post("/portal/pioneers/objection/verify/", {"code": code})
    assert resp.status_code == 302
    o.refresh_from_db()
    assert o.verified_at is not None
    assert "gw-objection-thanks" in c.get(resp["Location"]).content.decode()


def test_objections_are_rate_limited_per_phone(world, django_capture_on_commit_callbacks):
    s = _on_notice(world)
    target = s.nominations.get(rank=1)
    statuses = []
    for i in range(4):
        with django_capture_on_commit_callbacks(execute=True):
            resp = Client(REMOTE_ADDR=f"10.0.{i}.1").post(
                f"/portal/pioneers/{s.pk}/notice/",
                {"nomination": target.pk, "text": f"异议{i}", "phone": "13912340002"},
            )
        statuses.append(resp.status_code)
        from gangwan.core.models import PhoneChallenge

        PhoneChallenge.objects.update(created_at=dt.datetime(2013, 1, 1, tzinfo=dt.UTC))
    assert statuses == [302, 302, 302, 429]
    assert Objection.objects.count() == 3


def test_objections_are_rate_limited_per_network(world, django_capture_on_commit_callbacks):
    s = _on_notice(world)
    target = s.nominations.get(rank=1)
    statuses = []
    for i in range(6):
        with django_capture_on_commit_callbacks(execute=True):
            resp = anon().post(
                f"/portal/pioneers/{s.pk}/notice/",
                {"nomination": target.pk, "text": "异议", "phone": f"1391234{i:04d}"},
            )
        statuses.append(resp.status_code)
    assert statuses == [302] * 5 + [429]


def test_no_objection_outside_the_notice(world):
    s, noms = world.to_voting()
    resp = anon().post(
        f"/portal/pioneers/{s.pk}/notice/",
        {"nomination": noms[0].pk, "text": "x", "phone": "13912340003"},
    )
    assert resp.status_code == 302 and not Objection.objects.exists()


def test_public_pages_run_in_bounded_queries(world, django_assert_max_num_queries):
    from gangwan.pioneers.models import Nomination, NominationPhoto, Pioneer
    from tests import factories as f
    from tests.test_pioneers_views import _queries

    s, _n = world.announced()
    c = anon()
    urls = ("/portal/pioneers/", f"/portal/pioneers/{s.pk}/", f"/portal/pioneers/{s.pk}/notice/")
    before = {u: _queries(c, u) for u in urls}
    for i in range(10):
        m = f.member(world.qingzhi_branch)
        n = Nomination.objects.create(
            selection=s,
            organization=world.qingzhi_branch,
            nominee=m,
            deeds="事迹",
            opinion="同意",
            state="approved",
            rank=10 + i,
            proposed=True,
        )
        NominationPhoto.objects.create(
            nomination=n, file="pioneers/x.png", content_type="image/png"
        )
        Pioneer.objects.create(
            selection=s, nomination=n, member=m, rank=10 + i, announced_on=s.announced_on
        )
    for u in urls:
        with django_assert_max_num_queries(before[u]):
            assert c.get(u).status_code == 200
        assert before[u] <= 12, (u, before[u])


def test_the_selection_list_counts_each_candidate_once(world):
    """Announced pioneers join the candidates' rows: the count must not multiply them."""
    from gangwan.pioneers.models import NominationState
    from gangwan.pioneers.selectors import public_selections

    s, _n = world.announced()
    approved = s.nominations.filter(state=NominationState.APPROVED).count()
    row = public_selections().get(pk=s.pk)
    assert Pioneer.objects.filter(selection=s).count() >= 1
    assert row.n_candidates == approved
