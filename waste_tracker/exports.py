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


def _cell(v: Any) -> Any:
    """A value as a spreadsheet holds it: times in Shanghai without their zone, decimals as numbers."""
    if isinstance(v, datetime):
        return clock.local(v).replace(tzinfo=None)
    if isinstance(v, Decimal):
        return float(v)
    if v is None:
        return ""
    return v


def to_csv(columns: Sequence[str], rows: Iterable[Row]) -> bytes:
    buf = io.StringIO()
    buf.write("\ufeff")
    w = csv.writer(buf)
    w.writerow(columns)
    for r in rows:
        w.writerow(
            [clock.local(v).strftime("%Y-%m-%d %H:%M:%S") if isinstance(v, datetime) else "" if v is None else v for v in r]
        )
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
