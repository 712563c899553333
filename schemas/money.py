"""Wire models of contracts, payments and invoices (issue #15). Money is a decimal string in yuan."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.common import Amount
from schemas.manifest import Strict


class ContractIn(Strict):
    kind: Literal["disposal", "transport"] = "disposal"
    counterparty_org_id: uuid.UUID = Field(description="the receiver (disposal) or the carrier (transport)")
    number: str = Field(default="", max_length=64)
    waste_codes: list[str] = Field(default_factory=list, max_length=200)
    waste_categories: list[str] = Field(default_factory=list, max_length=60, examples=[["HW08"]])
    price_per_tonne: Amount | None = Field(default=None, ge=0, max_digits=12, decimal_places=2)
    transport_terms: Literal["generator_pays_carrier", "receiver_arranges", "included"] = "generator_pays_carrier"
    valid_from: date
    valid_to: date
    signed_on: date
    note: str = Field(default="", max_length=2000)


class ContractFileIn(Strict):
    filename: str = Field(default="", max_length=200)
    content_base64: str = Field(min_length=4, max_length=960_000, description="PDF, JPEG or PNG, ≤ 700 KB")


class ContractFilePublic(BaseModel):
    id: uuid.UUID
    sha256: str
    media_type: str
    filename: str
    size: int
    created_at: datetime


class ContractTerminationIn(Strict):
    terminated_on: date
    reason: str = Field(min_length=1, max_length=2000)


class ContractPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: str
    number: str
    generator_org_id: uuid.UUID
    counterparty_org_id: uuid.UUID
    generator_name: str = ""
    counterparty_name: str = ""
    waste_codes: list[str]
    waste_categories: list[str]
    price_per_tonne: str | None
    transport_terms: str
    valid_from: date
    valid_to: date
    signed_on: date
    note: str
    supersedes_id: uuid.UUID | None
    status: str = "in_force"
    terminated_on: date | None = None
    files: list[ContractFilePublic] = Field(default_factory=list)
    created_at: datetime


class PaymentIn(Strict):
    amount: Amount = Field(gt=0, max_digits=12, decimal_places=2, description="CNY (yuan)")
    paid_on: date
    payer_org_id: uuid.UUID | None = Field(default=None, description="when a receiver records what a generator paid it")
    payee_uscc: str | None = Field(default=None, max_length=40, description="an organisation; leave empty for a person")
    payee_name: str = Field(default="", max_length=200)
    purpose: Literal["disposal", "transport", "other"] = "disposal"
    invoice_number: str = Field(default="", max_length=64)
    bank_reference: str = Field(default="", max_length=64)
    contract_id: uuid.UUID | None = None
    manifest_ids: list[uuid.UUID] = Field(default_factory=list, max_length=200)
    quantity_kg: Amount | None = Field(default=None, gt=0, max_digits=12, decimal_places=3)
    note: str = Field(default="", max_length=2000)


class PaymentPublic(BaseModel):
    id: uuid.UUID
    payer_org_id: uuid.UUID
    payer_name: str
    payee_kind: str
    payee_org_id: uuid.UUID | None
    payee_uscc: str | None
    payee_name: str
    amount: str
    paid_on: date
    purpose: str
    invoice_number: str
    bank_reference: str
    contract_id: uuid.UUID | None
    quantity_kg: str | None
    source: str
    import_row: int | None
    manifests: list[str]
    superseded: bool
    created_at: datetime


class BankCsvIn(Strict):
    content_base64: str = Field(min_length=4, max_length=960_000, description="the statement file as exported (UTF-8 or GB18030)")
    dry_run: bool = Field(default=False, description="only check and preview; write nothing")
    valid_only: bool = Field(default=False, description="write the valid rows even when others have errors")


class InvoiceIn(Strict):
    buyer_org_id: uuid.UUID
    number: str = Field(min_length=1, max_length=32)
    issued_on: date
    amount: Amount = Field(gt=0, max_digits=12, decimal_places=2)
    quantity_kg: Amount | None = Field(default=None, gt=0, max_digits=12, decimal_places=3)
    contract_id: uuid.UUID | None = None
    manifest_ids: list[uuid.UUID] = Field(default_factory=list, max_length=200)
    note: str = Field(default="", max_length=2000)


class InvoicePublic(BaseModel):
    id: uuid.UUID
    issuer_org_id: uuid.UUID
    issuer_name: str
    buyer_org_id: uuid.UUID
    buyer_name: str
    number: str
    issued_on: date
    amount: str
    quantity_kg: str | None
    contract_id: uuid.UUID | None
    manifests: list[str]
    created_at: datetime


class MatchRow(BaseModel):
    manifest_id: uuid.UUID
    number: str
    generator_name: str
    receiver_name: str
    received_on: date
    accepted_kg: str
    state: Literal["matched", "paid_not_invoiced", "invoiced_not_paid", "open"]
    payments: list[dict[str, str]]
    invoices: list[dict[str, str]]
