"""Defects found in review of the exemplars, each pinned by a test: the 5★ cap under concurrent
awards, scopes on photos and districts, independent reviewers (R45), 0-star bases off the portal,
rate limits counted before writing, objections answered once, no writes on GET, nothing half
written, and reviewers kept off the draft self-assessment."""

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models.query import QuerySet
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from gangwan.core.models import AuditEntry
from gangwan.exemplars import public_views, selectors, services
from gangwan.exemplars.models import (
    AssessmentState,
    Batch,
    Evidence,
    Objection,
    Review,
    Scheme,
    StarAssessment,
)
from tests import factories as f
from tests.test_exemplars_views import PNG, World


@pytest.fixture(autouse=True)
def _english(client, db):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    cache.clear()
    with translation.override("en"):
        yield
    cache.clear()


@pytest.fixture
def w(district):
    return World(district)


def _on_notice(w):
    services.self_assessment_save(
        actor=w.gaotang_secretary, assessment=w.a, entries={}, submit=True
    )
    services.reviewers_assign(actor=w.admin, assessment=w.a, reviewers=[w.r1, w.r2])
    for user in (w.r1, w.r2):
        services.review_submit(
            actor=user,
            review=Review.objects.get(assessment=w.a, reviewer=user),
            points=w.sheet(95),
            vetoes=[],
        )
    services.notice_start(actor=w.admin, assessment=w.a)
    w.a.refresh_from_db()
    return w.a


# --- 1. the 5★ cap -------------------------------------------------------------------------------
def test_r45_a_five_star_award_locks_the_district_before_counting_the_cap(w):
    a = _on_notice(w)
    with CaptureQueriesContext(connection) as ctx:
        w.award(a)
    sqls = [q["sql"] for q in ctx.captured_queries]
    region_reads = [i for i, s in enumerate(sqls) if 'FROM "regions_region"' in s]
    counts = [
        i for i, s in enumerate(sqls) if "COUNT(" in s and 'FROM "exemplars_starassessment"' in s
    ]
    assert region_reads and counts and region_reads[0] < counts[0]
    if connection.features.has_select_for_update:
        assert "FOR UPDATE" in sqls[region_reads[0]]


# --- 3. photos of candidates ------------------------------------------------------------------------
def test_photos_of_a_candidate_stay_within_the_scope_of_its_organization(client, w):
    services.base_update(
        actor=w.admin,
        base=w.gaotang,
        description="",
        photos=[SimpleUploadedFile("p.png", PNG, content_type="image/png")],
    )
    url = reverse("exemplars_public:photo", args=[w.gaotang.photos.get().pk])
    client.force_login(w.xiaogang_admin)  # structure access, but another street
    assert client.get(url).status_code == 404
    client.force_login(w.xinqi_admin)
    assert client.get(url).status_code == 200
    client.logout()
    assert client.get(url).status_code == 404


# --- 4. the district managed ------------------------------------------------------------------------
def test_the_scheme_and_batch_pages_act_on_the_administered_district_only(client, district):
    # An admin of another district who is also secretary of 北仑区委 (which stands in 北仑区):
    # 北仑区 sorts first, yet it is not the district this user administers.
    other = f.district("镇海区")
    user = f.user("zhenhai", "district_admin", region=other)
    services.scheme_ensure(region=other)
    from gangwan.core.models import RoleAssignment

    RoleAssignment.objects.create(user=user, role="secretary", organization=district.committee)
    client.force_login(user)
    r = client.get(reverse("exemplars:scheme"))
    assert r.status_code == 200 and r.context["district"] == other
    r = client.post(reverse("exemplars:batch_create"), {"name": "首批", "year": 2013, "quota": 5})
    assert r.status_code == 302
    assert Batch.objects.get().region == other


# --- 5. independent reviewers -------------------------------------------------------------------
def test_r45_reviewers_holding_a_role_over_the_assessed_organization_are_refused(w):
    services.self_assessment_save(
        actor=w.gaotang_secretary, assessment=w.a, entries={}, submit=True
    )
    own_secretary = f.user("gaotang2", "reviewer", region=w.d.district)
    from gangwan.core.models import RoleAssignment

    RoleAssignment.objects.create(
        user=own_secretary, role="secretary", organization=w.d.gaotang_committee
    )
    street = f.user("xinqi2", "reviewer", region=w.d.district)
    RoleAssignment.objects.create(user=street, role="street_admin", region=w.d.xinqi)
    elsewhere = f.user("qingzhi2", "reviewer", region=w.d.district)
    RoleAssignment.objects.create(
        user=elsewhere, role="secretary", organization=w.d.qingzhi_committee
    )
    for user in (own_secretary, street):
        with pytest.raises(ValidationError, match="R45"):
            services.reviewers_assign(actor=w.admin, assessment=w.a, reviewers=[w.r1, user])
    assert not Review.objects.exists()
    candidates = set(
        services.reviewer_candidates(
            region=w.d.district, organization=w.d.gaotang_committee
        ).values_list("username", flat=True)
    )
    assert {"gaotang2", "xinqi2"}.isdisjoint(candidates) and "qingzhi2" in candidates
    services.reviewers_assign(actor=w.admin, assessment=w.a, reviewers=[w.r1, elsewhere])
    assert Review.objects.count() == 2


# --- 6. 0-star bases ----------------------------------------------------------------------------
def test_a_base_marked_down_to_zero_stars_leaves_the_public_pages(client, district):
    from tests.test_exemplars_rules import ExemplarWorld

    world = ExemplarWorld(district)
    base = world.base()
    world.award(world.assessment(base=base, year=2013))
    services.base_name(actor=world.admin, base=base)
    assert client.get(reverse("exemplars_public:base", args=[base.pk])).status_code == 200
    veto = next(c for c in world.criteria() if c.kind == "veto")
    world.award(world.assessment(base=base, year=2014, vetoes=[veto.pk]))
    base.refresh_from_db()
    assert base.stars == 0
    assert not selectors.public_bases().filter(pk=base.pk).exists()
    assert client.get(reverse("exemplars_public:base", args=[base.pk])).status_code == 404
    assert "高塘社区党委" not in client.get(reverse("exemplars_public:index")).content.decode()


# --- 7. the objection limit ---------------------------------------------------------------------
def test_parallel_objections_cannot_pass_the_rate_limit_together(client, w, monkeypatch):
    a = _on_notice(w)
    url = reverse("exemplars_public:notice", args=[a.pk])
    for i in range(public_views.OBJECTIONS_PER_IP_PER_HOUR - 1):
        assert client.post(url, {"text": f"第{i}条异议内容"}).status_code == 302
    real, nested = services.objection_submit, []

    def submit_with_a_second_request(**kw):
        # Request A is between the limit check and its write when request B arrives.
        if not nested:
            nested.append(None)
            nested[0] = Client().post(url, {"text": "并发的另一条异议"})
        return real(**kw)

    monkeypatch.setattr(public_views.services, "objection_submit", submit_with_a_second_request)
    assert client.post(url, {"text": "最后一条异议内容"}).status_code == 302
    assert nested[0].status_code == 429
    assert Objection.objects.count() == public_views.OBJECTIONS_PER_IP_PER_HOUR


# --- 8. objection answers -------------------------------------------------------------------------
def test_an_answered_objection_cannot_be_rewritten(client, w):
    a = _on_notice(w)
    o = services.objection_submit(assessment=a, text="活动照片是去年的。")
    services.objection_answer(
        actor=w.admin, objection=o, answer="已核实，照片为今年。", upheld=False
    )
    with pytest.raises(ValidationError, match="already been answered"):
        services.objection_answer(actor=w.admin, objection=o, answer="改写", upheld=True)
    client.force_login(w.admin)
    r = client.post(
        reverse("exemplars:objection_answer", args=[o.pk]), {"answer": "改写"}, follow=True
    )
    assert r.status_code == 200 and b"already been answered" in r.content
    o.refresh_from_db()
    assert (o.answer, o.upheld) == ("已核实，照片为今年。", False)


def test_objections_cannot_be_answered_after_the_award(w):
    a = _on_notice(w)
    o = services.objection_submit(assessment=a, text="活动照片是去年的。")
    Objection.objects.filter(pk=o.pk).update(answered_at=None)
    StarAssessment.objects.filter(pk=a.pk).update(state=AssessmentState.AWARDED)
    with pytest.raises(ValidationError, match="awarded"):
        services.objection_answer(actor=w.admin, objection=o, answer="迟到的回复", upheld=False)
    assert Objection.objects.get(pk=o.pk).answer == ""


# --- 9. no writes on GET, no 500 on a race ------------------------------------------------------
def test_the_scheme_page_writes_nothing_on_get(client, district):
    admin = f.user("zzb", "district_admin", region=district.district)
    client.force_login(admin)
    r = client.get(reverse("exemplars:scheme"))
    assert r.status_code == 200
    assert not Scheme.objects.exists()
    assert not AuditEntry.objects.filter(action="exemplars.scheme_create").exists()
    form, formset = r.context["form"], r.context["formset"]
    data = {k: ("on" if v is True else v) for k, v in form.initial.items() if v is not False}
    data.update({"c-TOTAL_FORMS": len(formset.initial), "c-INITIAL_FORMS": len(formset.initial)})
    for i, row in enumerate(formset.initial):
        for k, v in row.items():
            data[f"c-{i}-{k}"] = v
    assert client.post(reverse("exemplars:scheme"), data).status_code == 302
    scheme = Scheme.objects.get()
    assert scheme.version == 1 and scheme.max_total == 110


def test_a_concurrent_nomination_or_opening_is_refused_not_a_500(w, monkeypatch):
    # The other request wins between the check and the insert: the check sees nothing.
    monkeypatch.setattr(QuerySet, "exists", lambda self: False)
    with pytest.raises(ValidationError, match="already nominated"):
        services.base_nominate(actor=w.admin, batch=w.batch, organization=w.d.gaotang_committee)
    with pytest.raises(ValidationError, match="already has an assessment"):
        services.assessment_open(actor=w.admin, base=w.gaotang, year=2013)


# --- 10. nothing half written --------------------------------------------------------------------
def test_a_refused_evidence_file_leaves_no_earlier_file_behind(w, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    first, second = w.criteria()[0], w.criteria()[1]
    with pytest.raises(ValidationError):
        services.self_assessment_save(
            actor=w.gaotang_secretary,
            assessment=w.a,
            entries={},
            files={
                str(first.pk): [SimpleUploadedFile("ok.png", PNG, content_type="image/png")],
                str(second.pk): [
                    SimpleUploadedFile("x.exe", b"MZ\x90\x00", content_type="image/png")
                ],
            },
        )
    assert not Evidence.objects.exists()
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_reviewers_cannot_be_changed_from_a_stale_assessment(w):
    _on_notice(w)
    stale = StarAssessment.objects.get(pk=w.a.pk)
    stale.state = AssessmentState.REVIEWING  # read before the notice started elsewhere
    with pytest.raises(ValidationError, match="Scoring is over"):
        services.reviewers_assign(actor=w.admin, assessment=stale, reviewers=[w.r1])
    assert Review.objects.filter(assessment=w.a).count() == 2


# --- 11. the draft self-assessment --------------------------------------------------------------
def test_reviewers_cannot_read_a_draft_self_assessment(client, w, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    c = w.criteria()[0]
    services.reviewers_assign(actor=w.admin, assessment=w.a, reviewers=[w.r1, w.r2])
    services.self_assessment_save(
        actor=w.gaotang_secretary,
        assessment=w.a,
        entries={str(c.pk): ("10", "草稿：还没想好")},
        files={str(c.pk): [SimpleUploadedFile("draft.png", PNG, content_type="image/png")]},
    )
    ev = Evidence.objects.get()
    client.force_login(w.r1)
    r = client.get(reverse("exemplars:assessment", args=[w.a.pk]))
    assert r.status_code == 200 and "草稿" not in r.content.decode()
    assert b"self-draft-hidden" in r.content
    r = client.get(reverse("exemplars:review", args=[w.a.pk]))
    assert r.status_code == 302
    assert client.get(reverse("exemplars:evidence", args=[ev.pk])).status_code == 403
    # the organization's side reads its draft
    client.force_login(w.gaotang_secretary)
    assert "草稿" in client.get(reverse("exemplars:assessment", args=[w.a.pk])).content.decode()
    # once submitted, the reviewers read it
    services.self_assessment_save(
        actor=w.gaotang_secretary, assessment=w.a, entries={}, submit=True
    )
    client.force_login(w.r1)
    assert "草稿" in client.get(reverse("exemplars:review", args=[w.a.pk])).content.decode()
    assert client.get(reverse("exemplars:evidence", args=[ev.pk])).status_code == 200
