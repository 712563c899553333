"""What an auditor may read now: its assignments valid at this instant, of samples not closed,
one grant per selected enterprise. Read once when the principal is built
(``auth.service.principal_for``); the manifest scopes (``manifest/access.py``) read the grants."""

from __future__ import annotations

import uuid

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from waste_tracker import clock
from waste_tracker.auth.principal import AuditGrant

_GRANTS = text(
    """SELECT DISTINCT a.sample_id, u.organisation_id, s.period_from, s.period_to
       FROM audit_assignment a
       JOIN audit_sample s ON s.id = a.sample_id
       JOIN audit_sample_unit u ON u.sample_id = s.id AND u.outcome = 'selected'
       WHERE a.auditor_id = :user AND a.valid_from <= :now AND a.valid_to > :now
         AND NOT EXISTS (SELECT 1 FROM audit_sample_closure c WHERE c.sample_id = s.id)
       ORDER BY a.sample_id, u.organisation_id"""
)


async def active_grants(session: AsyncSession, user_id: uuid.UUID) -> tuple[AuditGrant, ...]:
    rows = await session.execute(_GRANTS, {"user": user_id, "now": clock.now()})
    return tuple(AuditGrant(r.sample_id, r.organisation_id, r.period_from, r.period_to) for r in rows)
