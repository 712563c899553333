"""The demo year of the cradle: plausible records through the real services, one case firing each
of the cradle's rules, and idempotent."""

from __future__ import annotations

import time

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from api.web.cradle import CRADLE_RULES
from waste_tracker import clock
from waste_tracker.ledger.queries import verify_container
from waste_tracker.models import Alert, WasteContainer
from waste_tracker.seed.cradle import seed_cradle
from waste_tracker.seed.demo import seed

# A fixed day (Shanghai): which rules can fire depends on the calendar (no plan can be exceeded in
# early January, reminders to file start on 1 March), so the demo is judged on one known day.
DEMO_AT = clock.at(2026, 11, 20, 10)


async def test_demo_year_fires_every_cradle_rule(session: AsyncSession) -> None:
    with clock.frozen(DEMO_AT):
        await _demo_year(session)


async def _demo_year(session: AsyncSession) -> None:
    await seed(session)
    t0 = time.perf_counter()
    added = await seed_cradle(session)
    print(f"seed_cradle: {added} in {time.perf_counter() - t0:.1f} s")
    assert added["containers"] > 300 and added["manifests"] > 60
    rules = set(
        (await session.execute(select(Alert.rule_id).where(Alert.status.in_(("open", "acknowledged"))))).scalars()  # type: ignore[attr-defined]
    )
    assert set(CRADLE_RULES) <= rules, set(CRADLE_RULES) - rules
    # Every container's chain and record hold.
    sample = (await session.execute(select(WasteContainer).limit(50))).scalars().all()
    for c in sample:
        assert (await verify_container(session, c))[1] is None
    # The ledger adds up where nothing went wrong: 平湖再生油 received what was shipped to it.
    n = (await session.execute(select(func.count()).select_from(WasteContainer))).scalar()
    again = await seed_cradle(session)
    assert again == {"containers": 0, "manifests": 0}
    assert (await session.execute(select(func.count()).select_from(WasteContainer))).scalar() == n
    stuck = (await session.execute(text("SELECT count(*) FROM manifest WHERE status NOT IN ('received', 'completed')"))).scalar()
    assert stuck == 0
