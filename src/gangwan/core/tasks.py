"""Background tasks (Django's tasks API; database backend `django_tasks_db`, run by `gangwan worker`).

Each task is idempotent, so the scheduler may enqueue it as often as it likes."""

from __future__ import annotations

from django_tasks import task


@task()
def send_compliance_reminders() -> int:
    """Remind secretaries of activities due soon or overdue (R10–R17)."""
    from gangwan.compliance.services import reminders_send

    return reminders_send()


@task()
def expire_transfer_letters() -> int:
    """Expire transfer letters whose validity has passed (R24)."""
    from gangwan.transfers.services import transfer_expire_due

    return transfer_expire_due()


@task()
def refresh_compliance_rollups() -> int:
    """Rebuild the compliance rollups once a day (SPEC §13: area pages read them)."""
    from gangwan.compliance.rollups import refresh_daily

    return refresh_daily()


@task()
def refresh_dashboards() -> int:
    """Precompute the region administrators' dashboards (after the compliance rollup)."""
    from gangwan.dashboard.snapshots import snapshots_refresh

    return snapshots_refresh()


@task()
def scan_votes_for_bursts() -> int:
    """Flag suspicious bursts of ballots in open polls for review (SPEC §5)."""
    from gangwan.voting.tasks import flags_scan_open_polls

    return flags_scan_open_polls()


PERIODIC = (
    refresh_compliance_rollups,
    refresh_dashboards,
    send_compliance_reminders,
    expire_transfer_letters,
    scan_votes_for_bursts,
)


def enqueue_periodic() -> list:
    """Enqueue every periodic task once (the worker's scheduler calls this every few minutes)."""
    return [t.enqueue() for t in PERIODIC]
