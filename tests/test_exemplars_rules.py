"""R45 star rating: bands, the veto, the 5★ share and one step up at the award, independent
reviewers, and objections during the public notice."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from gangwan.core.errors import RuleViolation
from gangwan.core.models import AuditEntry
from gangwan.exemplars import rules, selectors, services
from gangwan.exemplars.models import AssessmentState, BaseStatus, StarAssessment
from tests import factories as f

BANDS = [[5, 90], [4, 80], [3, 70], [2, 60], [1, 0]]


@pytest.fixture(autouse=True)
def _english():
    # Messages are matched in English; the UI's default language is Chinese.
    with translation.override("en"):
        yield


class ExemplarWorld:
    """北仑区 with its first batch (首批) and two reviewers of the district's review group."""

    def __init__(self, district, quota=10):
        self.d = district
        self.admin = f.user("zzb", "district_admin", region=district.district)
        self.r1 = f.user("reviewer1", "reviewer", region=district.district)
        self.r2 = f.user("reviewer2", "reviewer", region=district.district)
        self.gaotang_secretary = f.user(
            "gaotang", "secretary", organization=district.gaotang_committee
        )
        self.batch = services.batch_create(
            actor=self.admin, region=district.district, name="首批", year=2013, quota=quota
        )
        self.scheme = services.scheme_ensure(region=district.district)
        # The 5★ share is tested on its own; elsewhere one assessment may reach five stars.
        self.scheme.five_star_share = 100
        self.scheme.save()

    def base(self, org=None):
        return services.base_nominate(
            actor=self.admin, batch=self.batch, organization=org or self.d.gaotang_committee
        )

    def criteria(self, scheme=None):
        return list((scheme or self.scheme).criteria.all())

    def sheet(self, total_base: int, innovation: int = 5):
        """Points that add up to `total_base` over the scored criteria plus the innovation item."""
        pts, left = {}, Decimal(total_base)
        for c in self.criteria():
            if c.kind == "scored":
                p = min(c.max_points, left)
                pts[str(c.pk)] = str(p)
                left -= p
            elif c.kind == "innovation":
                pts[str(c.pk)] = str(innovation)
        return pts

    def assessment(self, base=None, year=2013, totals=(95, 95), innovation=5, vetoes=(), **kw):
        """An assessment scored by both reviewers and put on notice on a Monday."""
        base = base or self.base()
        a = services.assessment_open(actor=self.admin, base=base, year=year)
        services.self_assessment_save(
            actor=self.gaotang_secretary, assessment=a, entries={}, submit=True
        )
        services.reviewers_assign(actor=self.admin, assessment=a, reviewers=[self.r1, self.r2])
        for user, total in zip((self.r1, self.r2), totals, strict=True):
            review = a.reviews.get(reviewer=user)
            services.review_submit(
                actor=user,
                review=review,
                points=self.sheet(total, innovation),
                vetoes=list(vetoes),
            )
        services.notice_start(actor=self.admin, assessment=a, start=dt.date(year, 12, 2))
        a.refresh_from_db()
        return a

    def award(self, a, **kw):
        return services.assessment_award(
            actor=self.admin, assessment=a, today=a.notice_ends_on + dt.timedelta(days=1), **kw
        )


@pytest.fixture
def world(district):
    return ExemplarWorld(district)


# --- bands ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("score", "stars"),
    [
        (Decimal("90"), 5),
        (Decimal("89.99"), 4),
        (Decimal("80"), 4),
        (Decimal("79.99"), 3),
        (Decimal("70"), 3),
        (Decimal("69.99"), 2),
        (Decimal("60"), 2),
        (Decimal("59.99"), 1),
        (Decimal("0"), 1),
    ],
)
def test_r45_band_boundaries(score, stars):
    assert rules.stars_for(score, bands=BANDS) == stars


def test_r45_five_stars_need_the_innovation_item():
    assert rules.stars_for(Decimal("100"), bands=BANDS, innovation=False) == 4
    assert rules.stars_for(Decimal("100"), bands=BANDS, innovation=True) == 5


def test_r45_default_scheme_has_eight_criteria_of_110_points(world):
    scored = [c for c in world.criteria() if c.kind != "veto"]
    assert len(scored) == 8
    assert sum(c.max_points for c in scored) == 110
    assert any(c.kind == "veto" for c in world.criteria())


def test_r45_proposed_stars_follow_the_band_from_the_reviewers_average(world):
    a = world.assessment(totals=(84, 86), innovation=0)  # average 85 → 4★
    assert a.score == Decimal("85.00")
    assert a.proposed_stars == 4
    b = world.assessment(base=world.base(world.d.dagang_regional), totals=(86, 88), innovation=4)
    assert b.score == Decimal("91.00") and b.proposed_stars == 5


def test_r45_a_veto_item_gives_no_stars_whatever_the_score(world):
    veto = next(c for c in world.criteria() if c.kind == "veto")
    a = world.assessment(totals=(100, 100), vetoes=[veto.pk])
    assert a.vetoed is True
    assert a.proposed_stars == 0


# --- reviewers ---------------------------------------------------------------------------------
def test_r45_reviewers_do_not_see_each_others_scores_until_they_submit(world):
    from gangwan.core.scopes import scope_for

    a = services.assessment_open(actor=world.admin, base=world.base(), year=2013)
    services.self_assessment_save(
        actor=world.gaotang_secretary, assessment=a, entries={}, submit=True
    )
    services.reviewers_assign(actor=world.admin, assessment=a, reviewers=[world.r1, world.r2])
    services.review_submit(
        actor=world.r1, review=a.reviews.get(reviewer=world.r1), points=world.sheet(90), vetoes=[]
    )
    s2 = scope_for(world.r2)
    assert selectors.scores_visible(scope=s2, assessment=a, user=world.r2) is False
    services.review_submit(
        actor=world.r2, review=a.reviews.get(reviewer=world.r2), points=world.sheet(60), vetoes=[]
    )
    assert selectors.scores_visible(scope=s2, assessment=a, user=world.r2) is True
    spread = selectors.spread(assessment=a, sheets=selectors.review_sheets(assessment=a))
    assert spread["range"] == Decimal(30)  # 95 and 65: both 15 points from the mean
    assert len(spread["outliers"]) == 2


def test_a_review_is_fixed_once_submitted(world):
    a = services.assessment_open(actor=world.admin, base=world.base(), year=2013)
    services.self_assessment_save(
        actor=world.gaotang_secretary, assessment=a, entries={}, submit=True
    )
    services.reviewers_assign(actor=world.admin, assessment=a, reviewers=[world.r1, world.r2])
    review = a.reviews.get(reviewer=world.r1)
    services.review_submit(actor=world.r1, review=review, points=world.sheet(90), vetoes=[])
    with pytest.raises(ValidationError):
        services.review_submit(actor=world.r1, review=review, points=world.sheet(50), vetoes=[])


def test_r45_notice_waits_for_every_reviewer(world):
    a = services.assessment_open(actor=world.admin, base=world.base(), year=2013)
    services.self_assessment_save(
        actor=world.gaotang_secretary, assessment=a, entries={}, submit=True
    )
    services.reviewers_assign(actor=world.admin, assessment=a, reviewers=[world.r1, world.r2])
    services.review_submit(
        actor=world.r1, review=a.reviews.get(reviewer=world.r1), points=world.sheet(90), vetoes=[]
    )
    with pytest.raises(ValidationError, match="not submitted"):
        services.notice_start(actor=world.admin, assessment=a)


# --- notice and objections ---------------------------------------------------------------------
def test_r45_notice_lasts_five_working_days():
    # Monday 2 Dec 2013 → Friday 6 Dec; a Thursday start runs to the next Wednesday.
    assert rules.notice_end(dt.date(2013, 12, 2), 5, True) == dt.date(2013, 12, 6)
    assert rules.notice_end(dt.date(2013, 12, 5), 5, True) == dt.date(2013, 12, 11)
    assert rules.notice_end(dt.date(2013, 12, 5), 5, False) == dt.date(2013, 12, 9)


def test_r45_no_award_during_the_notice(world):
    a = world.assessment()
    with pytest.raises(ValidationError, match="notice runs until"):
        services.assessment_award(actor=world.admin, assessment=a, today=a.notice_ends_on)


def test_r45_an_objection_blocks_the_award_until_answered(world):
    a = world.assessment()
    o = services.objection_submit(
        assessment=a, text="该社区服务场所面积不实。", today=dt.date(2013, 12, 3)
    )
    with pytest.raises(ValidationError, match="await an answer"):
        world.award(a)
    assert StarAssessment.objects.get(pk=a.pk).state == AssessmentState.ON_NOTICE
    services.objection_answer(
        actor=world.admin, objection=o, answer="经核实，面积属实。", upheld=False
    )
    world.award(a)
    a.refresh_from_db()
    assert a.state == AssessmentState.AWARDED and a.awarded_stars == 5
    assert AuditEntry.objects.filter(action="exemplars.award").count() == 1


def test_objections_only_during_the_notice(world):
    a = world.assessment()
    with pytest.raises(ValidationError):
        services.objection_submit(
            assessment=a, text="公示期已过的异议。", today=dt.date(2013, 12, 20)
        )


# --- award rules ---------------------------------------------------------------------------------
def test_r45_five_star_share_is_enforced_at_award(district):
    world = ExemplarWorld(district)
    world.scheme.five_star_share = 30
    world.scheme.save()
    orgs = [district.gaotang_committee, district.dagang_regional, district.qingzhi_committee]
    orgs.append(f.organization("芙蓉社区党委", "committee", district.qingzhi, district.xiaogang_wc))
    # 4 assessed, 30% → at most 1 five-star base this year
    a1, a2, a3, a4 = (world.assessment(base=world.base(o)) for o in orgs)
    world.award(a1)
    with pytest.raises(RuleViolation) as exc:
        world.award(a2)
    assert str(exc.value.messages[0]).startswith("R45:")
    assert "30%" in exc.value.messages[0]
    world.award(a2, stars=4)  # a lower award within the proposal is fine
    assert StarAssessment.objects.get(pk=a2.pk).awarded_stars == 4


def test_r45_one_step_up_a_year_and_the_yearly_review_can_lower(world):
    base = world.base()
    first = world.assessment(base=base, year=2013, totals=(75, 75), innovation=0)  # 3★
    world.award(first)
    second = world.assessment(base=base, year=2014, totals=(95, 95))  # proposes 5★
    assert second.proposed_stars == 5
    with pytest.raises(RuleViolation, match="R45: stars go up one step"):
        world.award(second)
    world.award(second, stars=4)
    base.refresh_from_db()
    assert base.stars == 4
    third = world.assessment(base=base, year=2015, totals=(62, 64), innovation=0)  # 2★
    world.award(third)
    base.refresh_from_db()
    assert base.stars == 2


def test_batch_quota_caps_the_bases_named(district):
    world = ExemplarWorld(district, quota=1)
    a = world.assessment()
    b = world.assessment(base=world.base(district.dagang_regional), totals=(70, 70))
    with pytest.raises(ValidationError, match="awarded stars"):
        services.base_name(actor=world.admin, base=a.base)
    world.award(a)
    world.award(b)
    services.base_name(actor=world.admin, base=a.base)
    assert a.base.__class__.objects.get(pk=a.base.pk).status == BaseStatus.NAMED
    with pytest.raises(ValidationError, match="quota"):
        services.base_name(actor=world.admin, base=b.base)


def test_satisfaction_weight_is_zero_without_evaluations(world):
    assert world.scheme.satisfaction_weight == 0
    assert rules.blend(Decimal("85"), None, 20, 110) == Decimal("85.00")
    assert rules.blend(Decimal("80"), Decimal("100"), 50, 100) == Decimal("90.00")


def test_a_blank_criterion_is_not_scored_as_zero(world):
    """QA: a sheet submitted with one criterion left empty was recorded with 0 for it."""
    from django.core.exceptions import ValidationError

    a = services.assessment_open(actor=world.admin, base=world.base(), year=2013)
    services.self_assessment_save(
        actor=world.gaotang_secretary, assessment=a, entries={}, submit=True
    )
    services.reviewers_assign(actor=world.admin, assessment=a, reviewers=[world.r1, world.r2])
    sheet = world.sheet(90)
    sheet[next(iter(sheet))] = ""
    review = a.reviews.get(reviewer=world.r1)
    with pytest.raises(ValidationError):
        services.review_submit(actor=world.r1, review=review, points=sheet, vetoes=[])
    review.refresh_from_db()
    assert review.submitted_at is None
