"""Who is acting, and what they may see.

A principal is built once per request from the user row. Its ``county_scope`` is the set of
county adcodes a regulator oversees (``None`` for admins: everything); enterprise users and
drivers act for exactly one organisation.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

from waste_tracker.errors import Forbidden


@dataclass(frozen=True)
class AuditGrant:
    """What an auditor's assignment, valid now, lets it read: one sampled enterprise over the
    sample's period (dates in Shanghai, both included)."""

    sample_id: uuid.UUID
    organisation_id: uuid.UUID
    period_from: date
    period_to: date


@dataclass(frozen=True)
class Principal:
    user_id: uuid.UUID
    username: str
    role: str  # enterprise | driver | regulator | admin | auditor
    organisation_id: uuid.UUID | None = None
    org_roles: frozenset[str] = field(default_factory=frozenset)
    jurisdiction_adcode: int | None = None
    jurisdiction_level: str | None = None
    county_scope: frozenset[int] | None = None
    lang: str = "zh-CN"
    via_api_key: bool = False
    # An auditor's grants (waste_tracker/audit/scope.py), read when the principal is built: the
    # assignments valid at that instant, of samples not closed. Empty for every other role.
    audit_grants: tuple[AuditGrant, ...] = ()

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_auditor(self) -> bool:
        return self.role == "auditor"

    @property
    def is_regulator(self) -> bool:
        return self.role == "regulator"

    @property
    def is_city_regulator(self) -> bool:
        return self.role == "regulator" and self.jurisdiction_level in ("city", "province")

    def acts_as(self, org_role: str) -> bool:
        """An enterprise user acting in one of its organisation's roles (generator/carrier/receiver)."""
        return self.role == "enterprise" and org_role in self.org_roles

    def require(self, *roles: str) -> None:
        if self.role not in roles:
            raise Forbidden("forbidden", {"required_roles": list(roles), "role": self.role})

    def require_org_role(self, org_role: str) -> uuid.UUID:
        if not self.acts_as(org_role) or self.organisation_id is None:
            raise Forbidden("forbidden", {"required_org_role": org_role})
        return self.organisation_id

    def in_scope(self, *county_adcodes: int | None) -> bool:
        """True for admins, and for regulators when any of the counties is theirs."""
        if self.is_admin:
            return True
        if not self.is_regulator or self.county_scope is None:
            return False
        return any(c in self.county_scope for c in county_adcodes if c is not None)

    def owns(self, organisation_id: uuid.UUID | None) -> bool:
        return organisation_id is not None and self.organisation_id == organisation_id
