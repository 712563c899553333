"""The bank-statement import: a CSV of outgoing payments as Chinese banks export it (docs/money.md
has the layout). Chinese bank exports come in UTF-8 (with or without a BOM) or GB18030/GBK; the
file is decoded as UTF-8 first, then GB18030, and refused if neither reads it.

``parse`` checks every row and reports each bad one with its line number (the header is line 1);
the caller writes all rows or none (``payments.record_many``), unless the user chooses to import
the valid rows only.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from waste_tracker.auth.principal import Principal
from waste_tracker.errors import Forbidden, Invalid
from waste_tracker.models import Manifest
from waste_tracker.money.payments import PaymentIn, check_amount, record_many
from waste_tracker.registry.uscc import normalise_uscc

MAX_BYTES = 700_000  # base64 in a JSON body stays under the 1 MB request limit
MAX_ROWS = 5000
# Each column: its key and the headings accepted for it (Chinese bank wording first).
COLUMNS: dict[str, tuple[str, ...]] = {
    "paid_on": ("交易日期", "日期", "date"),
    "amount": ("金额", "支出金额", "借方金额", "amount"),
    "payee_name": ("对方户名", "收款人", "payee_name"),
    "payee_uscc": ("对方统一社会信用代码", "统一社会信用代码", "payee_uscc"),
    "bank_reference": ("交易流水号", "流水号", "bank_reference"),
    "purpose": ("用途", "purpose"),
    "invoice_number": ("发票号", "invoice_number"),
    "manifest_numbers": ("联单号", "manifest_numbers"),
}
REQUIRED = ("paid_on", "amount", "payee_name")
PURPOSES = {
    "处置费": "disposal",
    "运输费": "transport",
    "其他": "other",
    "disposal": "disposal",
    "transport": "transport",
    "other": "other",
}


@dataclass
class Parsed:
    encoding: str
    rows: list[tuple[int, PaymentIn]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    preview: list[dict[str, Any]] = field(default_factory=list)


def decode(content: bytes) -> tuple[str, str]:
    """The text and the encoding it was read in."""
    if len(content) > MAX_BYTES:
        raise Invalid("invalid_bank_csv", {"field": "file", "reason": f"larger than {MAX_BYTES} bytes"})
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(enc), "utf-8" if enc == "utf-8-sig" else enc
        except UnicodeDecodeError:
            continue
    raise Invalid("bank_csv_encoding", {"field": "file"})


def _date(v: str) -> date:
    v = v.strip()
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d"):
        try:
            return datetime.strptime(v, fmt).date()
        except ValueError:
            continue
    raise ValueError("date")


async def parse(session: AsyncSession, content: bytes) -> Parsed:
    text, enc = decode(content)
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise Invalid("invalid_bank_csv", {"field": "file", "reason": "empty file"}) from None
    where: dict[str, int] = {}
    for i, h in enumerate(header):
        h = h.strip()
        for key, names in COLUMNS.items():
            if h in names and key not in where:
                where[key] = i
    missing = [COLUMNS[k][0] for k in REQUIRED if k not in where]
    if missing:
        raise Invalid(
            "invalid_bank_csv",
            {"field": "file", "reason": "missing columns: " + "、".join(missing), "missing_columns": missing, "row": 1},
        )
    out = Parsed(enc)
    numbers: dict[int, list[str]] = {}
    raw: list[tuple[int, dict[str, str]]] = []
    for n, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(raw) >= MAX_ROWS:
            raise Invalid("invalid_bank_csv", {"field": "file", "reason": f"more than {MAX_ROWS} rows"})
        get = {k: (cells[i].strip() if i < len(cells) else "") for k, i in where.items()}
        raw.append((n, get))
        numbers[n] = [x for x in re.split(r"[;；,，\s]+", get.get("manifest_numbers", "")) if x]
    wanted = sorted({x for xs in numbers.values() for x in xs})
    ids: dict[str, uuid.UUID] = (
        dict((await session.execute(select(Manifest.number, Manifest.id).where(col(Manifest.number).in_(wanted)))).all())
        if wanted
        else {}
    )
    for n, get in raw:
        try:
            try:
                paid_on = _date(get["paid_on"])
            except ValueError:
                raise Invalid("validation_error", {"field": "paid_on", "reason": "not a date (YYYY-MM-DD)"}) from None
            amount = check_amount(get["amount"].lstrip("-"))
            purpose = PURPOSES.get(get.get("purpose") or "处置费")
            if purpose is None:
                raise Invalid("validation_error", {"field": "purpose", "reason": "处置费 / 运输费 / 其他"})
            if get.get("payee_uscc"):  # the preview refuses what the import would (one check, not two)
                try:
                    normalise_uscc(get["payee_uscc"])
                except Invalid as e:
                    raise Invalid("invalid_uscc", {**e.details, "field": "payee_uscc"}) from None
            unknown = [x for x in numbers[n] if x not in ids]
            if unknown:
                raise Invalid("validation_error", {"field": "manifest_numbers", "reason": "unknown: " + " ".join(unknown)})
            p = PaymentIn(
                amount=amount,
                paid_on=paid_on,
                payee_name=get["payee_name"],
                payee_uscc=get.get("payee_uscc") or None,
                purpose=purpose,
                bank_reference=get.get("bank_reference", ""),
                invoice_number=get.get("invoice_number", ""),
                manifest_ids=[uuid.UUID(str(ids[x])) for x in numbers[n]],
            )
        except Invalid as e:
            out.errors.append({"row": n, "code": e.code, **{k: v for k, v in e.details.items() if k in ("field", "reason")}})
            continue
        out.rows.append((n, p))
        out.preview.append(
            {
                "row": n,
                "paid_on": str(paid_on),
                "amount": str(amount),
                "payee_name": p.payee_name,
                "payee_uscc": p.payee_uscc,
                "purpose": purpose,
                "bank_reference": p.bank_reference,
                "manifest_numbers": numbers[n],
            }
        )
    if not raw:
        raise Invalid("invalid_bank_csv", {"field": "file", "reason": "no rows"})
    return out


async def import_statement(
    session: AsyncSession, actor: Principal, content: bytes, *, valid_only: bool = False, dry_run: bool = False
) -> dict[str, Any]:
    """Read a statement; with ``dry_run`` only the preview and the errors; else write all rows (or,
    with ``valid_only``, the good ones)."""
    if actor.role != "enterprise" or actor.organisation_id is None:
        raise Forbidden("forbidden", {"reason": "payments are recorded by the enterprises involved"})
    parsed = await parse(session, content)
    if dry_run:
        return {"encoding": parsed.encoding, "rows": parsed.preview, "errors": parsed.errors, "imported": 0}
    made, bad = await record_many(session, actor, parsed.rows, errors=parsed.errors, valid_only=valid_only)
    return {
        "encoding": parsed.encoding,
        "rows": parsed.preview,
        "errors": bad,
        "imported": len(made),
        "ids": [str(p.id) for p in made],
    }
