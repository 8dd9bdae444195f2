"""Reminders to secretaries (REMIND in R10–R17): before a period ends and after it ended without
the activity, once per (organization, rule, period, kind), to the sitting secretary's account and
the users holding the secretary role on the organization."""

import datetime as dt

import pytest

from gangwan.activities.models import Activity
from gangwan.compliance.models import ReminderSent
from gangwan.compliance.services import reminders_send
from gangwan.core.models import AuditEntry, Notification
from tests import factories as f


@pytest.fixture
def committee_branch(district):
    org = f.organization("化工党支部", "branch", district.qingzhi, district.qingzhi_committee)
    secretary = f.member(org, name="王书记")
    secretary.user = f.user("wang")
    secretary.save()
    f.office(org, secretary, role="secretary")
    f.office(org, f.member(org), role="deputy_secretary")
    f.office(org, f.member(org), role="committee_member")
    role_user = f.user("sec_role", role="secretary", organization=org)
    return org, secretary.user, role_user


def test_R11_overdue_committee_meeting_reminds_both_secretaries_once(committee_branch):
    org, sec_user, role_user = committee_branch
    today = dt.date(2026, 3, 10)
    for kind in ("general_meeting", "lecture", "theme_day", "life_meeting", "appraisal"):
        Activity.objects.create(
            organization=org, kind=kind, held_on=dt.date(2026, 2, 1), topic=kind
        )
        Activity.objects.create(
            organization=org, kind=kind, held_on=dt.date(2025, 12, 1), topic=kind
        )
    Activity.objects.create(
        organization=org, kind="theme_day", held_on=dt.date(2026, 3, 1), topic="t"
    )
    assert reminders_send(today=today) >= 1
    # Only February's committee meeting is missing (March is not yet near its end).
    rec = ReminderSent.objects.get(organization=org)
    assert (rec.rule, rec.period_start, rec.kind, rec.recipients) == (
        "R11",
        dt.date(2026, 2, 1),
        "overdue",
        2,
    )
    for user in (sec_user, role_user):
        n = Notification.objects.get(user=user)
        assert "化工党支部" in n.title and n.url.startswith("/compliance")
    assert AuditEntry.objects.filter(action="compliance.remind", object_id=str(rec.pk)).exists()
    # Idempotent: a second run sends nothing.
    assert reminders_send(today=today) == 0
    assert Notification.objects.filter(user__in=[sec_user, role_user]).count() == 2


def test_upcoming_reminder_seven_days_before_period_end(committee_branch):
    org, sec_user, _ = committee_branch
    for day in (dt.date(2026, 2, 3), dt.date(2026, 3, 3)):
        Activity.objects.create(
            organization=org, kind="committee_meeting", held_on=day, topic="支委会"
        )
    reminders_send(today=dt.date(2026, 3, 20))
    assert not ReminderSent.objects.filter(rule="R14", kind="upcoming").exists()
    reminders_send(today=dt.date(2026, 3, 25))
    upcoming = set(ReminderSent.objects.filter(kind="upcoming").values_list("rule", flat=True))
    assert "R14" in upcoming and "R11" not in upcoming  # March's committee meeting is done
    assert Notification.objects.filter(user=sec_user, title__contains="2026-03-31").exists()


def test_no_recipient_still_records_the_reminder_once(district):
    org = f.organization("无书记党支部", "branch", district.gaotang, district.gaotang_committee)
    assert reminders_send(today=dt.date(2026, 3, 10)) > 0
    assert ReminderSent.objects.filter(organization=org, recipients=0).exists()
    assert Notification.objects.count() == 0
    assert reminders_send(today=dt.date(2026, 3, 10)) == 0
