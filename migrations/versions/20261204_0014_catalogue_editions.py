"""Catalogue editions (issue #12): the editions of the National Hazardous Waste List with their
official entry counts and completeness, and the map of codes changed between editions.

Seeds the two editions: 2021 (the bundled, verified table: 467 entries) and 2025 (in force since
2025-01-01, 470 entries by the official count; its table is not bundled yet, so it is recorded as
incomplete and new records stay on 2021 until a complete 2025 table is imported).

Revision ID: 0014_catalogue_editions
Revises: 0013_cradle
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from alembic import op

revision: str = "0014_catalogue_editions"
down_revision: str | None = "0013_cradle"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MISSING_2025 = (
    "The 2025 table itself: which 2 codes of 2021 were merged and into what, which 1 code was split and into which, "
    "the 4 added tin-smelting (锡冶炼) wastes, the reworded descriptions and hazard notes, the 6 new notes, and the "
    "changes to the exemption list. Known only in summary (470 entries, +3 against 2021) from the ministry's "
    "explanation of the revision."
)


def upgrade() -> None:
    editions = op.create_table(
        "catalogue_edition",
        sa.Column("edition", sa.String(length=16), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("decree", sa.Text(), server_default="", nullable=False),
        sa.Column("in_force_from", sa.Date(), nullable=False),
        sa.Column("official_count", sa.Integer(), nullable=False),
        sa.Column("loaded_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("complete", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("source", sa.Text(), server_default="", nullable=False),
        sa.Column("missing", sa.Text(), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("edition", name=op.f("pk_catalogue_edition")),
    )
    op.create_table(
        "catalogue_code_change",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("from_edition", sa.String(length=16), nullable=False),
        sa.Column("from_code", sa.String(length=16), nullable=False),
        sa.Column("to_edition", sa.String(length=16), nullable=False),
        sa.Column("to_code", sa.String(length=16), nullable=True),
        sa.Column("change", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("source", sa.Text(), server_default="", nullable=False),
        sa.CheckConstraint(
            "change IN ('merged', 'split', 'renamed', 'removed', 'reworded')", name=op.f("ck_catalogue_code_change_change")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalogue_code_change")),
        sa.UniqueConstraint(
            "from_edition", "from_code", "to_edition", "to_code", name="uq_catalogue_code_change", postgresql_nulls_not_distinct=True
        ),
    )
    op.create_index(op.f("ix_catalogue_code_change_from_code"), "catalogue_code_change", ["from_code"], unique=False)
    # How much of each edition is loaded is counted when the catalogue is imported (registry/editions.py).
    n2021 = int(
        op.get_bind().execute(sa.text("SELECT count(*) FROM waste_code WHERE edition = '2021' AND kind = 'hazardous'")).scalar()
        or 0
    )
    op.bulk_insert(
        editions,
        [
            {
                "edition": "2021",
                "title": "国家危险废物名录（2021年版）",
                "decree": "生态环境部 国家发展和改革委员会 公安部 交通运输部 国家卫生健康委员会令 第15号",
                "in_force_from": date(2021, 1, 1),
                "official_count": 467,
                "loaded_count": n2021,
                "complete": n2021 == 467,
                "source": "waste_tracker/data/hw_catalogue_2021.csv (see PROVENANCE.md): the official PDF, 467 entries",
                "missing": "",
            },
            {
                "edition": "2025",
                "title": "国家危险废物名录（2025年版）",
                "decree": "生态环境部 国家发展和改革委员会 公安部 交通运输部 国家卫生健康委员会令 第36号",
                "in_force_from": date(2025, 1, 1),
                "official_count": 470,
                "loaded_count": 0,
                "complete": False,
                "source": "count and kinds of change: the ministry's explanation of the revision (as reprinted at "
                "http://m.nttaihe.com/details/3189); the table is not bundled",
                "missing": MISSING_2025,
            },
        ],
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_catalogue_code_change_from_code"), table_name="catalogue_code_change")
    op.drop_table("catalogue_code_change")
    op.drop_table("catalogue_edition")
