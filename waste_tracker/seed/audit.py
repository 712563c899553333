"""The demo's audit sample: a third-party auditor (``audit-firm``), one sample of the city's key
units drawn by the city regulator with a recorded seed, and the auditor assigned to it for three
months. Idempotent: an existing demo sample is left as it is."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from waste_tracker import clock
from waste_tracker.audit import service as audits
from waste_tracker.auth.passwords import hash_password
from waste_tracker.auth.service import create_user, principal_for
from waste_tracker.config import get_settings
from waste_tracker.models import AuditSample, User

AUDITOR = ("audit-firm", "嘉禾会计师事务所 审核员")
DEMO_NOTE = "演示抽查：重点管理单位（demo sample）"
DEMO_SEED = "jiaxing-demo-2026"


async def seed_audit(session: AsyncSession, password: str) -> dict[str, int]:
    made = {"auditors": 0, "audit_samples": 0}
    auditor = (await session.execute(select(User).where(col(User.username) == AUDITOR[0]))).scalar_one_or_none()
    if auditor is None:
        auditor = await create_user(
            session,
            None,
            username=AUDITOR[0],
            password=password,
            role="auditor",
            display_name=AUDITOR[1],
            is_demo=True,
            password_hash=hash_password(password),
        )
        made["auditors"] = 1
    if (await session.execute(select(col(AuditSample.id)).where(col(AuditSample.note) == DEMO_NOTE))).first() is not None:
        return made
    regulator = (await session.execute(select(User).where(col(User.username) == "jiaxing-regulator"))).scalar_one_or_none()
    if regulator is None:
        return made
    actor = await principal_for(session, regulator, get_settings())
    today = clock.today()
    sample = await audits.draw(
        session,
        actor,
        audits.DrawCommand(
            period_from=today - timedelta(days=180), period_to=today, rate=Decimal("0.5"), seed=DEMO_SEED, note=DEMO_NOTE
        ),
    )
    await audits.assign(
        session,
        actor,
        sample.id,
        auditor_id=auditor.id,
        valid_from=today - timedelta(days=1),
        valid_to=today + timedelta(days=90),
        firm="嘉禾会计师事务所",
    )
    made["audit_samples"] = 1
    return made
