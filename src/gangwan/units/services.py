from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gangwan.core.audit import audit_record, snapshot
from gangwan.core.validators import validate_credit_code

from .models import Unit

UNIT_FIELDS = {
    "name",
    "kind",
    "credit_code",
    "region",
    "address",
    "employees",
    "has_union",
    "union_founded_on",
    "instructor_name",
    "is_operating",
}


def _clean(unit: Unit) -> None:
    if unit.credit_code:
        try:
            unit.credit_code = validate_credit_code(unit.credit_code)
        except ValidationError as exc:  # attach to the field, so a form shows it next to the input
            raise ValidationError({"credit_code": exc.messages}) from None
        clash = Unit.objects.filter(credit_code=unit.credit_code).exclude(pk=unit.pk).first()
        if clash:
            raise ValidationError(
                {
                    "credit_code": _("This credit code is already registered for %(unit)s.")
                    % {"unit": clash}
                }
            )
    else:
        unit.credit_code = None
    if unit.union_founded_on and not unit.has_union:
        unit.has_union = True
    if unit.has_union is False:
        unit.union_founded_on = None
    unit.full_clean(validate_unique=False)


@transaction.atomic
def unit_create(*, actor, **fields) -> Unit:
    """Register a unit. Refused with a clear message for a wrong or already used credit code."""
    unknown = set(fields) - UNIT_FIELDS
    if unknown:
        raise ValueError(f"unit_create: unknown fields {unknown}")
    unit = Unit(**fields)
    _clean(unit)
    unit.save()
    audit_record(actor=actor, action="unit.create", obj=unit, after=snapshot(unit))
    return unit


@transaction.atomic
def unit_update(*, actor, unit: Unit, **fields) -> Unit:
    unknown = set(fields) - UNIT_FIELDS
    if unknown:
        raise ValueError(f"unit_update: unknown fields {unknown}")
    before = snapshot(unit)
    for key, value in fields.items():
        setattr(unit, key, value)
    _clean(unit)
    unit.save()
    audit_record(actor=actor, action="unit.update", obj=unit, before=before, after=snapshot(unit))
    return unit
