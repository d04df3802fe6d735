"""SQLAlchemy models. Importing this package registers every table on db.metadata, and
nothing else: create_app attaches the models' session listeners (LISTENERS)."""

from sqlalchemy.orm import Session

from .assurance import Checkpoint, Criterion, EvidenceDocument, Submission, SubmissionKind
from .audit import AuditEvent, MarketGeneration
from .authorisation_pack import AuthorisationPack
from .bid import (
    MAX_QUALITY_SCORE,
    Bid,
    BidAnswer,
    BidAttachment,
    BidLine,
    BidSource,
    BidStatus,
    DecisionLetter,
    ModeratedScore,
    OcdsRelease,
    Score,
)
from .business_plan import NARRATIVE_SECTIONS, SCORECARD_PERSPECTIVES, BusinessPlan, PlanStatus
from .buying import (
    Agreement,
    AgreementLine,
    AgreementRoute,
    AgreementStatus,
    Shortlist,
    ShortlistEntry,
    signed_terms_never_change,
)
from .catalogue import CatalogueGeneration, Nature, Phase, Scale, ServiceSpecification
from .contract_life import (
    AgreementEnding,
    AgreementVariation,
    EndingKind,
    ServiceReview,
    ServiceReviewAction,
    VariationStatus,
)
from .frozen import FrozenRecordError, refuse_changes_to_frozen_records
from .issued_document import IssuedDocument
from .market import (
    BOARD_DECISION_LABELS,
    BoardDecision,
    BoardHostingDecision,
    Licence,
    LicenceCondition,
    LicenceConditionStatus,
    LicenceStatus,
    Merger,
    MergerKind,
)
from .notification import (
    KIND_LABELS,
    Notification,
    NotificationKind,
    NotificationPreference,
)
from .organisation import PROVIDER_KINDS, Organisation, OrganisationKind, Region
from .plan_check import PlanCheckThreshold
from .plan_income import PlanIncome
from .procurement import (
    Clarification,
    ClarificationStage,
    CriterionKind,
    DecisionOutcome,
    EvaluationCriterion,
    Procurement,
    ProcurementDecision,
    ProcurementEvaluator,
    ProcurementStatus,
    ProcurementThreshold,
    Route,
)
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
from .service_levels import (
    AgreementKpi,
    FigureReview,
    PerformanceFigure,
    PerformanceReturn,
)
from .statement import (
    IntendedMode,
    PartyStatus,
    Priority,
    SplitMethod,
    Statement,
    StatementLine,
    StatementParty,
    StatementStatus,
)
from .survey import SurveyAnswer, SurveyScore, SurveyWindow
from .user import ROLE_ORGANISATION_KINDS, Role, User
from .user_session import UserSession

__all__ = [
    "BOARD_DECISION_LABELS",
    "BoardDecision",
    "BoardHostingDecision",
    "Licence",
    "LicenceCondition",
    "LicenceConditionStatus",
    "LicenceStatus",
    "Merger",
    "MergerKind",
    "ActionStatus",
    "Agreement",
    "AgreementEnding",
    "AgreementKpi",
    "AgreementLine",
    "AgreementRoute",
    "AgreementStatus",
    "AgreementVariation",
    "AuditEvent",
    "Bid",
    "BidAnswer",
    "BidAttachment",
    "BidLine",
    "BidSource",
    "BidStatus",
    "BusinessPlan",
    "CatalogueGeneration",
    "Checkpoint",
    "Clarification",
    "ClarificationStage",
    "Condition",
    "ConditionStatus",
    "Criterion",
    "CriterionKind",
    "DecisionLetter",
    "DecisionOutcome",
    "DeliveryModel",
    "DevelopmentAction",
    "EndingKind",
    "EvaluationCriterion",
    "EvidenceDocument",
    "FigureReview",
    "FinancialYearAllowance",
    "FrozenRecordError",
    "IntendedMode",
    "IssuedDocument",
    "AuthorisationPack",
    "MAX_QUALITY_SCORE",
    "ModeratedScore",
    "NARRATIVE_SECTIONS",
    "MarketGeneration",
    "Nature",
    "KIND_LABELS",
    "Notification",
    "NotificationKind",
    "NotificationPreference",
    "OcdsRelease",
    "Offer",
    "Organisation",
    "OrganisationKind",
    "PROVIDER_KINDS",
    "PartyStatus",
    "PerformanceFigure",
    "PerformanceReturn",
    "Phase",
    "PlanCheckThreshold",
    "PlanIncome",
    "PlanStatus",
    "PricingModel",
    "Priority",
    "Procurement",
    "ProcurementDecision",
    "ProcurementEvaluator",
    "ProcurementStatus",
    "ProcurementThreshold",
    "Prospectus",
    "ProspectusVersion",
    "Rating",
    "Region",
    "Review",
    "ReviewAssignment",
    "ReviewStatus",
    "Role",
    "ROLE_ORGANISATION_KINDS",
    "Route",
    "Scale",
    "Scenario",
    "ServiceReview",
    "ServiceReviewAction",
    "VariationStatus",
    "ScenarioFixedCost",
    "ScenarioInHouseRole",
    "ScenarioLine",
    "ScenarioStatus",
    "Score",
    "SCORECARD_PERSPECTIVES",
    "ServiceSpecification",
    "Shortlist",
    "ShortlistEntry",
    "SplitMethod",
    "Statement",
    "StatementLine",
    "StatementParty",
    "StatementStatus",
    "Submission",
    "SubmissionKind",
    "SurveyAnswer",
    "SurveyScore",
    "SurveyWindow",
    "User",
    "UserSession",
    "VersionStatus",
]


# The last lines behind the services: a flush that would change a frozen record, or a signed
# agreement's terms, fails loudly whatever code path asked for it.
LISTENERS = (
    (Session, "before_flush", refuse_changes_to_frozen_records),
    (Agreement, "before_update", signed_terms_never_change),
)
