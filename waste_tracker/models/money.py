"""The money (issue #15): contracts between a generator and its receiver or carrier, the payments
that settle them, the invoices receivers issue, and which manifests each pays for.

Every table here is evidence and append-only (a trigger refuses UPDATE and DELETE): a corrected
contract, payment or invoice is a new row naming the one it ``supersedes``; a contract ends by a
``contract_termination`` row, never by deletion; a new scan of a contract is a new
``contract_file`` row, kept with its SHA-256.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Column,
    Integer,
    LargeBinary,
    Numeric,
    PrimaryKeyConstraint,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Field, SQLModel

from waste_tracker.ids import uuid7
from waste_tracker.models.base import created_at_field

CONTRACT_KINDS = ("disposal", "transport")
TRANSPORT_TERMS = ("generator_pays_carrier", "receiver_arranges", "included")
PAYMENT_PURPOSES = ("disposal", "transport", "other")
CONTRACT_MEDIA_TYPES = ("application/pdf", "image/jpeg", "image/png")


class Contract(SQLModel, table=True):
    """A written contract of a generator with a receiver (``disposal``) or a carrier
    (``transport``): the codes or categories it covers, the price per tonne, its validity."""

    __tablename__ = "contract"
    __table_args__ = (
        CheckConstraint("kind IN ('disposal', 'transport')", name="kind"),
        CheckConstraint("transport_terms IN ('generator_pays_carrier', 'receiver_arranges', 'included')", name="transport_terms"),
        CheckConstraint("valid_from <= valid_to", name="validity"),
        CheckConstraint("price_per_tonne IS NULL OR price_per_tonne >= 0", name="price"),
        CheckConstraint("cardinality(waste_codes) + cardinality(waste_categories) > 0", name="covers"),
        CheckConstraint("generator_org_id <> counterparty_org_id", name="parties"),
    )

    id: uuid.UUID = Field(default_factory=uuid7, primary_key=True)
    kind: str = Field(sa_column=Column(String(16), nullable=False))
    number: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    generator_org_id: uuid.UUID = Field(foreign_key="organisation.id", index=True)
    counterparty_org_id: uuid.UUID = Field(foreign_key="organisation.id", index=True)
    waste_codes: list[str] = Field(default_factory=list, sa_column=Column(ARRAY(String(16)), nullable=False, server_default="{}"))
    waste_categories: list[str] = Field(
        default_factory=list, sa_column=Column(ARRAY(String(8)), nullable=False, server_default="{}")
    )
    price_per_tonne: Decimal | None = Field(default=None, sa_column=Column(Numeric(12, 2)))
    transport_terms: str = Field(
        default="generator_pays_carrier",
        sa_column=Column(String(24), nullable=False, server_default="generator_pays_carrier"),
    )
    valid_from: date
    valid_to: date
    signed_on: date
    note: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    supersedes_id: uuid.UUID | None = Field(default=None, foreign_key="contract.id", unique=True)
    created_by: uuid.UUID = Field(foreign_key="app_user.id")
    created_at: datetime = created_at_field()


class ContractTermination(SQLModel, table=True):
    """The end of a contract before its term: from ``terminated_on`` it covers nothing."""

    __tablename__ = "contract_termination"

    contract_id: uuid.UUID = Field(foreign_key="contract.id", primary_key=True)
    terminated_on: date
    reason: str = Field(sa_column=Column(Text, nullable=False))
    created_by: uuid.UUID = Field(foreign_key="app_user.id")
    created_at: datetime = created_at_field()


class ContractFile(SQLModel, table=True):
    """A scan of a contract (PDF or image) with its SHA-256; a new scan is a new row."""

    __tablename__ = "contract_file"
    __table_args__ = (
        CheckConstraint("media_type IN ('application/pdf', 'image/jpeg', 'image/png')", name="media_type"),
        CheckConstraint("size = octet_length(content)", name="size"),
    )

    id: uuid.UUID = Field(default_factory=uuid7, primary_key=True)
    contract_id: uuid.UUID = Field(foreign_key="contract.id", index=True)
    sha256: str = Field(sa_column=Column(String(64), nullable=False))
    media_type: str = Field(sa_column=Column(String(32), nullable=False))
    filename: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    size: int = Field(sa_column=Column(Integer, nullable=False))
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_by: uuid.UUID = Field(foreign_key="app_user.id")
    created_at: datetime = created_at_field()


class Payment(SQLModel, table=True):
    """A payment from an organisation to an organisation (by its USCC) or a natural person (by
    name), entered by the generator or the receiver or imported from a bank statement."""

    __tablename__ = "payment"
    __table_args__ = (
        CheckConstraint("payee_kind IN ('organisation', 'person')", name="payee_kind"),
        CheckConstraint("(payee_kind = 'organisation') = (payee_uscc IS NOT NULL)", name="payee_uscc"),
        CheckConstraint("payee_kind = 'organisation' OR payee_org_id IS NULL", name="payee_person"),
        CheckConstraint("amount > 0", name="amount"),
        CheckConstraint("quantity_kg IS NULL OR quantity_kg > 0", name="quantity"),
        CheckConstraint("purpose IN ('disposal', 'transport', 'other')", name="purpose"),
        CheckConstraint("source IN ('entered', 'import')", name="source"),
    )

    id: uuid.UUID = Field(default_factory=uuid7, primary_key=True)
    payer_org_id: uuid.UUID = Field(foreign_key="organisation.id", index=True)
    payee_kind: str = Field(sa_column=Column(String(16), nullable=False))
    payee_org_id: uuid.UUID | None = Field(default=None, foreign_key="organisation.id", index=True)
    payee_uscc: str | None = Field(default=None, sa_column=Column(String(18)))
    payee_name: str = Field(sa_column=Column(Text, nullable=False))
    amount: Decimal = Field(sa_column=Column(Numeric(14, 2), nullable=False))
    paid_on: date
    purpose: str = Field(default="disposal", sa_column=Column(String(16), nullable=False, server_default="disposal"))
    invoice_number: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    bank_reference: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    contract_id: uuid.UUID | None = Field(default=None, foreign_key="contract.id", index=True)
    quantity_kg: Decimal | None = Field(default=None, sa_column=Column(Numeric(14, 3)))
    source: str = Field(default="entered", sa_column=Column(String(16), nullable=False, server_default="entered"))
    import_batch: uuid.UUID | None = Field(default=None)
    import_row: int | None = Field(default=None)
    recorded_by_org_id: uuid.UUID = Field(foreign_key="organisation.id")
    note: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    supersedes_id: uuid.UUID | None = Field(default=None, foreign_key="payment.id", unique=True)
    created_by: uuid.UUID = Field(foreign_key="app_user.id")
    created_at: datetime = created_at_field()


class PaymentManifest(SQLModel, table=True):
    """A manifest a payment pays for."""

    __tablename__ = "payment_manifest"
    __table_args__ = (PrimaryKeyConstraint("payment_id", "manifest_id", name="pk_payment_manifest"),)

    payment_id: uuid.UUID = Field(foreign_key="payment.id")
    manifest_id: uuid.UUID = Field(foreign_key="manifest.id", index=True)


class Invoice(SQLModel, table=True):
    """An invoice a receiver (or carrier) issued to the organisation it bills."""

    __tablename__ = "invoice"
    __table_args__ = (
        UniqueConstraint("issuer_org_id", "number", name="uq_invoice_issuer_org_id"),
        CheckConstraint("amount > 0", name="amount"),
        CheckConstraint("quantity_kg IS NULL OR quantity_kg > 0", name="quantity"),
    )

    id: uuid.UUID = Field(default_factory=uuid7, primary_key=True)
    issuer_org_id: uuid.UUID = Field(foreign_key="organisation.id")
    buyer_org_id: uuid.UUID = Field(foreign_key="organisation.id", index=True)
    number: str = Field(sa_column=Column(String(32), nullable=False))
    issued_on: date
    amount: Decimal = Field(sa_column=Column(Numeric(14, 2), nullable=False))
    quantity_kg: Decimal | None = Field(default=None, sa_column=Column(Numeric(14, 3)))
    contract_id: uuid.UUID | None = Field(default=None, foreign_key="contract.id")
    note: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    supersedes_id: uuid.UUID | None = Field(default=None, foreign_key="invoice.id", unique=True)
    created_by: uuid.UUID = Field(foreign_key="app_user.id")
    created_at: datetime = created_at_field()


class InvoiceManifest(SQLModel, table=True):
    """A manifest an invoice bills."""

    __tablename__ = "invoice_manifest"
    __table_args__ = (PrimaryKeyConstraint("invoice_id", "manifest_id", name="pk_invoice_manifest"),)

    invoice_id: uuid.UUID = Field(foreign_key="invoice.id")
    manifest_id: uuid.UUID = Field(foreign_key="manifest.id", index=True)
