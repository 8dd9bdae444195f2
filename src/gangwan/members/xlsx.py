"""A lean, streaming reader of .xlsx worksheets (the cell values of each row, nothing else) and a
lean writer of one-sheet workbooks of plain values (for exports).

openpyxl builds an object per cell and, in read-only mode, may scan a sheet twice (to size it when
the file carries no dimension); for a 10,000-row import that reading alone took longer than
checking and writing the rows. This reader walks the sheet's XML once with ElementTree's C parser
and returns what openpyxl's `values_only` rows hold for the cell types spreadsheets use (shared and
inline strings, numbers, booleans, formula results, errors as their text). Dates stay Excel serial
numbers: the importer knows its date columns and reads serial numbers there (sheets.parse_date).

Anything it does not expect (an unknown namespace, a missing part) raises `Unsupported`, and the
importer falls back to openpyxl.
"""

from __future__ import annotations

import datetime as dt
import io
import posixpath
import re
import zipfile
from collections.abc import Iterable, Iterator
from xml.etree.ElementTree import iterparse
from xml.sax.saxutils import escape

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
ROW, CELL, VALUE, TEXT = MAIN + "row", MAIN + "c", MAIN + "v", MAIN + "t"
SI, RUN, SHEET = MAIN + "si", MAIN + "r", MAIN + "sheet"
MAX_PART_BYTES = 400 * 1024 * 1024  # uncompressed; refuses zip bombs before parsing them


class Unsupported(Exception):
    """The workbook uses something this reader does not handle (the caller falls back)."""


def _col(ref: str) -> int:
    n = 0
    for ch in ref:
        o = ord(ch)
        if 65 <= o <= 90:
            n = n * 26 + o - 64
        else:
            break
    return n - 1


def _number(s: str):
    try:
        return int(s)
    except ValueError:
        return float(s)


def _open(zf: zipfile.ZipFile, name: str):
    try:
        info = zf.getinfo(name)
    except KeyError:
        raise Unsupported(name) from None
    if info.file_size > MAX_PART_BYTES:
        raise Unsupported(f"{name} is too large")
    return zf.open(info)


def _sheet_part(zf: zipfile.ZipFile, wanted: str) -> str:
    """The zip path of the sheet named `wanted`, else of the first sheet."""
    sheets = [
        (el.get("name"), el.get(REL + "id"))
        for _ev, el in iterparse(_open(zf, "xl/workbook.xml"))
        if el.tag == SHEET
    ]
    if not sheets:
        raise Unsupported("no sheets")
    rel_id = next((rid for name, rid in sheets if name == wanted), sheets[0][1])
    for _ev, el in iterparse(_open(zf, "xl/_rels/workbook.xml.rels")):
        if el.tag == PKG_REL + "Relationship" and el.get("Id") == rel_id:
            target = el.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
    raise Unsupported("sheet relationship")


def _shared_strings(zf: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in zf.namelist():
        return []
    out = []
    for _ev, el in iterparse(_open(zf, "xl/sharedStrings.xml")):
        if el.tag == SI:
            # Plain <t>, or rich-text runs <r><t>; phonetic guides (<rPh>) are not the value.
            parts = [el.find(TEXT)] if el.find(TEXT) is not None else []
            parts += [r.find(TEXT) for r in el.iter(RUN)]
            out.append("".join(t.text or "" for t in parts if t is not None))
            el.clear()
    return out


def _value(c, shared):
    t = c.get("t")
    if t == "inlineStr":
        return "".join(x.text or "" for x in c.iter(TEXT)) or None
    v = c.find(VALUE)
    s = v.text if v is not None else None
    if s is None:
        return None
    if t == "s":
        return shared[int(s)]
    if t == "b":
        return s == "1"
    if t in ("str", "e"):
        return s
    return _number(s)


def iter_rows(file, *, sheet: str = "") -> Iterator[tuple[int, list]]:
    """(row number, [values]) for each non-empty row of the sheet named `sheet` (else the first)."""
    try:
        zf = zipfile.ZipFile(file)
    except zipfile.BadZipFile:
        raise Unsupported("not a zip file") from None
    with zf:
        part = _sheet_part(zf, sheet)
        shared = _shared_strings(zf)
        seen_cells = False
        previous = 0
        for _ev, el in iterparse(_open(zf, part)):
            if el.tag != ROW:
                continue
            r = el.get("r")
            number = int(r) if r else previous + 1
            previous = number
            values: list = []
            pos = 0
            for c in el:
                if c.tag != CELL:
                    continue
                ref = c.get("r")
                i = _col(ref) if ref else pos
                pos = i + 1
                value = _value(c, shared)
                if value is None:
                    continue
                if i >= len(values):
                    values.extend([None] * (i - len(values) + 1))
                values[i] = value
                seen_cells = True
            el.clear()
            if values:
                yield number, values
        if not seen_cells and previous == 0:
            # Either an empty sheet or a namespace we do not know (e.g. Strict OOXML).
            raise Unsupported("no rows found")


# --- writing ----------------------------------------------------------------------------------
# openpyxl's write-only mode builds and serializes an element per cell: 5 s for the district's
# 25,000 members. A sheet of plain values needs only its XML text, written here in one pass.
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
    "</Relationships>"
)
# Style 0: default; 1: date (yyyy-mm-dd); 2: date and time; 3: bold (the header row).
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>'
    '<numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
_EPOCH = dt.date(1899, 12, 30)
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _letters(n: int) -> str:
    out = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def _cell(ref: str, v, header: bool = False) -> str:
    if v is None or v == "":
        return ""
    if isinstance(v, bool):
        return f'<c r="{ref}" t="b"><v>{int(v)}</v></c>'
    if isinstance(v, int | float):
        return f'<c r="{ref}"><v>{v!r}</v></c>'
    if isinstance(v, dt.datetime):
        days = (v.replace(tzinfo=None) - dt.datetime(1899, 12, 30)).total_seconds() / 86400
        return f'<c r="{ref}" s="2"><v>{days!r}</v></c>'
    if isinstance(v, dt.date):
        return f'<c r="{ref}" s="1"><v>{(v - _EPOCH).days}</v></c>'
    text = escape(_ILLEGAL.sub("", str(v)))
    style = ' s="3"' if header else ""
    return f'<c r="{ref}"{style} t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def write_workbook(*, sheet: str, headers: list, rows: Iterable, widths=()) -> bytes:
    """One sheet of values (text, numbers, booleans, dates) under a bold header row, as .xlsx."""
    letters = [_letters(i) for i in range(max(len(headers), 1))]
    parts = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
        'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
    ]
    if widths:
        parts.append(
            "<cols>"
            + "".join(
                f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
                for i, w in enumerate(widths, start=1)
            )
            + "</cols>"
        )
    parts.append("<sheetData>")
    parts.append(
        '<row r="1">'
        + "".join(_cell(f"{letters[i]}1", str(h), True) for i, h in enumerate(headers))
        + "</row>"
    )
    number = 1
    for row in rows:
        number += 1
        cells = []
        for i, v in enumerate(row):
            if i >= len(letters):
                letters.append(_letters(i))
            cells.append(_cell(f"{letters[i]}{number}", v))
        parts.append(f'<row r="{number}">{"".join(cells)}</row>')
    parts.append("</sheetData></worksheet>")
    workbook = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f'<sheets><sheet name="{escape(sheet[:31], {chr(34): "&quot;"})}" sheetId="1" r:id="rId1"/>'
        "</sheets></workbook>"
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr("_rels/.rels", _ROOT_RELS)
        zf.writestr("xl/workbook.xml", workbook)
        zf.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        zf.writestr("xl/styles.xml", _STYLES)
        zf.writestr("xl/worksheets/sheet1.xml", "".join(parts))
    return buf.getvalue()
