"""Spreadsheet exports (.xlsx, Chinese headers by default) streamed from querysets."""

from __future__ import annotations

import io
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
    ws = wb.create_sheet(title=sheet[:31])
    if widths:
        for i, w in enumerate(widths):
            ws.column_dimensions[chr(ord("A") + i)].width = w
    ws.append([str(h) for h in headers])
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


def _cell(v):
    if hasattr(v, "tzinfo") and getattr(v, "tzinfo", None) is not None:
        return timezone.localtime(v).replace(tzinfo=None)
    if isinstance(v, dict | list):
        import json

        return json.dumps(v, ensure_ascii=False)
    return v


Row = Callable[[object], list]
