"""All table models, on one metadata, so Alembic sees everything and imports never go in circles."""

from waste_tracker.models.alert import Alert, AlertHistory, Holiday
from waste_tracker.models.anchor import Anchor
from waste_tracker.models.auth import ApiKey, LoginFailure, RecoveryCode, RevokedToken, User
from waste_tracker.models.base import metadata
from waste_tracker.models.cradle import (
    ContainerSerial,
    Declaration,
    LedgerEvent,
    ManagementPlan,
    ManagementPlanEvent,
    PlanSerial,
    ReceiverBalance,
    WasteContainer,
)
from waste_tracker.models.manifest import (
    Exemption,
    ExemptionRequest,
    Finding,
    IdempotencyRecord,
    Manifest,
    ManifestEvent,
    ManifestLine,
    ManifestSerial,
)
from waste_tracker.models.notification import NotificationRead, NotificationReadAll
from waste_tracker.models.registry import (
    CatalogueCodeChange,
    CatalogueEdition,
    CatalogueExemption,
    Jurisdiction,
    Licence,
    MethodCode,
    Organisation,
    OrganisationIdentity,
    Site,
    TransportPermit,
    Vehicle,
    WasteCode,
)
from waste_tracker.models.rollup import FlowDaily, LicenceYearReceived
from waste_tracker.models.rule import RuleSetting, RuleSettingChange
from waste_tracker.models.schedule import ScheduledJob
from waste_tracker.models.track import ApprovedRoute, ProtectedZone, TicketPhoto, TrackPoint, WeighbridgeTicket

__all__ = [
    "WeighbridgeTicket",
    "ApprovedRoute",
    "TicketPhoto",
    "ProtectedZone",
    "TrackPoint",
    "CatalogueCodeChange",
    "CatalogueEdition",
    "ContainerSerial",
    "Declaration",
    "LedgerEvent",
    "ManagementPlan",
    "ManagementPlanEvent",
    "PlanSerial",
    "ReceiverBalance",
    "WasteContainer",
    "Anchor",
    "Alert",
    "AlertHistory",
    "Holiday",
    "RuleSetting",
    "RecoveryCode",
    "RevokedToken",
    "RuleSettingChange",
    "NotificationRead",
    "NotificationReadAll",
    "ScheduledJob",
    "ApiKey",
    "CatalogueExemption",
    "Exemption",
    "ExemptionRequest",
    "Finding",
    "FlowDaily",
    "IdempotencyRecord",
    "Jurisdiction",
    "Licence",
    "LicenceYearReceived",
    "LoginFailure",
    "Manifest",
    "ManifestEvent",
    "ManifestLine",
    "ManifestSerial",
    "MethodCode",
    "Organisation",
    "OrganisationIdentity",
    "Site",
    "TransportPermit",
    "User",
    "Vehicle",
    "WasteCode",
    "metadata",
]
