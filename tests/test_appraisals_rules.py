"""Democratic appraisal (R17): 高塘物业党支部 grades its members once a year."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from gangwan.appraisals import services
from gangwan.appraisals.models import Appraisal, AppraisalGrade, AppraisalRound
from gangwan.core.errors import ReasonRequired, RuleViolation
from gangwan.core.models import AuditEntry
from tests import factories as f

HELD = dt.date(2025, 1, 15)


class W:
    def __init__(self, d):
        self.d = d
        self.branch = f.organization("高塘物业党支部", "branch", d.gaotang, d.gaotang_committee)
        self.full = [f.member(self.branch, name=f"正式{i}") for i in range(6)]
        self.probationary = f.member(self.branch, name="预备王", status="probationary")
        self.elsewhere = f.member(d.qingzhi_committee, name="外人")
        self.admin = f.user("gaotang", role="secretary", organization=d.gaotang_committee)
        self.round = services.appraisal_round_open(
            actor=self.admin, organization=self.branch, year=2024, held_on=HELD
        )

    def record(self, grades, **kw):
        return services.appraisal_record(actor=self.admin, round=self.round, grades=grades, **kw)


@pytest.fixture
def w(district):
    return W(district)


def test_r17_grades_are_the_four_fixed_ones(w):
    assert AppraisalGrade.values == ["excellent", "qualified", "basically_qualified", "unqualified"]
    with pytest.raises(RuleViolation, match="R17"):
        w.record({w.full[0].pk: "good"})
    assert not Appraisal.objects.exists()
    with pytest.raises(IntegrityError), transaction.atomic():  # the database holds the list too
        Appraisal.objects.create(round=w.round, member=w.full[0], grade="good")


def test_r17_probationary_members_take_part_without_a_grade(w):
    with pytest.raises(RuleViolation, match="R17: 预备王 is a probationary member"):
        w.record({w.probationary.pk: "qualified", w.full[0].pk: "qualified"})
    assert not Appraisal.objects.exists()  # nothing half-saved
    w.record({m.pk: "qualified" for m in w.full} | {w.probationary.pk: None}, close=True)
    a = Appraisal.objects.get(member=w.probationary)
    assert (a.grade, a.participated) == (None, True)
    w.round.refresh_from_db()
    assert w.round.is_closed


def test_r17_more_than_a_third_excellent_needs_a_reason(w):
    grades = {m.pk: "qualified" for m in w.full}
    grades[w.full[0].pk] = grades[w.full[1].pk] = "excellent"  # 2 of 6: a third exactly
    w.record(grades)
    assert not AuditEntry.objects.filter(action="appraisal.record").exclude(warnings=[]).exists()
    grades[w.full[2].pk] = "excellent"  # 3 of 6
    with pytest.raises(ReasonRequired, match="R17"):
        w.record(grades)
    assert Appraisal.objects.filter(grade="excellent").count() == 2
    w.record(grades, reason="抗台救灾中三人表现突出，经支委会研究")
    entry = AuditEntry.objects.filter(action="appraisal.record").latest("pk")
    assert entry.reason.startswith("抗台救灾")
    assert entry.warnings[0]["rule"] == "R17"
    w.round.refresh_from_db()
    assert w.round.excellent_reason.startswith("抗台救灾")


def test_closing_needs_every_full_member_graded_and_is_audited(w):
    w.record({m.pk: "qualified" for m in w.full[:5]})
    with pytest.raises(ValidationError, match="正式5"):
        w.record({}, close=True)
    w.round.refresh_from_db()
    assert not w.round.is_closed
    w.record({w.full[5].pk: "basically_qualified"}, close=True)
    assert AuditEntry.objects.filter(action="appraisal.close").count() == 1
    with pytest.raises(ValidationError, match="closed"):
        w.record({w.full[0].pk: "excellent"})


def test_members_of_other_organizations_are_refused(w):
    with pytest.raises(RuleViolation, match="does not take part"):
        w.record({w.elsewhere.pk: "qualified"})


def test_one_round_per_organization_and_year(w):
    with pytest.raises(ValidationError, match="already has an appraisal"):
        services.appraisal_round_open(actor=w.admin, organization=w.branch, year=2024, held_on=HELD)
    with pytest.raises(ValidationError, match="held in 2022"):
        services.appraisal_round_open(actor=w.admin, organization=w.branch, year=2022, held_on=HELD)
    assert AppraisalRound.objects.count() == 1
    assert AuditEntry.objects.filter(action="appraisal.round_open").count() == 1


def test_a_temporary_branch_holds_an_appraisal_too(w):
    temp = f.organization("项目临时党支部", "temporary_branch", w.d.gaotang, w.d.gaotang_committee)
    m = f.member(temp)
    rnd = services.appraisal_round_open(actor=w.admin, organization=temp, year=2024, held_on=HELD)
    services.appraisal_record(actor=w.admin, round=rnd, grades={m.pk: "qualified"}, close=True)
