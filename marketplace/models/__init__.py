"""SQLAlchemy models. Importing this package registers every table on db.metadata."""

from .assurance import Checkpoint, Criterion, EvidenceDocument, Submission, SubmissionKind
from .audit import AuditEvent
from .business_plan import NARRATIVE_SECTIONS, SCORECARD_PERSPECTIVES, BusinessPlan, PlanStatus
from .buying import (
    Agreement,
    AgreementLine,
    AgreementStatus,
    IntendedMode,
    Priority,
    Requirement,
    Shortlist,
    ShortlistEntry,
)
from .catalogue import Nature, Phase, Scale, ServiceSpecification
from .frozen import FrozenRecordError  # importing it registers the flush guard
from .issued_document import IssuedDocument
from .listing import OfferListing
from .organisation import Organisation, OrganisationKind, Region
from .prospectus import (
    DeliveryModel,
    Offer,
    PricingModel,
    Prospectus,
    ProspectusVersion,
    VersionStatus,
)
from .review import (
    ActionStatus,
    Condition,
    ConditionStatus,
    DevelopmentAction,
    Rating,
    Review,
    ReviewAssignment,
    ReviewStatus,
)
from .scenario import (
    FinancialYearAllowance,
    Scenario,
    ScenarioFixedCost,
    ScenarioInHouseRole,
    ScenarioLine,
    ScenarioStatus,
)
from .search_state import CATALOGUE_VERSION_ID, CatalogueVersion
from .user import ROLE_ORGANISATION_KINDS, Role, User

__all__ = [
    "ActionStatus",
    "Agreement",
    "AgreementLine",
    "AgreementStatus",
    "AuditEvent",
    "BusinessPlan",
    "CATALOGUE_VERSION_ID",
    "CatalogueVersion",
    "Checkpoint",
    "Condition",
    "ConditionStatus",
    "Criterion",
    "DeliveryModel",
    "FinancialYearAllowance",
    "DevelopmentAction",
    "EvidenceDocument",
    "FrozenRecordError",
    "IntendedMode",
    "IssuedDocument",
    "NARRATIVE_SECTIONS",
    "Nature",
    "Offer",
    "OfferListing",
    "Organisation",
    "OrganisationKind",
    "Phase",
    "PlanStatus",
    "PricingModel",
    "Priority",
    "Prospectus",
    "ProspectusVersion",
    "ROLE_ORGANISATION_KINDS",
    "Rating",
    "Region",
    "Requirement",
    "Review",
    "ReviewAssignment",
    "ReviewStatus",
    "Role",
    "SCORECARD_PERSPECTIVES",
    "Scale",
    "Scenario",
    "ScenarioFixedCost",
    "ScenarioInHouseRole",
    "ScenarioLine",
    "ScenarioStatus",
    "ServiceSpecification",
    "Shortlist",
    "ShortlistEntry",
    "Submission",
    "SubmissionKind",
    "User",
    "VersionStatus",
]
