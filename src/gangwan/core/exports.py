"""Spreadsheet exports (.xlsx, Chinese headers by default) streamed from querysets."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook


def xlsx_response(
    *,
    filename: str,
    sheet: str,
    headers: list[str],
    rows: Iterable[Iterable],
    widths: list[int] | None = None,
) -> HttpResponse:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=sheet_title(sheet))
    if widths:
        for i, w in enumerate(widths):
            ws.column_dimensions[chr(ord("A") + i)].width = w
    ws.append([_cell(str(h)) for h in headers])
    for row in rows:
        ws.append([_cell(v) for v in row])
    buf = io.BytesIO()
    wb.save(buf)
    resp = HttpResponse(
        buf.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    resp["Content-Disposition"] = f'attachment; filename="{filename}"'
    return resp


# Characters Excel refuses in a sheet name; a name is at most 31 characters.
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
# A text cell starting with one of these is read as a formula by spreadsheet programs.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def sheet_title(name) -> str:
    """A sheet name Excel accepts: without []:*?/\\, not starting or ending with an apostrophe,
    at most 31 characters (never empty)."""
    title = _SHEET_FORBIDDEN.sub(" ", str(name or "")).strip().strip("'")[:31].strip()
    return title or "Sheet1"


def _cell(v):
    if isinstance(v, str):
        # Text from users is data, never a formula: a leading apostrophe keeps it text.
        return "'" + v if v.startswith(_FORMULA_START) else v
    if hasattr(v, "tzinfo") and getattr(v, "tzinfo", None) is not None:
        return timezone.localtime(v).replace(tzinfo=None)
    if isinstance(v, dict | list):
        import json

        return json.dumps(v, ensure_ascii=False)
    return v


Row = Callable[[object], list]
