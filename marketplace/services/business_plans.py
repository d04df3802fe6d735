"""Business plans: drafts, versions, the financial model, and the differences between versions."""

import re
from dataclasses import dataclass

from sqlalchemy import func, select

from marketplace.domain.business_plan import Expenditure, FinancialModel, FinancialModelError
from marketplace.domain.money import PENNY
from marketplace.domain.plan_income import OTHER_LINE
from marketplace.extensions import db
from marketplace.models import (
    NARRATIVE_SECTIONS,
    SCORECARD_PERSPECTIVES,
    BusinessPlan,
    Organisation,
    OrganisationKind,
    PlanStatus,
    ServiceSpecification,
    User,
)
from marketplace.policies.people import leader_of

from . import plan_income
from .audit import record_event
from .errors import PermissionDenied, ServiceError
from .transaction import check_version, on_conflict, transactional

TABLE_LABELS = {
    "years": "Financial years",
    "income_by_customer": "Income by customer",
    "income_by_service_line": "Income by service line",
    "expenditure": "Expenditure",
    "wte": "Workforce (WTE)",
    "pct_baseline": "PCT cluster baseline",
    "retained_surplus": "Surplus kept",
}
_PATH = re.compile(r"\[([^\]]*)\]")
STALE_PLAN = (
    "Someone else saved this plan version after you opened it, so your changes were not "
    "saved. They are shown below: check them against the plan as it is now and save again."
)
ALREADY_STARTED = (
    "A new version was started a moment ago, perhaps from another tab or by a colleague, so "
    "there is already a draft plan. Carry on with that one."
)


def describe_field(path: str) -> str:
    """'income_by_customer[2013/14][05A]' -> 'Income by customer, 2013/14, 05A'."""
    table = path.split("[", 1)[0]
    parts = [TABLE_LABELS.get(table, table.replace("_", " ").capitalize())]
    parts += [part.replace("_", " ") for part in _PATH.findall(path)]
    return ", ".join(parts)


class PlanInvalid(ServiceError):
    """A financial model with problems; ``problems`` lists (field path, message)."""

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems
        super().__init__(self.messages()[0])

    def messages(self) -> list[str]:
        """Each problem in words: a workbook cell ("Sheet!C5: ...") or a form field."""
        return [
            message if where == "document"
            else f"{where if '!' in where or ' ' in where else describe_field(where)}: {message}"
            for where, message in self.problems
        ]


# --- the financial model as stored JSON ----------------------------------------------------


def model_to_json(model: FinancialModel) -> dict:
    return {
        "years": list(model.years),
        "income_by_customer": {
            y: {c: str(a) for c, a in model.income_by_customer[y].items()} for y in model.years
        },
        "income_by_service_line": {
            y: {s: str(a) for s, a in model.income_by_service_line[y].items()}
            for y in model.years
        },
        "expenditure": {
            y: {part: str(getattr(model.expenditure[y], part)) for part in Expenditure.PARTS}
            for y in model.years
        },
        "wte": {y: str(model.wte[y]) for y in model.years},
    }


def model_from_json(data: dict | None) -> FinancialModel | None:
    if not data:
        return None
    return FinancialModel(
        tuple(data["years"]),
        data["income_by_customer"],
        data["income_by_service_line"],
        data["expenditure"],
        data["wte"],
    )


def read_financial_model(raw: dict) -> FinancialModel:
    """Validate figures from a form or a workbook; PlanInvalid lists every problem."""
    try:
        model = FinancialModel(
            tuple(raw.get("years", ())),
            raw.get("income_by_customer", {}),
            raw.get("income_by_service_line", {}),
            raw.get("expenditure", {}),
            raw.get("wte", {}),
        )
    except FinancialModelError as error:
        raise PlanInvalid([(e.field, e.message) for e in error.errors]) from None
    _check_pence(model)
    _check_ccgs_exist(model)
    _check_specifications_exist(model)
    return model


def _check_pence(model: FinancialModel) -> None:
    """Typed or uploaded figures are pounds and pence (and WTE to two places); the model
    itself also carries computed figures, so the rule is the input's."""
    figures = [(f"{table}[{year}][{key}]", value)
               for table in ("income_by_customer", "income_by_service_line")
               for year in model.years for key, value in getattr(model, table)[year].items()]
    figures += [(f"expenditure[{year}][{part}]", getattr(model.expenditure[year], part))
                for year in model.years for part in Expenditure.PARTS]
    figures += [(f"wte[{year}]", model.wte[year]) for year in model.years]
    problems = [(where, "use at most 2 decimal places") for where, value in figures
                if value != value.quantize(PENNY)]
    if problems:
        raise PlanInvalid(problems)


def _check_ccgs_exist(model: FinancialModel) -> None:
    codes = {c for y in model.years for c in model.income_by_customer[y]} - {"board", "other"}
    known = set(db.session.scalars(
        select(Organisation.ods_code).where(
            Organisation.kind == OrganisationKind.CCG, Organisation.ods_code.in_(codes)
        )
    ))
    problems = [
        (f"income_by_customer[{year}][{code}]", f"there is no CCG with ODS code {code}")
        for year in model.years
        for code in model.income_by_customer[year]
        if code in codes - known
    ]
    if problems:
        raise PlanInvalid(problems)


def _check_specifications_exist(model: FinancialModel) -> None:
    """Service lines are catalogue specifications, by code, or "other"."""
    lines = {s for y in model.years for s in model.income_by_service_line[y]} - {OTHER_LINE}
    known = set(db.session.scalars(
        select(ServiceSpecification.code).where(ServiceSpecification.code.in_(lines))))
    problems = [
        (f"income_by_service_line[{year}][{line}]",
         f"there is no catalogue specification with code {line}: use a specification's "
         "code, such as BI-DSS, or 'other'")
        for year in model.years
        for line in model.income_by_service_line[year]
        if line in lines - known
    ]
    if problems:
        raise PlanInvalid(problems)


# --- drafts and versions --------------------------------------------------------------------


def plans_for(organisation_id: int) -> list[BusinessPlan]:
    return list(db.session.scalars(
        select(BusinessPlan).where(BusinessPlan.organisation_id == organisation_id)
        .order_by(BusinessPlan.version.desc())
    ))


def draft_for(organisation_id: int) -> BusinessPlan | None:
    return db.session.scalar(select(BusinessPlan).where(
        BusinessPlan.organisation_id == organisation_id, BusinessPlan.status == PlanStatus.DRAFT
    ))


def previous_version(plan: BusinessPlan) -> BusinessPlan | None:
    return db.session.scalar(select(BusinessPlan).where(
        BusinessPlan.organisation_id == plan.organisation_id,
        BusinessPlan.version < plan.version,
    ).order_by(BusinessPlan.version.desc()).limit(1))


def with_previous_version(plan_id: int) -> tuple[BusinessPlan | None, BusinessPlan | None]:
    """A plan and its organisation's version before it (previous_version), in one query."""
    this = select(BusinessPlan.organisation_id, BusinessPlan.version).where(
        BusinessPlan.id == plan_id).subquery()
    found = list(db.session.scalars(
        select(BusinessPlan).join(this, BusinessPlan.organisation_id == this.c.organisation_id)
        .where(BusinessPlan.version <= this.c.version)
        .order_by(BusinessPlan.version.desc()).limit(2)))
    # (organisation, version) is unique: the first is the plan itself.
    if not found:
        return None, None
    return found[0], found[1] if len(found) > 1 else None


def _check_leader(actor: User, organisation_id: int) -> None:
    if not leader_of(actor, organisation_id):
        raise PermissionDenied("Only a leader of this CSS can change its business plans")


def _check_draft(plan: BusinessPlan) -> None:
    if plan.is_submitted:
        raise ServiceError(
            f"Version {plan.version} was submitted and cannot change; start a new version"
        )


@transactional
def start_version(actor: User, organisation: Organisation) -> BusinessPlan:
    """A new draft, copied from the latest version so a change starts from what was sent."""
    _check_leader(actor, organisation.id)
    if draft_for(organisation.id) is not None:
        raise ServiceError("There is already a draft plan; finish or submit that one first")
    latest = db.session.scalar(select(func.max(BusinessPlan.version)).where(
        BusinessPlan.organisation_id == organisation.id
    ))
    plan = BusinessPlan(organisation=organisation, version=(latest or 0) + 1,
                        status=PlanStatus.DRAFT, created_by=actor)
    source = plans_for(organisation.id)[0] if latest else None
    if source is not None:
        for key in NARRATIVE_SECTIONS:
            setattr(plan, key, getattr(source, key))
        plan.financial_model = source.financial_model
        plan.balanced_scorecard = source.balanced_scorecard
    plan_income.replace_for(plan)
    db.session.add(plan)
    on_conflict(BusinessPlan, ALREADY_STARTED)  # one version of each number per CSS
    record_event("business_plan.created", plan,
                 f"{organisation.name} started business plan version {plan.version}", actor=actor)
    return plan


@transactional
def update_narrative(actor: User, plan: BusinessPlan, narrative: dict[str, str],
                     scorecard: dict[str, str], *, lock_version: int | None = None) -> None:
    """lock_version: the plan's as the form showed it."""
    _check_leader(actor, plan.organisation_id)
    _check_draft(plan)
    check_version(plan, lock_version, STALE_PLAN)
    changed = [key for key in NARRATIVE_SECTIONS if getattr(plan, key) != narrative.get(key, "")]
    for key in NARRATIVE_SECTIONS:
        setattr(plan, key, narrative.get(key, ""))
    cleaned = {k: scorecard.get(k, "") for k in SCORECARD_PERSPECTIVES}
    plan.balanced_scorecard = cleaned if any(cleaned.values()) else None
    record_event("business_plan.updated", plan,
                 f"{actor.email} updated the narrative of plan version {plan.version}",
                 changes={"sections": changed}, actor=actor)


@transactional
def set_financial_model(actor: User, plan: BusinessPlan, raw: dict, *, source: str) -> None:
    """Validate, then save; an invalid model saves nothing (PlanInvalid names each field)."""
    _check_leader(actor, plan.organisation_id)
    _check_draft(plan)
    model = read_financial_model(raw)
    plan.financial_model = model_to_json(model) | _extras_json(raw, model.years)
    plan_income.replace_for(plan)
    record_event("business_plan.financial_model_saved", plan,
                 f"{actor.email} saved the financial model of plan version {plan.version} "
                 f"({source})", changes={"years": list(model.years)}, actor=actor)


def _extras_json(raw: dict, years: tuple[str, ...]) -> dict:
    """The optional figures the plan checks use beyond the template's tables: the PCT
    cluster baseline and any surplus the plan keeps."""
    from .plan_checks import ExtrasInvalid, read_extras

    try:
        baseline, retained = read_extras(raw, years)
    except ExtrasInvalid as error:
        raise PlanInvalid([(error.field, error.message)]) from None
    extras: dict = {}
    if baseline is not None:
        extras["pct_baseline"] = {"wte": str(baseline.wte), "pay": str(baseline.pay)}
    if retained:
        extras["retained_surplus"] = {year: str(amount) for year, amount in retained.items()}
    return extras


def check_complete(plan: BusinessPlan, *, needs_scorecard: bool) -> None:
    missing = [label for key, label in NARRATIVE_SECTIONS.items() if not getattr(plan, key)]
    if missing:
        raise ServiceError(f"Complete these sections before submitting: {', '.join(missing)}")
    if not plan.financial_model:
        raise ServiceError("Enter or upload the financial model before submitting")
    if needs_scorecard and not (plan.balanced_scorecard and all(
        plan.balanced_scorecard.get(key) for key in SCORECARD_PERSPECTIVES
    )):
        raise ServiceError("This checkpoint needs a balanced scorecard with all four perspectives")


def figure_tables(data: dict | None) -> list[tuple[str, list[str], list, bool]]:
    """(caption, years, [(row label, [value per year])], is_money) for display."""
    if not data:
        return []
    years = data["years"]

    def keyed(table):
        keys = list(dict.fromkeys(k for y in years for k in data[table].get(y, {})))
        return [(k.replace("_", " "), [data[table][y].get(k) for y in years]) for k in keys]

    spend = [(label, [data["expenditure"][y].get(part) for y in years])
             for part, label in (("pay", "Pay"), ("non_pay", "Non-pay"),
                                 ("overheads", "Overheads"))]
    return [
        ("Income by customer", years, keyed("income_by_customer"), True),
        ("Income by service line", years, keyed("income_by_service_line"), True),
        ("Expenditure", years, spend, True),
        ("Workforce", years, [("Whole-time equivalent staff", [data["wte"][y] for y in years])],
         False),
    ] + ([("Surplus kept", years, [("Surplus the plan keeps", [
        data["retained_surplus"].get(y) for y in years])], True)]
         if data.get("retained_surplus") else [])


# --- what changed between versions --------------------------------------------------------


@dataclass(frozen=True)
class Change:
    what: str
    before: str
    after: str


def _flatten(data: dict | None) -> dict[str, str]:
    flat: dict[str, str] = {}
    if not data:
        return flat
    baseline = data.get("pct_baseline") or {}
    for part, label in (("wte", "PCT cluster baseline, WTE"), ("pay", "PCT cluster baseline, pay")):
        if part in baseline:
            flat[label] = baseline[part]
    for table, label in TABLE_LABELS.items():
        if table in ("years", "pct_baseline"):
            continue
        for year, row in (data.get(table) or {}).items():
            if isinstance(row, dict):
                for key, value in row.items():
                    flat[f"{label}, {year}, {key.replace('_', ' ')}"] = value
            else:
                flat[f"{label}, {year}"] = row
    return flat


def differences(old: BusinessPlan, new: BusinessPlan) -> list[Change]:
    changes = [
        Change(label, getattr(old, key), getattr(new, key))
        for key, label in NARRATIVE_SECTIONS.items()
        if getattr(old, key) != getattr(new, key)
    ]
    for key, label in SCORECARD_PERSPECTIVES.items():
        before = (old.balanced_scorecard or {}).get(key, "")
        after = (new.balanced_scorecard or {}).get(key, "")
        if before != after:
            changes.append(Change(f"Balanced scorecard: {label}", before, after))
    before, after = _flatten(old.financial_model), _flatten(new.financial_model)
    for what in sorted(set(before) | set(after)):
        if before.get(what) != after.get(what):
            changes.append(Change(what, before.get(what, "–"), after.get(what, "–")))
    return changes
