"""Lists as files people open in a spreadsheet: CSV (UTF-8 with a BOM, so Excel reads Chinese
text) and XLSX (openpyxl, write-only: rows stream out, memory stays flat for long lists).
A table is its column titles and its rows; each export names its own columns."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from openpyxl import Workbook

from waste_tracker import clock

Row = Sequence[Any]


# A cell starting with one of these is taken for a formula by spreadsheet programs; names and
# notes are typed by enterprises, so such text is written as text (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _text(v: str) -> str:
    return "'" + v if v.startswith(_FORMULA_START) else v


def _cell(v: Any) -> Any:
    """A value as a spreadsheet holds it: times in Shanghai without their zone, decimals as numbers,
    text never run as a formula."""
    if isinstance(v, str):
        return _text(v)
    if isinstance(v, datetime):
        return clock.local(v).replace(tzinfo=None)
    if isinstance(v, Decimal):
        return float(v)
    if v is None:
        return ""
    return v


def _csv_cell(v: Any) -> Any:
    if isinstance(v, datetime):
        return clock.local(v).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(v, str):
        return _text(v)
    return "" if v is None else v


def to_csv(columns: Sequence[str], rows: Iterable[Row]) -> bytes:
    buf = io.StringIO()
    buf.write("\ufeff")
    w = csv.writer(buf)
    w.writerow(columns)
    for r in rows:
        w.writerow([_csv_cell(v) for v in r])
    return buf.getvalue().encode("utf-8")


def to_xlsx(columns: Sequence[str], rows: Iterable[Row], sheet: str = "Sheet1") -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet[:31])
    ws.append(list(columns))
    for r in rows:
        ws.append([_cell(v) for v in r])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def media_type(fmt: str) -> str:
    return "text/csv; charset=utf-8" if fmt == "csv" else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


__all__ = ["media_type", "to_csv", "to_xlsx"]
