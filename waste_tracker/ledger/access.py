"""Who may read and write the cradle's records (containers, plans, declarations, receiver
balances), each the record of one site: the one place that says it, for a row in hand and as
SQL for lists.

- The site's own organisation (its enterprise users) reads and writes them.
- A regulator reads those of the counties in its jurisdiction (and accepts plans there).
- An admin reads everything. Drivers see containers only through a manifest they carry.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ColumnElement, false, true
from sqlalchemy.ext.asyncio import AsyncSession

from waste_tracker.auth.principal import Principal
from waste_tracker.errors import Forbidden, NotFound
from waste_tracker.models import Site


def can_read(actor: Principal, organisation_id: uuid.UUID, county_adcode: int) -> bool:
    return actor.is_admin or actor.in_scope(county_adcode) or (actor.role == "enterprise" and actor.owns(organisation_id))


def scope(actor: Principal, org_column: Any, county_column: Any) -> ColumnElement[bool]:
    """The SQL twin of ``can_read`` over a table's organisation and county columns."""
    if actor.is_admin:
        return true()
    if actor.is_regulator:
        if not actor.county_scope:
            return false()
        in_scope: ColumnElement[bool] = county_column.in_(sorted(actor.county_scope))
        return in_scope
    if actor.role == "enterprise" and actor.organisation_id is not None:
        mine: ColumnElement[bool] = org_column == actor.organisation_id
        return mine
    return false()


async def own_site(session: AsyncSession, actor: Principal, site_id: uuid.UUID, org_role: str = "generator") -> Site:
    """A site of the actor's organisation, which acts in ``org_role`` (else 403/404 as fits)."""
    site = await session.get(Site, site_id)
    if site is None:
        raise NotFound("site", site_id)
    if actor.role != "enterprise" or not actor.owns(site.organisation_id):
        raise Forbidden("site_not_yours", {"site_id": str(site_id)})
    if org_role not in actor.org_roles:
        raise Forbidden("forbidden", {"required_org_role": org_role})
    return site
