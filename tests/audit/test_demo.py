"""The demo's audit sample: an auditor, one drawn sample of key units with its seed, the auditor
assigned to it (reading now), and idempotent."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from waste_tracker.auth.service import principal_for
from waste_tracker.config import Settings
from waste_tracker.models import AuditSample, AuditSampleUnit, User
from waste_tracker.seed.audit import AUDITOR, DEMO_SEED, seed_audit
from waste_tracker.seed.cradle import seed_cradle
from waste_tracker.seed.demo import DEMO_PASSWORD, seed


async def test_the_demo_audit_sample(session: AsyncSession) -> None:
    await seed(session)
    await seed_cradle(session)
    assert await seed_audit(session, DEMO_PASSWORD) == {"auditors": 1, "audit_samples": 1}
    assert await seed_audit(session, DEMO_PASSWORD) == {"auditors": 0, "audit_samples": 0}
    (sample,) = (await session.execute(select(AuditSample))).scalars()
    assert sample.seed == DEMO_SEED and sample.strata
    units = list((await session.execute(select(AuditSampleUnit))).scalars())
    assert any(u.outcome == "selected" for u in units)
    auditor = (await session.execute(select(User).where(User.username == AUDITOR[0]))).scalar_one()
    p = await principal_for(session, auditor, Settings(env="test"))
    assert p.is_auditor and {g.sample_id for g in p.audit_grants} == {sample.id}
