"""Compliance reminders to secretaries (REMIND in R10–R17): before a period ends without the
activity, and once it has ended without it. Idempotent: ReminderSent records each
(organization, rule, period, kind) once; a second run sends nothing."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from gangwan.core.audit import audit_record
from gangwan.core.models import RoleAssignment
from gangwan.core.notifications import notify
from gangwan.core.scopes import Scope
from gangwan.organizations.models import Office, OfficeRole

from .models import ReminderKind, ReminderSent
from .rules import DONE, OVERDUE, REMIND_DAYS_KEY, RuleConfig, period_label
from .selectors import compliance_evaluate


def secretary_users(organization_ids) -> dict[int, set]:
    """Per organization, the users to remind: the sitting secretary's own account and the users
    holding the secretary role on the organization (two queries)."""
    users: dict[int, set] = defaultdict(set)
    for org_id, user_id in Office.objects.filter(
        organization__in=organization_ids,
        role=OfficeRole.SECRETARY,
        ended_on__isnull=True,
        member__user__isnull=False,
    ).values_list("organization_id", "member__user_id"):
        users[org_id].add(user_id)
    for org_id, user_id in RoleAssignment.objects.filter(
        organization__in=organization_ids, role="secretary"
    ).values_list("organization_id", "user_id"):
        users[org_id].add(user_id)
    return users


def _due_reminders(evaluated, today: dt.date, config: RuleConfig):
    for oc in evaluated:
        days = int(config.value(REMIND_DAYS_KEY, oc.region_path))
        for st in oc.statuses:
            if st.previous == OVERDUE:
                yield oc, st, st.previous_start, ReminderKind.OVERDUE
            if st.current != DONE and (st.current_end - today).days < days:
                yield oc, st, st.current_start, ReminderKind.UPCOMING


def reminders_send(*, today: dt.date | None = None, actor=None) -> int:
    """Send every reminder due today across the whole district; returns how many were sent."""
    today = today or dt.date.today()
    evaluated = compliance_evaluate(scope=Scope(everything=True), today=today)
    config = RuleConfig.load()
    due = list(_due_reminders(evaluated, today, config))
    if not due:
        return 0
    already = set(
        ReminderSent.objects.filter(
            organization__in={oc.id for oc, *_ in due}, period_start__gte=min(d[2] for d in due)
        ).values_list("organization_id", "rule", "period_start", "kind")
    )
    recipients = secretary_users({oc.id for oc, *_ in due})
    users = get_user_model().objects.in_bulk({u for s in recipients.values() for u in s})
    sent = 0
    url = reverse("compliance:index")
    for oc, st, start, kind in due:
        if (oc.id, st.rule.code, start, kind) in already:
            continue
        to = [users[u] for u in sorted(recipients.get(oc.id, ())) if u in users]
        sent += _send_one(oc, st, start, kind, to, url, actor)
    return sent


@transaction.atomic
def _send_one(oc, st, start, kind, to, url, actor) -> int:
    try:
        with transaction.atomic():
            rec = ReminderSent.objects.create(
                organization_id=oc.id,
                rule=st.rule.code,
                period_start=start,
                kind=kind,
                recipients=len(to),
            )
    except IntegrityError:
        return 0  # another worker sent it meanwhile
    params = {"org": oc.name, "activity": st.rule.label, "period": period_label(start, st.period)}
    if kind == ReminderKind.OVERDUE:
        title = _("%(org)s: no %(activity)s in %(period)s") % params
        body = _("The period has ended without a recorded %(activity)s (%(rule)s).") % {
            **params,
            "rule": st.rule.code,
        }
    else:
        title = _("%(org)s: %(activity)s due by %(end)s") % {**params, "end": st.current_end}
        body = _("No %(activity)s is recorded yet for %(period)s (%(rule)s).") % {
            **params,
            "rule": st.rule.code,
        }
    for user in to:
        notify(user=user, title=title, body=body, url=url)
    audit_record(
        actor=actor,
        action="compliance.remind",
        obj=rec,
        after={"organization": oc.id, "rule": st.rule.code, "period": str(start), "kind": kind},
    )
    return 1
