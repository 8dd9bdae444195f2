"""Reading the rows of a members spreadsheet: cell values to Member fields, with the problems
found in each cell, and the organizations and units of the scope that the file names."""

from __future__ import annotations

import re
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from gangwan.core.scopes import Scope
from gangwan.core.validators import parse_id_number, validate_phone
from gangwan.organizations import rules as org_rules
from gangwan.organizations.models import Organization
from gangwan.units.models import Unit

from . import sheets
from .models import MemberStatus
from .services import TEXT_LIMITS, member_date_errors, normalize_skills


class _Named:
    """Find objects of the scope by name (or "superior/name"), reporting unknown and ambiguous ones."""

    def __init__(self, objects, parent_name=lambda o: ""):
        self.by_name = defaultdict(list)
        self.parent_name = parent_name
        for o in objects:
            self.by_name[sheets.text(o.name)].append(o)

    def find(self, value: str):
        value = sheets.text(value)
        hits = self.by_name.get(value)
        if not hits and "/" in value:
            parent, _sep, name = value.rpartition("/")
            hits = [
                o
                for o in self.by_name.get(name.strip(), [])
                if sheets.text(self.parent_name(o)) == parent.strip()
            ]
        return hits or []


def _spellings(values: set[str]) -> set[str]:
    """The ways a name may be stored: as typed, NFKC-normalized (half-width brackets), and with
    the full-width brackets Chinese names usually have (三星重工（宁波）有限公司)."""
    out = set()
    for v in values:
        if not v:
            continue
        n = sheets.text(v)
        out |= {v.strip(), n, n.replace("(", "（").replace(")", "）")}
    return out


def _chunks(values, size: int = 500):
    values = sorted(values)
    for i in range(0, len(values), size):
        yield values[i : i + size]


class Lookups:
    """The organizations (administered, active) and units (of the scope) that the file names,
    loaded once by name or credit code, so a province-wide scope is not loaded whole."""

    def __init__(self, scope: Scope, org_values: set[str], unit_values: set[str]):
        names = _spellings(org_values | {sheets.text(v).rpartition("/")[2] for v in org_values})
        orgs = []
        for chunk in _chunks(names):
            orgs += scope.organizations(
                Organization.objects.filter(dissolved_on__isnull=True, name__in=chunk)
                .select_related("parent")
                .only("id", "name", "kind", "parent_id", "parent__name")
            )
        self.organizations = _Named(orgs, lambda o: o.parent.name if o.parent_id else "")
        codes = {v.upper().replace(" ", "") for v in unit_values if v}
        units = {}
        for chunk in _chunks(_spellings(unit_values) | codes):
            for u in scope.units(
                Unit.objects.filter(Q(name__in=chunk) | Q(credit_code__in=chunk))
            ).only("id", "name", "credit_code"):
                units[u.pk] = u
        self.units_by_code = {u.credit_code: u for u in units.values() if u.credit_code}
        self.units = _Named(units.values())
        self._cache: dict[tuple[str, str], object] = {}

    def cached(self, kind: str, value: str):
        """The organization or unit a cell names, or the ValueError it raises, found once per value."""
        key = (kind, value)
        if key not in self._cache:
            try:
                self._cache[key] = getattr(self, kind)(value)
            except ValueError as exc:
                self._cache[key] = exc
        hit = self._cache[key]
        if isinstance(hit, ValueError):
            raise hit
        return hit

    def organization(self, value: str) -> Organization:
        hits = self.organizations.find(value)
        if not hits:
            raise ValueError(
                _("No organization named “%(name)s” that you administer.") % {"name": value}
            )
        if len(hits) > 1:
            raise ValueError(
                _("Several organizations are named “%(name)s”; write superior/name (%(options)s).")
                % {
                    "name": value,
                    "options": "; ".join(
                        f"{o.parent.name if o.parent_id else ''}/{o.name}" for o in hits[:5]
                    ),
                }
            )
        return hits[0]

    def unit(self, value: str) -> Unit:
        code = value.upper().replace(" ", "")
        if code in self.units_by_code:
            return self.units_by_code[code]
        hits = self.units.find(value)
        if len(hits) == 1:
            return hits[0]
        if hits:
            raise ValueError(
                _("Several units in your scope are named “%(name)s”; write its credit code.")
                % {"name": value}
            )
        if re.fullmatch(r"[0-9A-Z]{18}", code):
            raise ValueError(
                _("No unit with the credit code %(code)s in your scope.") % {"code": code}
            )
        raise ValueError(_("No unit named “%(name)s” in your scope.") % {"name": value})


class RowReader:
    """Turns one row into Member field values, collecting (column key, message) problems."""

    def __init__(self, lookups: Lookups, today):
        self.lookups, self.today = lookups, today

    def read(self, cells: dict) -> tuple[dict, list[tuple[str, str]]]:
        errs: list[tuple[str, str]] = []
        text = {k: sheets.text(v) for k, v in cells.items()}
        out = {"name": text.get("name", "")}
        if not out["name"]:
            errs.append(("name", _("Enter the member's name.")))
        elif len(out["name"]) > 60:
            errs.append(("name", _("At most %(n)d characters, please.") % {"n": 60}))
        self._id_number(cells, text, out, errs)
        phone = text.get("phone", "")
        out["phone"] = ""
        if phone:
            try:
                out["phone"] = validate_phone(phone)
            except ValidationError as exc:
                errs.append(("phone", " ".join(exc.messages)))
        status = sheets.STATUS_VALUES.get(text.get("status", ""))
        if status is None:
            errs.append(("status", _("Write 正式党员 or 预备党员.")))
        out["status"] = status or MemberStatus.FULL
        for key, month in (
            ("joined_on", False),
            ("full_on", False),
            ("last_life_on", False),
            ("dues_paid_until", True),
        ):
            try:
                out[key] = sheets.parse_date(cells.get(key), month=month)
            except (ValueError, OverflowError):
                out[key] = None
                example = "2026-06" if month else "2005-07-01"
                errs.append(
                    (key, _("Not a date; write it like %(example)s.") % {"example": example})
                )
        if status is not None:
            for key, msg in member_date_errors(
                birth_date=out.get("birth_date"),
                status=status,
                joined_on=out["joined_on"],
                full_on=out["full_on"],
                last_life_on=out["last_life_on"],
                dues_paid_until=out["dues_paid_until"],
                today=self.today,
            ).items():
                if not any(k == key for k, _m in errs):
                    errs.append((key, str(msg)))
        education = text.get("education", "")
        out["education"] = sheets.EDUCATION_VALUES.get(education, "")
        if education and not out["education"]:
            errs.append(
                (
                    "education",
                    _("Write one of: %(values)s.")
                    % {"values": "、".join(sheets.EDUCATION_LABELS.values())},
                )
            )
        for key in ("ethnicity", "post", "on_call_hours", "community_post"):
            out[key] = text.get(key, "")
            if len(out[key]) > TEXT_LIMITS[key]:
                errs.append((key, _("At most %(n)d characters, please.") % {"n": TEXT_LIMITS[key]}))
        out["skills"] = normalize_skills(text.get("skills", ""))
        if len(out["skills"]) > TEXT_LIMITS["skills"]:
            errs.append(
                ("skills", _("At most %(n)d characters, please.") % {"n": TEXT_LIMITS["skills"]})
            )
        for key in ("is_floating", "on_call"):
            try:
                out[key] = sheets.parse_flag(cells.get(key))
            except ValueError:
                out[key] = False
                errs.append((key, _("Write 是 or 否.")))
        self._places(text, out, errs)
        return out, errs

    def _id_number(self, cells, text, out, errs) -> None:
        number = text.get("id_number", "").upper().replace(" ", "")
        out["id_number"] = number
        if not number:
            errs.append(("id_number", _("Enter the ID number.")))
            return
        try:
            birth, gender = parse_id_number(number)
        except ValidationError as exc:
            msg = " ".join(exc.messages)
            if isinstance(cells.get("id_number"), int | float):
                msg += " " + _(
                    "The cell holds a number, which keeps only 15 digits: format the column "
                    "as text and type the number again."
                )
            errs.append(("id_number", msg))
            return
        out["birth_date"], out["gender"] = birth, gender
        given_gender = text.get("gender", "")
        if given_gender and sheets.GENDER_VALUES.get(given_gender) != gender:
            errs.append(("gender", _("The gender does not agree with the ID number.")))
        try:
            given_birth = sheets.parse_date(cells.get("birth_date"))
        except (ValueError, OverflowError):
            errs.append(
                (
                    "birth_date",
                    _("Not a date; write it like %(example)s.") % {"example": "1985-06-01"},
                )
            )
            return
        if given_birth and given_birth != birth:
            errs.append(
                (
                    "birth_date",
                    _("The birth date does not agree with the ID number (%(date)s).")
                    % {"date": birth.isoformat()},
                )
            )

    def _places(self, text, out, errs) -> None:
        org = home = unit = None
        if name := text.get("organization", ""):
            try:
                org = self.lookups.cached("organization", name)
            except ValueError as exc:
                errs.append(("organization", str(exc)))
        else:
            errs.append(("organization", _("Choose the organization that holds the membership.")))
        if name := text.get("home_organization", ""):
            try:
                home = self.lookups.cached("organization", name)
            except ValueError as exc:
                errs.append(("home_organization", str(exc)))
        if name := text.get("unit", ""):
            try:
                unit = self.lookups.cached("unit", name)
            except ValueError as exc:
                errs.append(("unit", str(exc)))
        if org is not None and out["status"] == MemberStatus.PROBATIONARY:
            for finding in org_rules.check_r4_temporary(organization=org, function="recruit"):
                errs.append(("status", str(finding.message)))
        # Ids, not instances: the related-object descriptors cost more than the rest of a row.
        out["organization_id"] = org.pk if org else None
        out["home_organization_id"] = (home or org).pk if (home or org) else None
        out["unit_id"] = unit.pk if unit else None
