"""Importing members from a spreadsheet (.xlsx, Chinese headers; see sheets.COLUMNS).

Every row is checked before anything is written: the ID number (GB 11643 checksum, and agreement
with the gender and birth date columns when given), the phone, dates, the organization and unit
(which must lie in the importing user's scope), duplicates against the database (by keyed hash)
and within the file, and R4 (no probationary members in a temporary branch). One error and
nothing is imported; otherwise all rows are written in one transaction.

Speed (bench/bench_import.py): the sheet is read by a lean streaming reader (xlsx.py; openpyxl
when it cannot); the organizations and units the file names and the existing ID hashes are
loaded once; members and their audit entries go in with one executemany (SQLite) or COPY
(PostgreSQL) each (bulk.py); each ID number and phone is encrypted once, when inserted.

Audit: one `member.import` entry per member (bulk-inserted), so each member's history says where
the record came from and the trail stays cut by region like any other change, plus one
`member.import.file` entry for the file (name, rows, user).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import chain
from xml.etree.ElementTree import ParseError

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from gangwan.core import crypto
from gangwan.core.audit import audit_record
from gangwan.core.models import AuditEntry
from gangwan.core.scopes import Scope
from gangwan.organizations.models import Organization

from . import sheets, xlsx
from .bulk import fast_insert, insert_rows, snapshot_function
from .import_rows import Lookups, RowReader
from .models import Member
from .services import publish_member_changed

MAX_ROWS = 50_000
MAX_ERRORS = 10_000
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

    lookups = Lookups(
        scope, values_of("organization") | values_of("home_organization"), values_of("unit")
    )
    reader = RowReader(lookups, timezone.localdate())
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
    # SQLite takes at most 999 parameters in a statement here; PostgreSQL 65,535.
    chunk = HASH_CHUNK if connection.vendor == "sqlite" else 30_000
    for i in range(0, len(hashes), chunk):
        existing.update(
            Member.objects.filter(id_number_hash__in=hashes[i : i + chunk]).values_list(
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
            fast_insert(Member, members, unique="id_number_hash")
    except IntegrityError:
        raise ValidationError(
            _("A member with one of these ID numbers was registered meanwhile; import again.")
        ) from None
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
