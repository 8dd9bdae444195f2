"""The dashboard's panel for this app: panel(request) -> dict | None (see dashboard/views.py):
the polls open now (or closed in the last week) that the user administers, with their valid
ballots and the flags waiting for review."""

import datetime as dt

from django.utils import timezone

from . import selectors


def panel(request):
    scope = request.scope
    if not selectors.administers_polls(scope):
        return None
    now = timezone.now()
    polls = list(
        selectors.poll_list(scope=scope).filter(
            opens_at__lte=now, closes_at__gte=now - dt.timedelta(days=7)
        )[:5]
    )
    if not polls:
        return None
    valid = selectors.valid_ballots(polls)
    return {
        "template": "voting/dashboard_panel.html",
        "polls": [(p, valid.get(p.pk, 0)) for p in polls],
    }
