"""The published daily anchors (GET /public/anchors; the same document as `anchor export`)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field


class AnchorPublic(BaseModel):
    day: date = Field(description="A calendar day in Asia/Shanghai")
    algorithm: str = Field(description="sha256-merkle-v1 (docs/reliability.md)")
    root: str = Field(description="Merkle root of the day's event hashes, 64 hex characters")
    event_count: int
    prev_root: str | None = Field(description="The root of the anchor before this one (null for the first)")


class AnchorsPublic(BaseModel):
    algorithm: str
    timezone: str
    exported_at: str
    anchors: list[AnchorPublic]
