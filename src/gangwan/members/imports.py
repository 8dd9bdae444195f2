"""Importing members from a spreadsheet (.xlsx, Chinese headers; see sheets.COLUMNS).

Every row is checked before anything is written: the ID number (GB 11643 checksum, and agreement
with the gender and birth date columns when given), the phone, dates, the organization and unit
(which must lie in the importing user's scope), duplicates against the database (by keyed hash)
and within the file, and R4 (no probationary members in a temporary branch). One error and
nothing is imported; otherwise all rows are written in one transaction.

Speed: lookups (organizations, units, existing ID hashes) are loaded once; members and their audit
entries go in with bulk_create; each ID number and phone is encrypted once, when inserted.

Audit: one `member.import` entry per member (bulk-inserted), so each member's history says where
the record came from and the trail stays cut by region like any other change, plus one
`member.import.file` entry for the file (name, rows, user).
"""

from __future__ import annotations

import re
import zipfile
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import chain
from xml.etree.ElementTree import ParseError

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from gangwan.core import crypto
from gangwan.core.audit import audit_record
from gangwan.core.models import AuditEntry
from gangwan.core.scopes import Scope
from gangwan.core.validators import parse_id_number, validate_phone
from gangwan.organizations import rules as org_rules
from gangwan.organizations.models import Organization
from gangwan.units.models import Unit

from . import sheets, xlsx
from .bulk import fast_insert, insert_rows, read_back_keys, snapshot_function
from .models import Member, MemberStatus
from .services import TEXT_LIMITS, member_date_errors, normalize_skills, publish_member_changed

MAX_ROWS = 50_000
MAX_ERRORS = 10_000
BATCH = 1000
HASH_CHUNK = 900


@dataclass
class ImportResult:
    rows: int = 0
    created: list[Member] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    truncated: bool = False  # more errors than MAX_ERRORS were found
    rows_of: dict[str, int] = field(default_factory=dict, repr=False)  # ID number → row

    @property
    def ok(self) -> bool:
        return not self.errors


class _Refusal(Exception):
    """A problem with the file as a whole (not a workbook, headers missing, too many rows)."""


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


class _Lookups:
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


def _openpyxl_rows(file) -> Iterator[tuple[int, tuple]]:
    try:
        wb = load_workbook(file, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, TypeError):
        raise _Refusal(NOT_XLSX()) from None
    try:
        ws = wb[sheets.DATA_SHEET] if sheets.DATA_SHEET in wb.sheetnames else wb.worksheets[0]
        yield from enumerate(ws.iter_rows(min_row=1, values_only=True), start=1)
    finally:
        wb.close()


def NOT_XLSX() -> str:  # noqa: N802 - a message, translated when raised
    return _("This is not an .xlsx workbook (Excel 2007 or later), or it is damaged.")


def _rows(file) -> Iterator[tuple[int, list | tuple]]:
    """The data sheet's rows as (row number, values): the lean reader, else openpyxl."""
    try:
        rows = xlsx.iter_rows(file, sheet=sheets.DATA_SHEET)
        first = next(rows, None)
    except xlsx.Unsupported:
        file.seek(0)
        return _openpyxl_rows(file)
    except (ParseError, ValueError, IndexError, KeyError, zipfile.BadZipFile, EOFError):
        raise _Refusal(NOT_XLSX()) from None
    return chain([first] if first else [], rows)


def _columns(header_row) -> dict[str, int]:
    cols, seen = {}, {}
    for i, text in enumerate(header_row or ()):
        key = sheets.header_key(text)
        if key is None:
            continue
        if key in cols:
            raise _Refusal(
                _("The column “%(header)s” appears twice (%(a)s and %(b)s).")
                % {
                    "header": sheets.BY_KEY[key].header,
                    "a": get_column_letter(seen[key] + 1),
                    "b": get_column_letter(i + 1),
                }
            )
        cols[key], seen[key] = i, i
    missing = [c.header for c in sheets.COLUMNS if c.required and c.key not in cols]
    if missing:
        raise _Refusal(
            _("Required columns are missing: %(headers)s. Start from the template.")
            % {"headers": "、".join(missing)}
        )
    return cols


def _empty(row) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in row)


class _RowReader:
    """Turns one row into Member field values, collecting (column key, message) problems."""

    def __init__(self, lookups: _Lookups, today):
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


def member_import(*, actor, scope: Scope, file, filename: str = "") -> ImportResult:
    """Import the members of an .xlsx file: all rows or, if any row is wrong, none. Returns the
    members created, or the errors (row, column, header, message) and nothing written."""
    result = ImportResult()
    try:
        rows = _rows(file)
        header_number, header = next(rows, (1, ()))
        cols = _columns(header)
        _read_rows(scope, rows, cols, header, result)
    except _Refusal as exc:
        result.errors = [{"row": 1, "column": "", "header": "", "message": str(exc)}]
        result.created = []
        return result
    except (ParseError, ValueError, IndexError, KeyError, zipfile.BadZipFile, EOFError):
        result.errors = [{"row": 1, "column": "", "header": "", "message": NOT_XLSX()}]
        result.created = []
        return result
    _check_duplicates_in_database(result, cols, header)
    if result.errors:
        result.errors.sort(key=lambda e: (e["row"], e["column"]))
        result.created = []
        return result
    _write(actor=actor, scope=scope, result=result, filename=filename)
    return result


def _error(result: ImportResult, row: int, key: str, cols: dict, header, message: str) -> None:
    if len(result.errors) >= MAX_ERRORS:
        result.truncated = True
        return
    i = cols.get(key)
    result.errors.append(
        {
            "row": row,
            "column": get_column_letter(i + 1) if i is not None else "",
            "header": sheets.text(header[i]) if i is not None else sheets.BY_KEY[key].header,
            "message": message,
        }
    )


def _read_rows(scope, rows, cols, header, result: ImportResult) -> None:
    """Check every row; build the members while no row has failed."""
    buffered = []
    for number, row in rows:
        if not row or _empty(row):
            continue
        result.rows += 1
        if result.rows > MAX_ROWS:
            raise _Refusal(
                _("The file has more than %(n)d rows; split it into smaller files.")
                % {"n": MAX_ROWS}
            )
        buffered.append((number, row))

    def values_of(key: str) -> set[str]:
        i = cols.get(key)
        if i is None:
            return set()
        return {str(r[i]) for _n, r in buffered if i < len(r) and r[i] is not None}

    lookups = _Lookups(
        scope, values_of("organization") | values_of("home_organization"), values_of("unit")
    )
    reader = _RowReader(lookups, timezone.localdate())
    index = list(cols.items())
    first_row_of: dict[str, int] = {}
    members: list[Member] = []
    for number, row in buffered:
        n = len(row)
        values, errs = reader.read({k: (row[i] if i < n else None) for k, i in index})
        id_number = values["id_number"]
        if id_number and not any(k == "id_number" for k, _m in errs):
            if id_number in first_row_of:
                errs.append(
                    (
                        "id_number",
                        _("The same ID number as row %(row)d.") % {"row": first_row_of[id_number]},
                    )
                )
            else:
                first_row_of[id_number] = number
        for key, message in errs:
            _error(result, number, key, cols, header, message)
        if not errs and not result.errors:  # build members only while the file is clean
            members.append(Member(**values))
    result.created = members if not result.errors else []
    result.rows_of = first_row_of


def _check_duplicates_in_database(result: ImportResult, cols, header) -> None:
    """Rows whose (valid) ID number is registered already, found by keyed hash in chunks."""
    hash_to_number: dict[str, str] = {}
    for number in result.rows_of:
        for h in crypto.blind_indexes(number):
            hash_to_number[h] = number
    hashes = list(hash_to_number)
    existing = set()
    for i in range(0, len(hashes), HASH_CHUNK):
        existing.update(
            Member.objects.filter(id_number_hash__in=hashes[i : i + HASH_CHUNK]).values_list(
                "id_number_hash", flat=True
            )
        )
    rows_of = result.rows_of
    for number in sorted({hash_to_number[h] for h in existing}, key=lambda n: rows_of[n]):
        _error(
            result,
            rows_of[number],
            "id_number",
            cols,
            header,
            _("A member with this ID number is already registered."),
        )


AUDIT_COLUMNS = (
    "at",
    "actor_id",
    "action",
    "content_type_id",
    "object_id",
    "object_repr",
    "before",
    "after",
    "reason",
    "warnings",
    "region_path",
)


@transaction.atomic
def _write(*, actor, scope: Scope, result: ImportResult, filename: str) -> None:
    members = result.created
    try:
        with transaction.atomic():
            fast_insert(Member, members)
    except IntegrityError:
        raise ValidationError(
            _("A member with one of these ID numbers was registered meanwhile; import again.")
        ) from None
    read_back_keys(Member, members, "id_number_hash")
    actor_id = actor.pk if getattr(actor, "pk", None) else None
    ct_id = ContentType.objects.get_for_model(Member).pk
    reason = _("Imported from %(file)s") % {"file": filename} if filename else ""
    region_of = dict(
        Organization.objects.filter(pk__in={m.organization_id for m in members}).values_list(
            "pk", "region__path"
        )
    )
    snap, now = snapshot_function(Member), timezone.now()
    json = AuditEntry._meta.get_field("after").get_db_prep_save
    insert_rows(
        AuditEntry,
        AUDIT_COLUMNS,
        [
            (
                now,
                actor_id,
                "member.import",
                ct_id,
                str(m.pk),
                m.name[:200],
                None,
                json(snap(m), connection),
                reason,
                json([], connection),
                region_of[m.organization_id],
            )
            for m in members
        ],
    )
    entry = audit_record(
        actor=actor,
        action="member.import.file",
        after={"file": filename, "members": len(members)},
        reason=reason,
    )
    paths = scope.region_paths or scope.organization_region_paths
    if paths:
        entry.region_path = paths[0]
        entry.save(update_fields=["region_path"])
    publish_member_changed(actor=actor, members=members)
