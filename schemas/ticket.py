"""Wire models of weighbridge tickets."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import AwareDatetime, Field

from schemas.common import Amount
from schemas.manifest import Strict


class TicketIn(Strict):
    plate: str = Field(min_length=5, max_length=16, examples=["浙FD1001"])
    gross_kg: Amount = Field(gt=0, le=100_000, max_digits=10, decimal_places=3)
    tare_kg: Amount = Field(ge=0, le=100_000, max_digits=10, decimal_places=3)
    net_kg: Amount = Field(gt=0, le=100_000, max_digits=10, decimal_places=3)
    weighed_at: AwareDatetime
    scale_id: str = Field(default="", max_length=100)
    photo_base64: str | None = Field(default=None, max_length=700_000, description="Optional photo of the ticket (≤ 500 KB)")


class TicketsIn(Strict):
    site_id: uuid.UUID
    side: Literal["generator", "receiver"]
    tickets: list[TicketIn] = Field(min_length=1, max_length=1000)


class TicketsCsvIn(Strict):
    site_id: uuid.UUID
    side: Literal["generator", "receiver"]
    csv: str = Field(min_length=10, max_length=500_000, description="plate,gross_kg,tare_kg,net_kg,weighed_at[,scale_id]")
