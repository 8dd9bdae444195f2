"""Changes to service brands, their records, enterprise problems and events. Every change is
audited; refusals are ValidationErrors with a message for the user."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gangwan.core.audit import audit_record, snapshot
from gangwan.core.notifications import send_sms
from gangwan.core.validators import validate_phone

from .models import (
    CLOSED_STATUSES,
    EmployeeEvent,
    EnterpriseProblem,
    ProblemStatus,
    Registration,
    RegistrationStatus,
    ServiceBrand,
    ServiceRecord,
)

# --- brands ----------------------------------------------------------------------------------
BRAND_FIELDS = ("name", "category", "organization", "description", "started_on", "ended_on")


@transaction.atomic
def brand_create(*, actor, partners=(), is_public: bool = True, **fields) -> ServiceBrand:
    brand = ServiceBrand(is_public=is_public, **{k: fields[k] for k in BRAND_FIELDS if k in fields})
    brand.full_clean()
    brand.save()
    brand.partners.set(partners)
    audit_record(actor=actor, action="brand.create", obj=brand, after=snapshot(brand))
    return brand


@transaction.atomic
def brand_update(*, actor, brand: ServiceBrand, partners=None, **fields) -> ServiceBrand:
    before = snapshot(brand)
    for k, v in fields.items():
        if k in (*BRAND_FIELDS, "is_public"):
            setattr(brand, k, v)
    brand.full_clean()
    brand.save()
    if partners is not None:
        brand.partners.set(partners)
    audit_record(
        actor=actor, action="brand.update", obj=brand, before=before, after=snapshot(brand)
    )
    return brand


# --- service records -------------------------------------------------------------------------
@transaction.atomic
def record_create(
    *,
    actor,
    brand: ServiceBrand,
    served_on: dt.date,
    title: str,
    hours: Decimal | int | None = None,
    summary: str = "",
    members=(),
    served_unit=None,
    served_text: str = "",
    outcome: str = "",
    feedback: str = "",
    source_ref: str | None = None,
    url: str = "",
) -> ServiceRecord:
    """Record one service under `brand`. Refused for a brand that has ended before the date, a
    date in the future, negative hours, or no one served (neither a unit nor a description)."""
    errors = {}
    if served_on > timezone.localdate():
        errors["served_on"] = _("A service record cannot be dated in the future.")
    if served_on < brand.started_on:
        errors["served_on"] = _("The brand had not started on that date.")
    if brand.ended_on and served_on > brand.ended_on:
        errors["served_on"] = _("The brand had ended by that date.")
    if hours is not None and Decimal(hours) < 0:
        errors["hours"] = _("Hours cannot be negative.")
    if served_unit is None and not served_text.strip():
        errors["served_text"] = _("Say whom the service was for: a unit or residents.")
    if errors:
        raise ValidationError(errors)
    record = ServiceRecord.objects.create(
        brand=brand,
        served_on=served_on,
        title=title.strip()[:200],
        summary=summary,
        served_unit=served_unit,
        served_text=served_text.strip()[:200],
        hours=Decimal(hours or 0),
        outcome=outcome,
        feedback=feedback,
        source_ref=source_ref or None,
        url=url[:300],
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    if members:
        record.members.set(members)
    audit_record(actor=actor, action="brand.record", obj=record, after=snapshot(record))
    return record


def record_from_project_done(
    *,
    organization,
    done_on: dt.date,
    title: str,
    summary: str = "",
    hours=None,
    served_units=(),
    served_text: str = "",
    source_ref: str,
    url: str = "",
    **_ignored,
) -> ServiceRecord | None:
    """Listener of "project.done" (cobuild): a finished co-building project of an organization that
    owns an active brand counts as one service record of its oldest such brand. Idempotent on
    source_ref: the same project reported twice still makes one record."""
    if ServiceRecord.objects.filter(source_ref=source_ref).exists():
        return None
    brand = (
        ServiceBrand.objects.filter(organization=organization, ended_on__isnull=True)
        .order_by("started_on", "pk")
        .first()
    )
    if brand is None:
        return None
    units = list(served_units or [])
    text = served_text or ("、".join(u.name for u in units[1:]) if len(units) > 1 else "")
    try:
        with transaction.atomic():
            return record_create(
                actor=None,
                brand=brand,
                served_on=min(done_on, timezone.localdate()),
                title=title,
                summary=summary,
                hours=hours,
                served_unit=units[0] if units else None,
                served_text=text or title,
                source_ref=source_ref,
                url=url,
            )
    except IntegrityError:  # the same project reported concurrently: the other one won
        return None
    except ValidationError:  # e.g. done before the brand started: not this brand's service
        return None


# --- enterprise problems ---------------------------------------------------------------------
# The problem's state machine: open → in hand → solved | referred; open may be referred at once.
TRANSITIONS = {
    "take": ((ProblemStatus.OPEN,), ProblemStatus.IN_HAND),
    "solve": ((ProblemStatus.IN_HAND,), ProblemStatus.SOLVED),
    "refer": ((ProblemStatus.OPEN, ProblemStatus.IN_HAND), ProblemStatus.REFERRED),
}


@transaction.atomic
def problem_report(
    *, actor, brand: ServiceBrand, unit, category: str, text: str, reported_on: dt.date
) -> EnterpriseProblem:
    if reported_on > timezone.localdate():
        raise ValidationError({"reported_on": _("The report date cannot be in the future.")})
    if not text.strip():
        raise ValidationError({"text": _("Describe the problem.")})
    problem = EnterpriseProblem(
        brand=brand, unit=unit, category=category, text=text.strip(), reported_on=reported_on
    )
    problem.full_clean()
    problem.save()
    audit_record(actor=actor, action="brand.problem.report", obj=problem, after=snapshot(problem))
    return problem


@transaction.atomic
def problem_transition(
    *,
    actor,
    problem: EnterpriseProblem,
    action: str,
    on: dt.date | None = None,
    handler: str = "",
    resolution: str = "",
    referred_to: str = "",
    hours: Decimal | int | None = None,
    members=(),
) -> EnterpriseProblem:
    """Move a problem along open → in hand → solved | referred. Solving needs a resolution,
    referring needs the body referred to; closing (either) creates the service record of the
    advisory group. A transition the state does not allow is refused."""
    problem = EnterpriseProblem.objects.select_for_update().get(pk=problem.pk)
    if action not in TRANSITIONS:
        raise ValidationError(_("Unknown action."))
    allowed, target = TRANSITIONS[action]
    if problem.status not in allowed:
        raise ValidationError(
            _("A problem that is “%(status)s” cannot be moved to “%(target)s”.")
            % {"status": problem.get_status_display(), "target": ProblemStatus(target).label}
        )
    on = on or timezone.localdate()
    if on < problem.reported_on:
        raise ValidationError({"on": _("The date is before the problem was reported.")})
    if on > timezone.localdate():
        raise ValidationError({"on": _("The date cannot be in the future.")})
    if action == "solve" and not resolution.strip():
        raise ValidationError({"resolution": _("Say how the problem was solved.")})
    if action == "refer" and not referred_to.strip():
        raise ValidationError({"referred_to": _("Say where the problem was referred to.")})
    before = snapshot(problem)
    problem.status = target
    if action == "take":
        problem.taken_on = on
        problem.handler = handler.strip()[:100] or problem.handler
    else:
        problem.closed_on = on
        problem.resolution = resolution.strip()
        problem.referred_to = referred_to.strip()[:150]
        if problem.taken_on is None:
            problem.taken_on = on
        outcome = (
            resolution.strip()
            if action == "solve"
            else _("Referred to %(body)s.") % {"body": problem.referred_to}
        )
        problem.record = record_create(
            actor=actor,
            brand=problem.brand,
            served_on=max(on, problem.brand.started_on),
            title=_("Enterprise problem: %(text)s") % {"text": problem.text[:60]},
            summary=problem.text,
            hours=hours,
            members=members,
            served_unit=problem.unit,
            outcome=outcome,
            source_ref=f"brands.problem:{problem.pk}",
        )
    problem.save()
    audit_record(
        actor=actor,
        action=f"brand.problem.{action}",
        obj=problem,
        before=before,
        after=snapshot(problem),
    )
    return problem


def problem_is_closed(problem: EnterpriseProblem) -> bool:
    return problem.status in CLOSED_STATUSES


# --- events and registrations ----------------------------------------------------------------
@transaction.atomic
def event_create(*, actor, **fields) -> EmployeeEvent:
    event = EmployeeEvent(**fields)
    event.full_clean()
    event.save()
    audit_record(actor=actor, action="brand.event.create", obj=event, after=snapshot(event))
    return event


@transaction.atomic
def event_update(*, actor, event: EmployeeEvent, **fields) -> EmployeeEvent:
    """Change an event; a larger capacity promotes people from the waiting list at once."""
    event = EmployeeEvent.objects.select_for_update().get(pk=event.pk)
    before = snapshot(event)
    for k, v in fields.items():
        setattr(event, k, v)
    event.full_clean()
    event.save()
    _promote(event)
    audit_record(
        actor=actor, action="brand.event.update", obj=event, before=before, after=snapshot(event)
    )
    return event


def _promote(event: EmployeeEvent) -> list[Registration]:
    """Fill free places from the waiting list, first come first served (event row is locked)."""
    confirmed = event.registrations.filter(status=RegistrationStatus.CONFIRMED).count()
    free = event.capacity - confirmed
    if free <= 0:
        return []
    waiting = list(
        event.registrations.filter(status=RegistrationStatus.WAITING).order_by("created_at", "pk")[
            :free
        ]
    )
    now = timezone.now()
    for r in waiting:
        r.status, r.promoted_at = RegistrationStatus.CONFIRMED, now
        r.save(update_fields=["status", "promoted_at"])
        audit_record(actor=None, action="brand.registration.promote", obj=r, after=snapshot(r))
        text = _("A place freed up: your registration for %(event)s is confirmed.") % {
            "event": event.title
        }
        transaction.on_commit(lambda phone=r.phone, text=text: send_sms(phone, text))
    return waiting


@transaction.atomic
def registration_create(
    *, actor, event: EmployeeEvent, name: str, phone: str, employer: str = ""
) -> Registration:
    """Register a person: confirmed while places are left, else on the waiting list. The event row
    is locked so that two people cannot take the last place. One live registration per phone."""
    phone = validate_phone(phone)
    event = EmployeeEvent.objects.select_for_update().get(pk=event.pk)
    if not event.registration_open:
        raise ValidationError(_("Registration for this event is closed."))
    if event.starts_at <= timezone.now():
        raise ValidationError(_("This event has already started."))
    if not name.strip():
        raise ValidationError({"name": _("Give your name.")})
    reg = Registration(event=event, name=name.strip()[:60], phone=phone, employer=employer[:150])
    reg.phone_hash = reg._meta.get_field("phone_hash").pre_save(reg, True)
    if (
        event.registrations.filter(phone_hash=reg.phone_hash)
        .exclude(status=RegistrationStatus.CANCELLED)
        .exists()
    ):
        raise ValidationError(
            _("This phone number is already registered for the event."), code="duplicate"
        )
    confirmed = event.registrations.filter(status=RegistrationStatus.CONFIRMED).count()
    reg.status = (
        RegistrationStatus.CONFIRMED if confirmed < event.capacity else RegistrationStatus.WAITING
    )
    reg.save()
    audit_record(actor=actor, action="brand.registration.create", obj=reg, after=snapshot(reg))
    return reg


@transaction.atomic
def registration_cancel(*, actor, registration: Registration) -> list[Registration]:
    """Cancel a registration; a confirmed place freed goes to the first on the waiting list.
    Returns the registrations promoted."""
    event = EmployeeEvent.objects.select_for_update().get(pk=registration.event_id)
    reg = Registration.objects.get(pk=registration.pk)
    if reg.status == RegistrationStatus.CANCELLED:
        raise ValidationError(_("The registration is already cancelled."))
    before = snapshot(reg)
    reg.status = RegistrationStatus.CANCELLED
    reg.save(update_fields=["status"])
    audit_record(
        actor=actor, action="brand.registration.cancel", obj=reg, before=before, after=snapshot(reg)
    )
    return _promote(event)


@transaction.atomic
def registration_attend(*, actor, registration: Registration, attended: bool) -> Registration:
    reg = Registration.objects.select_for_update().get(pk=registration.pk)
    if reg.status != RegistrationStatus.CONFIRMED:
        raise ValidationError(_("Only confirmed registrations can be marked as attended."))
    before = snapshot(reg)
    reg.attended = attended
    reg.save(update_fields=["attended"])
    audit_record(
        actor=actor, action="brand.registration.attend", obj=reg, before=before, after=snapshot(reg)
    )
    return reg
