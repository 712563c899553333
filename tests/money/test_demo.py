"""The demo money: a contract per generator ↔ receiver pair of the demo transfers, a paid and
invoiced load, an invoiced one not yet paid, and the disposal fee paid to a transport firm that
fires ``fee_to_carrier_or_person`` — through the real services, and idempotent."""

from __future__ import annotations

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from waste_tracker import clock
from waste_tracker.models import Alert
from waste_tracker.seed.demo import seed
from waste_tracker.seed.money import seed_money
from waste_tracker.seed.road import seed_road

DEMO_AT = clock.at(2026, 11, 20, 10)


async def test_the_demo_money(session: AsyncSession) -> None:
    with clock.frozen(DEMO_AT):
        await seed(session)
        await seed_road(session)
        made = await seed_money(session)
        assert made["contracts"] >= 2 and made["payments"] == 2 and made["invoices"] == 2, made
        assert await seed_money(session) == {"contracts": 0, "payments": 0, "invoices": 0}
    pairs = (
        await session.execute(
            text("""SELECT count(DISTINCT (generator_org_id, receiver_org_id)) FROM manifest
                    WHERE purpose = 'transfer' AND number IS NOT NULL""")
        )
    ).scalar_one()
    assert made["contracts"] == pairs
    fired = [a for a in (await session.execute(select(Alert))).scalars() if a.rule_id == "fee_to_carrier_or_person"]
    assert len(fired) == 1, fired
    # Only the demo's red flag (no contract with the transport firm either): the honest payment to
    # the incinerator raises nothing, and the prices are ordinary.
    alerts = list((await session.execute(select(Alert))).scalars())
    no_contract = [a for a in alerts if a.rule_id == "no_contract"]
    assert len(no_contract) == 1 and no_contract[0].generator_org_id == fired[0].generator_org_id, no_contract
    assert not [a for a in alerts if a.rule_id == "price_far_below_market"]
