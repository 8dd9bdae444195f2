"""Writing floating members: registration at a station's counter, placement, the first
organizational life (home found), the yearly certificate review (R23), and the stations themselves.
Portal self-registrations are in self_registration.py. Every service is audited."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gangwan.core.audit import audit_record, snapshot
from gangwan.core.models import Role, RoleAssignment
from gangwan.members import services as member_services
from gangwan.members.models import Member, MemberStatus
from gangwan.regions.models import AREA_LEVELS

from . import rules
from .models import Floating, RegisteredVia, ServiceStation

# Member fields that a floating registration carries beyond the Foundation's (skills, on call):
# passed to member_create where it takes them; kept in the audit entry in any case.
MEMBER_EXTRAS = ("skills", "on_call", "on_call_hours")


def _member_field_names() -> set[str]:
    return {f.name for f in Member._meta.concrete_fields}


def _split_extras(extras: dict) -> tuple[dict, dict]:
    """(fields member_create accepts, fields the model has but member_create does not take)."""
    accepted = set(getattr(member_services, "MEMBER_FIELDS", ()))
    on_model = _member_field_names()
    through_service = {k: v for k, v in extras.items() if k in accepted}
    direct = {k: v for k, v in extras.items() if k not in accepted and k in on_model}
    return through_service, direct


def _clean_text(value: str | None) -> str:
    return (value or "").strip()


def _check_arrival(*, arrived_on, left_origin_on, today: dt.date) -> dict:
    errors = {}
    if arrived_on is None:
        errors["arrived_on"] = _("Enter the date of arrival.")
    elif arrived_on > today:
        errors["arrived_on"] = _("The date of arrival cannot lie in the future.")
    if left_origin_on and arrived_on and left_origin_on > arrived_on:
        errors["left_origin_on"] = _("The member cannot have left the origin after arriving here.")
    return errors


def _placement(station: ServiceStation, home_organization):
    """The organization the station places the member in: the one chosen (among the options of
    the station's street) or, by default, the placement rule's (rules.placement_default)."""
    if home_organization is None:
        home = rules.placement_default(station)
        if home is None:
            raise ValidationError(
                {
                    "home_organization": _(
                        "There is no floating members' branch or regional branch in this "
                        "station's street: choose the organization to place the member in."
                    )
                }
            )
        return home
    if not rules.placement_options(station).filter(pk=home_organization.pk).exists():
        raise ValidationError(
            {
                "home_organization": _(
                    "A station places members in a floating members' branch or a regional "
                    "branch of its own street."
                )
            }
        )
    return home_organization


@transaction.atomic
def floating_register(
    *,
    actor,
    station: ServiceStation,
    name: str,
    id_number: str,
    phone: str,
    status: str = MemberStatus.FULL,
    joined_on: dt.date | None = None,
    origin_organization_name: str,
    origin_region_name: str,
    arrived_on: dt.date,
    left_origin_on: dt.date | None = None,
    certificate_no: str = "",
    skills: str = "",
    on_call: bool = False,
    on_call_hours: str = "",
    unit=None,
    home_organization=None,
    registered_via: str = RegisteredVia.COUNTER,
    today: dt.date | None = None,
) -> Floating:
    """Register an arriving floating member at a station and place him: a Member (through
    members.services.member_create, `is_floating=True`) and his Floating record.

    Member.organization is a required link to an organization of this system, but a floating
    member's relationship often stays outside it (the holder of an activity certificate keeps his
    membership at home, R23). The member is therefore attached to the placement organization both
    as `organization` and as `home_organization`, and the origin organization and region are kept
    as text on Floating; a transfer of relationship (the Transfers issue) changes nothing here, and
    R23 is enforced by rules.has_vote_at, which denies certificate holders a vote at any
    organization of the system.

    Placement: the organization chosen (a floating members' branch or a regional branch of the
    station's street), else the placement rule's. A certificate shown at the counter counts as
    reviewed that day (R23); one given on the portal waits for the station's review.

    Refused: a closed station, missing origin, an arrival in the future or before leaving the
    origin, a unit outside the station's street, a placement outside the options, and whatever
    member_create refuses (invalid or duplicate ID number, invalid phone)."""
    today = today or timezone.localdate()
    if not station.active:
        raise ValidationError(_("This service station is closed."))
    errors = _check_arrival(arrived_on=arrived_on, left_origin_on=left_origin_on, today=today)
    origin_organization_name = _clean_text(origin_organization_name)
    origin_region_name = _clean_text(origin_region_name)
    if not origin_organization_name:
        errors["origin_organization_name"] = _("Enter the organization the member comes from.")
    if not origin_region_name:
        errors["origin_region_name"] = _("Enter the region the member comes from.")
    if not _clean_text(phone):
        errors["phone"] = _("Enter a mobile phone number: the station keeps in touch by it.")
    street = rules.street_of(station.region) or station.region
    if unit is not None and not unit.region.path.startswith(street.path):
        errors["unit"] = _("Choose a unit in the station's street.")
    if errors:
        raise ValidationError(errors)
    home = _placement(station, home_organization)
    extras = {
        "skills": _clean_text(skills),
        "on_call": bool(on_call),
        "on_call_hours": _clean_text(on_call_hours),
    }
    through_service, direct = _split_extras(extras)
    member = member_services.member_create(
        actor=actor,
        name=name,
        id_number=id_number,
        phone=phone,
        status=status,
        joined_on=joined_on,
        organization=home,
        home_organization=home,
        unit=unit,
        is_floating=True,
        **through_service,
    )
    if direct:
        Member.objects.filter(pk=member.pk).update(**direct)
        for key, value in direct.items():
            setattr(member, key, value)
    certificate_no = _clean_text(certificate_no)
    floating = Floating.objects.create(
        member=member,
        origin_organization_name=origin_organization_name,
        origin_region_name=origin_region_name,
        left_origin_on=left_origin_on,
        certificate_no=certificate_no,
        certificate_reviewed_on=(
            today if certificate_no and registered_via == RegisteredVia.COUNTER else None
        ),
        arrived_on=arrived_on,
        station=station,
        placed_on=today,
        registered_via=registered_via,
    )
    audit_record(
        actor=actor,
        action="floating.register",
        obj=floating,
        after={**snapshot(floating), "home_organization": home.name, **extras},
    )
    return floating


def _set_home_found(*, actor, floating: Floating, on: dt.date, what: str, action: str) -> Floating:
    before = snapshot(floating)
    floating.home_found_on = on
    floating.first_activity = what[:200]
    floating.save(update_fields=["home_found_on", "first_activity"])
    member = floating.member
    if "last_life_on" in _member_field_names():
        last = getattr(member, "last_life_on", None)
        if last is None or last < on:
            Member.objects.filter(pk=member.pk).update(last_life_on=on)
            member.last_life_on = on
    audit_record(actor=actor, action=action, obj=floating, before=before, after=snapshot(floating))
    return floating


@transaction.atomic
def floating_record_first_activity(
    *, actor, floating: Floating, date: dt.date, what: str, today: dt.date | None = None
) -> Floating:
    """A station (or the home organization) records the member's first organizational life here:
    `home_found_on` is set (and Member.last_life_on, where the member has that field).
    Refused: a home found already, a date before arrival or in the future, no description."""
    today = today or timezone.localdate()
    floating = Floating.objects.select_for_update().select_related("member").get(pk=floating.pk)
    if floating.home_found_on is not None:
        raise ValidationError(
            _("%(name)s found a home on %(date)s already.")
            % {"name": floating.member.name, "date": floating.home_found_on.isoformat()}
        )
    errors = {}
    if date is None:
        errors["date"] = _("Enter the date of the activity.")
    elif date > today:
        errors["date"] = _("The activity cannot lie in the future.")
    elif date < floating.arrived_on:
        errors["date"] = _("The activity cannot lie before the member's arrival (%(date)s).") % {
            "date": floating.arrived_on.isoformat()
        }
    what = _clean_text(what)
    if not what:
        errors["what"] = _("Say which organizational life the member took part in.")
    if errors:
        raise ValidationError(errors)
    return _set_home_found(
        actor=actor, floating=floating, on=date, what=what, action="floating.home_found"
    )


@transaction.atomic
def floating_home_found(*, member: Member, on: dt.date, what: str = "", actor=None) -> bool:
    """For the Organizational-life issue: a member attended organizational life on `on`. If he is
    a floating member without a home yet (and attended after arriving), his home is found that
    day. Returns whether anything changed; never refuses."""
    floating = (
        Floating.objects.select_for_update()
        .select_related("member")
        .filter(member=member, home_found_on__isnull=True, arrived_on__lte=on)
        .first()
    )
    if floating is None:
        return False
    _set_home_found(
        actor=actor, floating=floating, on=on, what=what, action="floating.home_found.attendance"
    )
    return True


@transaction.atomic
def floating_certificate_review(
    *, actor, floating: Floating, reviewed_on: dt.date | None = None, today: dt.date | None = None
) -> Floating:
    """R23: the yearly review of an activity certificate. Refused: no certificate on record, a date
    in the future or before the last review."""
    today = today or timezone.localdate()
    reviewed_on = reviewed_on or today
    floating = Floating.objects.select_for_update().select_related("member").get(pk=floating.pk)
    if not floating.certificate_no:
        raise ValidationError(_("This member holds no activity certificate."))
    if reviewed_on > today:
        raise ValidationError(_("A review cannot lie in the future."))
    if floating.certificate_reviewed_on and reviewed_on < floating.certificate_reviewed_on:
        raise ValidationError(
            _("The certificate was last reviewed on %(date)s, after that date.")
            % {"date": floating.certificate_reviewed_on.isoformat()}
        )
    before = snapshot(floating)
    floating.certificate_reviewed_on = reviewed_on
    floating.save(update_fields=["certificate_reviewed_on"])
    audit_record(
        actor=actor,
        action="floating.certificate_review",
        obj=floating,
        before=before,
        after=snapshot(floating),
    )
    return floating


# --- stations ----------------------------------------------------------------------------------
@transaction.atomic
def station_create(
    *,
    actor,
    name: str,
    region,
    address: str = "",
    phone: str = "",
    opened_on: dt.date | None = None,
) -> ServiceStation:
    """Open a service station in a community or village. Refused: no name, a region that is not a
    community or village."""
    name = _clean_text(name)
    if not name:
        raise ValidationError({"name": _("Enter the station's name.")})
    if region.level not in AREA_LEVELS:
        raise ValidationError({"region": _("A service station stands in a community or village.")})
    station = ServiceStation.objects.create(
        name=name,
        region=region,
        address=_clean_text(address),
        phone=_clean_text(phone),
        opened_on=opened_on,
    )
    audit_record(
        actor=actor, action="floating.station.create", obj=station, after=snapshot(station)
    )
    return station


@transaction.atomic
def station_staff_add(*, actor, station: ServiceStation, user) -> RoleAssignment:
    """Make a user staff of a station: the role `station_staff` on the station's region. Adding
    someone who is staff there already changes nothing (and writes nothing)."""
    ra, created = RoleAssignment.objects.get_or_create(
        user=user, role=Role.STATION_STAFF, region=station.region, organization=None
    )
    if created:
        audit_record(
            actor=actor,
            action="floating.station.staff_add",
            obj=station,
            after={"user": user.username, "role": Role.STATION_STAFF},
        )
    return ra
