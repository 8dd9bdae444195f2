from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gangwan.core.audit import audit_record, snapshot

from .models import AREA_LEVELS, CHILD_LEVELS, Region, RegionLevel


def _check(*, parent: Region | None, level: str, kind: str) -> None:
    if parent is None and level != RegionLevel.DISTRICT:
        raise ValidationError(_("Only a district stands at the top of the region tree."))
    if parent is not None and level not in CHILD_LEVELS[parent.level]:
        raise ValidationError(
            _("A %(level)s cannot be placed under a %(parent)s.")
            % {"level": RegionLevel(level).label, "parent": RegionLevel(parent.level).label}
        )
    if level in AREA_LEVELS and not kind:
        raise ValidationError(
            _("Choose the kind of the community or village (residential, village, industrial).")
        )


@transaction.atomic
def region_create(
    *,
    actor,
    parent: Region | None,
    name: str,
    level: str,
    kind: str = "",
    code: str = "",
    residents: int = 0,
    newcomers: int = 0,
) -> Region:
    """Create a region under `parent`. Refused when the level does not fit under the parent's."""
    _check(parent=parent, level=level, kind=kind)
    region = Region(
        name=name.strip(),
        level=level,
        kind=kind if level in AREA_LEVELS else "",
        code=code,
        residents=residents,
        newcomers=newcomers,
    )
    region.place_under(parent)
    region.full_clean()
    region.save()
    audit_record(actor=actor, action="region.create", obj=region, after=snapshot(region))
    return region


@transaction.atomic
def region_update(*, actor, region: Region, **fields) -> Region:
    """Change name, kind, code or population figures; the place in the tree changes only by moving."""
    before = snapshot(region)
    allowed = {"name", "kind", "code", "residents", "newcomers"}
    for key, value in fields.items():
        if key not in allowed:
            raise ValueError(f"region_update cannot change {key}")
        setattr(region, key, value)
    if region.level not in AREA_LEVELS:
        region.kind = ""  # only communities and villages have a kind (as in region_create)
    _check(parent=region.parent, level=region.level, kind=region.kind)
    region.full_clean()
    region.save()
    audit_record(
        actor=actor, action="region.update", obj=region, before=before, after=snapshot(region)
    )
    return region


@transaction.atomic
def region_move(*, actor, region: Region, new_parent: Region) -> Region:
    """Move a region (and everything under it) to another parent, e.g. a village to another town."""
    region.refresh_from_db(fields=["path", "depth", "parent"])
    new_parent.refresh_from_db(fields=["path", "depth"])
    if new_parent.pk == region.pk or new_parent.is_descendant_of(region):
        raise ValidationError(_("A region cannot be moved under itself."))
    _check(parent=new_parent, level=region.level, kind=region.kind)
    before = snapshot(region)
    region.move_under(new_parent)
    audit_record(
        actor=actor, action="region.move", obj=region, before=before, after=snapshot(region)
    )
    return region
