"""The back office of the selections and its exports: every page for the people who run it, and
the scope of each (404 for another district, 403 for the wrong role), bounded queries on lists."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from gangwan.activities.models import Activity
from gangwan.core.models import AuditEntry
from gangwan.pioneers import services
from gangwan.pioneers.models import Nomination, Objection, Phase, Pioneer, Review
from tests import factories as f
from tests.test_pioneers_services import PioneersWorld

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS"
    b"\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00"
    b"\x00IEND\xaeB`\x82"
)


class ViewWorld(PioneersWorld):
    def client(self, user) -> Client:
        c = Client(headers={"Accept-Language": "en"})
        if user is not None:
            c.force_login(user)
        return c

    def announced(self):
        """A finished selection: 3 candidates, 2 pioneers, an answered objection."""
        s, noms = self.to_voting(quota=2)
        self.cast(s, {noms[0]: 8, noms[1]: 2, noms[2]: 10})
        self.rank(s)
        services.selection_start_notice(
            actor=self.admin, selection=s, starts_on=dt.date(2013, 6, 3)
        )
        o = Objection.objects.create(
            selection=s,
            nomination=s.nominations.get(rank=1),
            text="请核实",
            phone="13912345678",
            verified_at=s.vote_closes_at,
        )
        services.objection_answer(
            actor=self.admin, scope=self.scope(self.admin), objection=o, answer="属实"
        )
        services.selection_announce(actor=self.admin, selection=s, today=dt.date(2013, 6, 10))
        s.refresh_from_db()
        return s, noms


@pytest.fixture
def world(district):
    return ViewWorld(district)


def _pages(s, n, p):
    return [
        f"/pioneers/{s.pk}/",
        f"/pioneers/{s.pk}/ranking/",
        f"/pioneers/{s.pk}/objections/",
        f"/pioneers/{s.pk}/nominations.xlsx",
        f"/pioneers/{s.pk}/review-scores.xlsx",
        f"/pioneers/{s.pk}/results.xlsx",
        f"/pioneers/nominations/{n.pk}/",
        f"/pioneers/pioneer/{p.pk}/",
    ]


def test_the_district_admin_reads_every_page_of_a_finished_selection(world):
    s, noms = world.announced()
    c = world.client(world.admin)
    p = Pioneer.objects.get(member=world.officer)
    for url in ["/pioneers/", *_pages(s, noms[0], p), f"/pioneers/{s.pk}/review-queue/"]:
        if "review-queue" in url:
            continue
        assert c.get(url).status_code == 200, url
    body = c.get(f"/pioneers/{s.pk}/ranking/").content.decode()
    assert "陈建国" in body and "0.8600" in body


def test_another_districts_admin_and_reviewer_get_404(world):
    s, noms = world.announced()
    p = Pioneer.objects.get(member=world.officer)
    for user in (world.outsider_admin, world.outsider_reviewer):
        c = world.client(user)
        for url in _pages(s, noms[0], p):
            assert c.get(url).status_code == 404, (user, url)
        assert c.post(f"/pioneers/{s.pk}/advance/open/").status_code == 404
        assert c.post(f"/pioneers/nominations/{noms[0].pk}/review/", {}).status_code == 404


def test_a_user_without_roles_is_refused(world):
    c = world.client(f.user("nobody"))
    assert c.get("/pioneers/").status_code == 403
    assert c.get("/pioneers/new/").status_code == 403


def test_a_secretary_sees_its_own_nominations_only_and_no_scores(world):
    s, noms = world.announced()
    c = world.client(world.gaotang_sec)
    body = c.get(f"/pioneers/{s.pk}/").content.decode()
    assert "陈建国" in body and world.qingzhi_full[0].name not in body
    for url in (
        f"/pioneers/{s.pk}/ranking/",
        f"/pioneers/{s.pk}/objections/",
        f"/pioneers/{s.pk}/review-scores.xlsx",
        f"/pioneers/{s.pk}/results.xlsx",
        f"/pioneers/{s.pk}/review-queue/",
    ):
        assert c.get(url).status_code == 403, url
    assert c.get(f"/pioneers/nominations/{noms[2].pk}/").status_code == 404  # 青峙's
    wb = load_workbook(io.BytesIO(c.get(f"/pioneers/{s.pk}/nominations.xlsx").content))
    names = [r[0] for r in wb.active.iter_rows(min_row=2, values_only=True)]
    assert sorted(names) == sorted(["陈建国", world.gaotang_full[0].name])
    assert c.post(f"/pioneers/{s.pk}/advance/announce/").status_code == 403


def test_a_street_admin_cannot_run_a_district_selection(world):
    s = world.selection()
    c = world.client(world.street_admin)
    assert c.get(f"/pioneers/{s.pk}/").status_code == 200
    assert c.post(f"/pioneers/{s.pk}/advance/review/").status_code == 403
    s.refresh_from_db()
    assert s.phase == Phase.NOMINATING


def test_the_results_export_holds_the_ranking(world):
    s, _n = world.announced()
    resp = world.client(world.reviewer).get(f"/pioneers/{s.pk}/results.xlsx")
    assert resp.status_code == 200
    rows = list(
        load_workbook(io.BytesIO(resp.content)).active.iter_rows(min_row=2, values_only=True)
    )
    assert [r[1] for r in rows][0] == "陈建国" and rows[0][0] == 1
    resp = world.client(world.reviewer).get(f"/pioneers/{s.pk}/review-scores.xlsx")
    rows = list(
        load_workbook(io.BytesIO(resp.content)).active.iter_rows(min_row=2, values_only=True)
    )
    assert len(rows) == 4 and {r[4] for r in rows} == {90, 80, 60, 40}


def test_a_secretary_nominates_with_a_photo_through_the_form(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    s = world.selection()
    c = world.client(world.gaotang_sec)
    resp = c.post(
        f"/pioneers/{s.pk}/nominate/",
        {
            "organization": world.gaotang_branch.pk,
            "nominee": world.officer.pk,
            "headline": "十五年照顾孤儿的民警",
            "deeds": "十五年如一日照顾辖区孤儿。",
            "opinion": "同意推荐。",
            "photos": [SimpleUploadedFile("a.png", PNG, content_type="image/png")],
        },
    )
    n = Nomination.objects.get()
    assert resp.status_code == 302 and resp["Location"] == f"/pioneers/nominations/{n.pk}/"
    assert n.photos.count() == 1
    assert c.get(f"/pioneers/photos/{n.photos.get().pk}/").status_code == 200
    assert AuditEntry.objects.filter(action="pioneers.nomination.submit").count() == 1


def test_the_form_refuses_a_probationary_nominee_with_a_message(world):
    s = world.selection()
    resp = world.client(world.gaotang_sec).post(
        f"/pioneers/{s.pk}/nominate/",
        {
            "organization": world.gaotang_branch.pk,
            "nominee": world.probationary.pk,
            "deeds": "事迹",
            "opinion": "同意",
        },
    )
    assert resp.status_code == 200
    assert "is not a full member" in resp.content.decode()
    assert not Nomination.objects.exists()


def test_a_secretary_cannot_nominate_for_an_organization_outside_its_scope(world):
    s = world.selection()
    resp = world.client(world.gaotang_sec).post(
        f"/pioneers/{s.pk}/nominate/",
        {
            "organization": world.qingzhi_branch.pk,
            "nominee": world.qingzhi_full[0].pk,
            "deeds": "事迹",
            "opinion": "同意",
        },
    )
    assert resp.status_code == 200 and not Nomination.objects.exists()  # not a choice


def test_a_reviewer_reviews_through_the_queue_and_an_outsider_is_refused(world):
    s = world.selection()
    n = world.nominate(s, world.officer)
    services.selection_start_review(actor=world.admin, selection=s)
    c = world.client(world.reviewer)
    assert "陈建国" in c.get(f"/pioneers/{s.pk}/review-queue/").content.decode()
    resp = c.post(
        f"/pioneers/nominations/{n.pk}/review/",
        {"decision": "approve", "score": 92, "reason": "事迹感人"},
    )
    assert resp.status_code == 302
    assert Review.objects.get().score == 92
    # The street admin sees the nomination's selection but may not review.
    world.client(world.street_admin)
    assert (
        world.client(world.gaotang_sec)
        .post(
            f"/pioneers/nominations/{n.pk}/review/",
            {"decision": "reject", "score": 1, "reason": "x"},
        )
        .status_code
        == 403
    )
    assert Review.objects.count() == 1


def test_a_step_out_of_order_is_refused_with_a_message(world):
    s = world.selection()
    resp = world.client(world.admin).post(f"/pioneers/{s.pk}/advance/vote/", follow=True)
    assert "out of order" in resp.content.decode()
    s.refresh_from_db()
    assert s.phase == Phase.NOMINATING


def test_the_admin_runs_the_phases_from_the_back_office(world):
    s = world.selection()
    world.nominate(s, world.officer)
    c = world.client(world.admin)
    c.post(f"/pioneers/{s.pk}/advance/review/")
    s.refresh_from_db()
    assert s.phase == Phase.REVIEWING


def test_an_unanswered_objection_blocks_the_announce_button(world):
    s, noms = world.to_voting(quota=2)
    world.rank(s)
    services.selection_start_notice(actor=world.admin, selection=s, starts_on=dt.date(2013, 6, 3))
    o = Objection.objects.create(
        selection=s,
        nomination=s.nominations.get(rank=1),
        text="有异议",
        phone="13912345678",
        verified_at=s.vote_closes_at,
    )
    c = world.client(world.admin)
    resp = c.post(f"/pioneers/{s.pk}/advance/announce/", follow=True)
    assert "not answered" in resp.content.decode()
    assert c.post(f"/pioneers/objections/{o.pk}/answer/", {"answer": "已核实"}).status_code == 302
    o.refresh_from_db()
    assert o.answered_at is not None
    # A secretary may not answer.
    o2 = Objection.objects.create(
        selection=s,
        nomination=o.nomination,
        text="再议",
        phone="13912345679",
        verified_at=o.verified_at,
    )
    assert (
        world.client(world.gaotang_sec)
        .post(f"/pioneers/objections/{o2.pk}/answer/", {"answer": "x"})
        .status_code
        == 403
    )
    assert (
        world.client(world.outsider_admin)
        .post(f"/pioneers/objections/{o2.pk}/answer/", {"answer": "x"})
        .status_code
        == 404
    )


def test_a_secretary_links_a_learning_activity_of_its_organization(world):
    world.announced()
    p = Pioneer.objects.get(member=world.officer)
    act = Activity.objects.create(
        organization=world.gaotang_branch,
        kind="exemplar_learning",
        held_on=dt.date(2013, 7, 1),
        topic="听看评讲：陈建国的十五年",
    )
    c = world.client(world.gaotang_sec)
    assert c.post(f"/pioneers/pioneer/{p.pk}/learning/", {"activity": act.pk}).status_code == 302
    assert p.learnings.count() == 1
    other = world.client(world.qingzhi_sec)
    link = p.learnings.get()
    assert other.post(f"/pioneers/learning/{link.pk}/remove/").status_code == 403
    assert c.post(f"/pioneers/learning/{link.pk}/remove/").status_code == 302
    assert p.learnings.count() == 0


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200, url
    return len(ctx.captured_queries)


def test_lists_run_in_bounded_queries(world, django_assert_max_num_queries):
    s, _n = world.announced()
    c = world.client(world.admin)
    urls = (
        "/pioneers/",
        f"/pioneers/{s.pk}/",
        f"/pioneers/{s.pk}/ranking/",
        f"/pioneers/{s.pk}/objections/",
        f"/pioneers/{s.pk}/review-queue/",
    )
    before = {u: _queries(c, u) for u in urls}
    for _i in range(10):
        m = f.member(world.gaotang_branch)
        n = Nomination.objects.create(
            selection=s,
            organization=world.gaotang_branch,
            nominee=m,
            deeds="x",
            opinion="y",
            state="approved",
            rank=10 + _i,
            proposed=True,
        )
        Review.objects.create(
            nomination=n, reviewer=world.reviewer2, decision="approve", score=80, reason="r"
        )
        Objection.objects.create(
            selection=s, nomination=n, text="t", phone="13912345678", verified_at=s.vote_closes_at
        )
    for u in urls:
        with django_assert_max_num_queries(before[u]):  # no query per row
            assert c.get(u).status_code == 200
        assert before[u] <= 20, (u, before[u])


def test_the_dashboard_shows_the_pioneers_panel(world):
    world.announced()
    body = world.client(world.admin).get("/").content.decode()
    assert 'id="gw-panel-pioneers"' in body and "chart-pioneers_streets" in body
    assert 'id="gw-nav-pioneers"' in body
    assert 'id="gw-nav-pioneers"' not in world.client(f.user("plain")).get("/").content.decode()


def test_the_admin_creates_a_selection_with_the_config_weights(world):
    c = world.client(world.admin)
    assert c.get("/pioneers/new/").status_code == 200
    resp = c.post(
        "/pioneers/new/",
        {
            "title": "2014年度区域党员服务先锋评选",
            "region": world.d.district.pk,
            "quota": 30,
            "nominations_close_on": "2014-05-01",
            "review_close_on": "2014-05-10",
            "vote_opens_at": "2014-05-15T08:00",
            "vote_closes_at": "2014-05-25T20:00",
            "vote_weight": "0.40",
            "committee_weight": "0.60",
        },
    )
    assert resp.status_code == 302
    resp = c.post(
        "/pioneers/new/",
        {
            "title": "只看投票",
            "region": world.d.district.pk,
            "quota": 30,
            "nominations_close_on": "2014-05-01",
            "review_close_on": "2014-05-10",
            "vote_opens_at": "2014-05-15T08:00",
            "vote_closes_at": "2014-05-25T20:00",
            "vote_weight": "1.00",
            "committee_weight": "0.00",
        },
    )
    assert resp.status_code == 200 and "never the sole basis" in resp.content.decode()
    assert world.client(world.gaotang_sec).get("/pioneers/new/").status_code == 403


def test_the_announcement_may_withdraw_someone_after_an_upheld_objection(world):
    s, _n = world.to_voting(quota=2)
    world.rank(s)
    services.selection_start_notice(actor=world.admin, selection=s, starts_on=dt.date(2013, 6, 3))
    first, second = s.nominations.filter(proposed=True).order_by("rank")
    c = world.client(world.admin)
    assert "gw-announce-form" in c.get(f"/pioneers/{s.pk}/").content.decode()
    c.post(f"/pioneers/{s.pk}/advance/announce/", {"withdraw": [first.pk]})
    s.refresh_from_db()
    # The test's "today" is after 2013's notice: the announcement goes through.
    assert s.phase == Phase.ANNOUNCED
    assert list(Pioneer.objects.values_list("nomination_id", "rank")) == [(second.pk, 1)]
    assert AuditEntry.objects.filter(action="pioneers.nomination.withdraw").count() == 1


def test_the_nominating_secretary_adds_photos_while_nominations_are_open(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    s = world.selection()
    n = world.nominate(s, world.officer)
    url = f"/pioneers/nominations/{n.pk}/photos/"
    png = SimpleUploadedFile("b.png", PNG, content_type="image/png")
    assert world.client(world.gaotang_sec).post(url, {"photos": [png]}).status_code == 302
    assert n.photos.count() == 1
    text = SimpleUploadedFile("c.png", b"not an image at all", content_type="image/png")
    resp = world.client(world.gaotang_sec).post(url, {"photos": [text]}, follow=True)
    assert "is not a photo" in resp.content.decode() and n.photos.count() == 1
    # The reviewer reads the nomination but does not nominate.
    png = SimpleUploadedFile("d.png", PNG, content_type="image/png")
    assert world.client(world.reviewer).post(url, {"photos": [png]}).status_code == 403
    assert world.client(world.qingzhi_sec).post(url, {"photos": [png]}).status_code == 404


def test_the_vote_link_leads_to_the_voting_apps_poll_page(world):
    s, _n = world.to_voting()
    resp = Client().get(f"/portal/polls/{s.poll_id}/")
    assert resp.status_code == 200 and "陈建国" in resp.content.decode()


def test_a_reviewers_dashboard_counts_the_nominations_they_review(world):
    """QA: a reviewer's panel read 0 submitted while a nomination waited for them."""
    from gangwan.core.scopes import scope_for
    from gangwan.pioneers.selectors import figures

    world.announced()
    as_admin = figures(scope=scope_for(world.admin), user=world.admin)["nominations"]
    as_reviewer = figures(scope=scope_for(world.reviewer), user=world.reviewer)["nominations"]
    assert sum(as_reviewer.values()) == sum(as_admin.values()) > 0


def test_the_nomination_form_is_not_offered_once_nominations_close(world):
    """QA: the form stayed open during the vote and refused only on submit, in jargon."""
    s, _n = world.announced()
    resp = world.client(world.gaotang_sec).get(f"/pioneers/{s.pk}/nominate/", follow=True)
    assert resp.redirect_chain[-1][0] == f"/pioneers/{s.pk}/"
    assert not resp.context.get("form")
