"""Compliance rules R10–R17: done / due / overdue per organization and period, at month, quarter
and year boundaries; configuration per region; which organizations a rule applies to."""

import datetime as dt

import pytest

from gangwan.activities.models import Activity, PartyGroup
from gangwan.compliance.rules import (
    DONE,
    DUE,
    OVERDUE,
    period_end,
    period_start,
    previous_period_start,
)
from gangwan.compliance.selectors import compliance_evaluate
from gangwan.core.models import RuleSetting
from gangwan.core.scopes import Scope
from tests import factories as f

ALL = Scope(everything=True)


def _held(org, kind, day):
    return Activity.objects.create(organization=org, kind=kind, held_on=day, topic=kind)


def _status(org, code, today):
    [oc] = [o for o in compliance_evaluate(scope=ALL, today=today) if o.id == org.pk]
    return oc.status_for(code)


@pytest.fixture
def branch(district):
    return f.organization("物业党支部", "branch", district.gaotang, district.gaotang_committee)


def test_periods_at_boundaries():
    assert period_start(dt.date(2026, 3, 31), "quarter") == dt.date(2026, 1, 1)
    assert period_start(dt.date(2026, 4, 1), "quarter") == dt.date(2026, 4, 1)
    assert period_end(dt.date(2024, 2, 10), "month") == dt.date(2024, 2, 29)
    assert period_end(dt.date(2026, 11, 5), "quarter") == dt.date(2026, 12, 31)
    assert previous_period_start(dt.date(2026, 1, 15), "month") == dt.date(2025, 12, 1)
    assert previous_period_start(dt.date(2026, 2, 1), "quarter") == dt.date(2025, 10, 1)
    assert previous_period_start(dt.date(2026, 6, 1), "year") == dt.date(2025, 1, 1)


def test_R14_theme_day_monthly_at_month_end(branch):
    _held(branch, "theme_day", dt.date(2026, 1, 31))
    # On the last day of January: done in January.
    st = _status(branch, "R14", dt.date(2026, 1, 31))
    assert (st.current, st.previous) == (DONE, OVERDUE)
    # The next day: January is the complete previous period (done), February is due.
    st = _status(branch, "R14", dt.date(2026, 2, 1))
    assert (st.current, st.previous) == (DUE, DONE)
    # A month later: February ended without one.
    st = _status(branch, "R14", dt.date(2026, 3, 1))
    assert (st.current, st.previous) == (DUE, OVERDUE)


def test_R10_general_meeting_quarterly_at_quarter_end(branch):
    _held(branch, "general_meeting", dt.date(2026, 3, 31))
    assert _status(branch, "R10", dt.date(2026, 3, 31)).current == DONE
    st = _status(branch, "R10", dt.date(2026, 4, 1))
    assert (st.current, st.previous, st.period) == (DUE, DONE, "quarter")
    assert _status(branch, "R10", dt.date(2026, 7, 1)).previous == OVERDUE


def test_R15_life_meeting_and_R17_appraisal_yearly_at_year_end(branch):
    _held(branch, "life_meeting", dt.date(2025, 12, 31))
    st = _status(branch, "R15", dt.date(2026, 1, 1))
    assert (st.current, st.previous) == (DUE, DONE)
    assert _status(branch, "R17", dt.date(2026, 1, 1)).previous == OVERDUE
    # An activity in the future (a typo) does not count yet.
    _held(branch, "appraisal", dt.date(2026, 12, 1))
    assert _status(branch, "R17", dt.date(2026, 6, 1)).current == DUE


def test_R13_lecture_period_configurable_per_region(district, branch):
    other = f.organization("青峙党支部", "branch", district.qingzhi, district.qingzhi_committee)
    _held(branch, "lecture", dt.date(2026, 2, 10))
    _held(other, "lecture", dt.date(2026, 2, 10))
    # 新碶 street asks for a lecture every month; 小港 keeps the default (quarterly).
    RuleSetting.objects.create(region=district.xinqi, key="R13.lecture_period", value="month")
    today = dt.date(2026, 3, 5)
    mine, theirs = _status(branch, "R13", today), _status(other, "R13", today)
    assert (mine.period, mine.current, mine.previous) == ("month", DUE, DONE)
    assert (theirs.period, theirs.current) == ("quarter", DONE)
    # A nonsense override falls back to the default.
    RuleSetting.objects.filter(key="R13.lecture_period").update(value="fortnight")
    assert _status(branch, "R13", today).period == "quarter"


def test_R11_committee_meeting_only_with_a_committee(branch):
    today = dt.date(2026, 3, 5)
    assert _status(branch, "R11", today) is None
    for role in ("secretary", "deputy_secretary", "committee_member"):
        f.office(branch, f.member(branch), role=role)
    assert _status(branch, "R11", today).previous == OVERDUE


def test_R12_group_meeting_only_with_party_groups(branch):
    today = dt.date(2026, 3, 5)
    assert _status(branch, "R12", today) is None
    group = PartyGroup.objects.create(organization=branch, name="第一党小组")
    assert _status(branch, "R12", today).current == DUE
    group.dissolved_on = dt.date(2026, 1, 1)
    group.save()
    assert _status(branch, "R12", today) is None


def test_R4_temporary_branch_holds_meetings_but_no_appraisal(district):
    temp = f.organization(
        "项目临时党支部", "temporary_branch", district.gaotang, district.gaotang_committee
    )
    [oc] = [o for o in compliance_evaluate(scope=ALL, today=dt.date(2026, 3, 5)) if o.id == temp.pk]
    codes = {s.rule.code for s in oc.statuses}
    assert {"R10", "R13", "R14", "R15"} <= codes
    assert "R17" not in codes


def test_committees_and_dissolved_organizations_are_not_evaluated(district, branch):
    branch.dissolved_on = dt.date(2026, 1, 1)
    branch.save()
    ids = {o.id for o in compliance_evaluate(scope=ALL, today=dt.date(2026, 3, 5))}
    assert branch.pk not in ids
    assert district.gaotang_committee.pk not in ids
    assert district.dagang_regional.pk in ids


def test_scope_cuts_the_evaluation(district, branch):
    scope = Scope(region_paths=(district.xiaogang.path,))
    ids = {o.id for o in compliance_evaluate(scope=scope, today=dt.date(2026, 3, 5))}
    assert branch.pk not in ids and district.dagang_regional.pk not in ids
