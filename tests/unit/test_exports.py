"""Spreadsheet files carry text as text: a company name typed as ``=HYPERLINK(...)`` must not run as
a formula when a regulator opens the export (CSV injection)."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from decimal import Decimal

from openpyxl import load_workbook

from waste_tracker.exports import to_csv, to_xlsx

ROWS = [
    [
        '=HYPERLINK("http://x","点我")',
        "+86 573",
        "-5",
        "@SUM(A1)",
        "嘉兴化工",
        Decimal("1.5"),
        datetime(2026, 12, 1, 2, 0, tzinfo=UTC),
    ]
]
COLUMNS = ["名称", "电话", "备注", "其他", "单位", "吨", "时间"]


def test_xlsx_keeps_formula_like_text_as_text() -> None:
    ws = load_workbook(io.BytesIO(to_xlsx(COLUMNS, ROWS))).active
    assert ws is not None
    header, row = list(ws.iter_rows(values_only=True))
    assert list(header) == COLUMNS
    assert row[0] == '\'=HYPERLINK("http://x","点我")' and row[1] == "'+86 573" and row[2] == "'-5" and row[3] == "'@SUM(A1)"
    assert all(c.data_type != "f" for c in next(ws.iter_rows(min_row=2, max_row=2)))
    assert row[4] == "嘉兴化工" and row[5] == 1.5
    assert row[6] == datetime(2026, 12, 1, 10, 0)  # Asia/Shanghai, as people read it


def test_csv_keeps_formula_like_text_as_text() -> None:
    text = to_csv(COLUMNS, ROWS).decode("utf-8")
    assert text.startswith("\ufeff名称,")
    line = text.splitlines()[1]
    assert line.startswith("\"'=HYPERLINK(") and ",'+86 573,'-5,'@SUM(A1),嘉兴化工,1.5,2026-12-01 10:00:00" in line
