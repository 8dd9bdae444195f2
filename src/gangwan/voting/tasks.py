"""Background work of the voting app (django-tasks; run by `gangwan worker`)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task


def flags_scan_open_polls(*, now=None) -> int:
    """Scan every poll open now or closed within the last hour for suspicious bursts; returns
    the number of new flags. Idempotent (each burst is recorded once)."""
    from . import services
    from .models import Poll

    now = now or timezone.now()
    polls = Poll.objects.filter(opens_at__lte=now, closes_at__gte=now - dt.timedelta(hours=1))
    return sum(services.flags_scan(poll=p) for p in polls)


@task()
def scan_for_bursts() -> int:
    """Flag suspicious bursts of ballots for review (the worker's periodic run calls
    flags_scan_open_polls through core.tasks.scan_votes_for_bursts)."""
    return flags_scan_open_polls()
