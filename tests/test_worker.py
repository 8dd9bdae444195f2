"""The background worker on the real test database (SQLite here, PostgreSQL in CI): the scheduler
enqueues the periodic tasks into the database queue, the real `db_worker` runs them, and an
overdue committee meeting (R11) ends as a reminder in the secretary's inbox."""

import datetime as dt
from contextlib import contextmanager

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from gangwan.compliance.models import ComplianceRefresh, OrganizationStatus, ReminderSent
from gangwan.core.models import Notification
from gangwan.core.tasks import enqueue_periodic, send_compliance_reminders
from tests import factories as f

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@contextmanager
def database_backend():
    """The database backend, with its app installed. Until settings.py lists `django_tasks_db`,
    its table is created here for the test and dropped afterwards."""
    if "django_tasks_db" in django_settings.INSTALLED_APPS:
        with override_settings(TASKS=DB_TASKS):
            yield
        return
    apps = [*django_settings.INSTALLED_APPS, "django_tasks_db"]
    with override_settings(INSTALLED_APPS=apps, TASKS=DB_TASKS):
        from django_tasks_db.models import DBTaskResult

        with connection.schema_editor() as editor:
            editor.create_model(DBTaskResult)
        try:
            yield
        finally:
            with connection.schema_editor() as editor:
                editor.delete_model(DBTaskResult)


@pytest.fixture
def overdue_committee(transactional_db):
    region = f.district("北仑区")
    community = f.community(f.street(region), "青峙社区")
    org = f.organization("化工党支部", "branch", community)
    secretary = f.member(org, name="王书记")
    secretary.user = f.user("wang")
    secretary.save()
    f.office(org, secretary, role="secretary", started_on=dt.date(2020, 1, 1))
    f.office(org, f.member(org), role="deputy_secretary", started_on=dt.date(2020, 1, 1))
    f.office(org, f.member(org), role="committee_member", started_on=dt.date(2020, 1, 1))
    # No committee meeting at all: last month's is overdue, whatever today is.
    return org, secretary.user


def test_R11_worker_sends_overdue_committee_meeting_reminder(overdue_committee, settings):
    # Messages are written in the district's language; read them in English here.
    settings.LANGUAGE_CODE = "en"
    org, user = overdue_committee
    with database_backend():
        from django_tasks_db.models import DBTaskResult

        results = enqueue_periodic()
        assert DBTaskResult.objects.count() == len(results) == 5
        assert not Notification.objects.exists()  # nothing ran yet: it is queued
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
        assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
        reminder = ReminderSent.objects.get(organization=org, rule="R11", kind="overdue")
        overdue = Notification.objects.filter(user=user, body__contains="has ended")
        n = overdue.get(title__contains="化工党支部", body__contains="R11")
        assert n.url.startswith("/compliance")
        assert reminder.recipients == 1
        # The same run made today's compliance rollup, with the organization behind on R11.
        status = OrganizationStatus.objects.get(organization=org)
        assert status.overdue and "R11" in status.overdue_rules.split(",")
        assert ComplianceRefresh.objects.filter(as_of=dt.date.today(), organizations=1).exists()
        # Run again: idempotent, no second message for the same period.
        send_compliance_reminders.enqueue()
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
        assert overdue.filter(body__contains="R11").count() == 1


def test_worker_command_once(overdue_committee):
    org, user = overdue_committee
    with database_backend():
        call_command("worker", "--once", verbosity=0)
        assert ReminderSent.objects.filter(organization=org, rule="R11").exists()
        assert Notification.objects.filter(user=user).exists()
