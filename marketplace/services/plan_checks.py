"""The plan checks as the BDU runs them: thresholds kept as data, and the facts a plan is
checked against (allowances, what CCGs intend to buy and have agreed) read from the records.

The checks themselves are pure (marketplace/domain/plan_checks.py); this module gathers their
inputs and keeps the thresholds, each change audited.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select

from marketplace.domain.business_plan import NON_CCG_CUSTOMERS, FinancialModel
from marketplace.domain.checkpoints import gateway_rank
from marketplace.domain.money import ZERO, MoneyError, to_decimal, to_quantity
from marketplace.domain.plan_checks import (
    HOSTING_GROUP,
    SPECS_BY_KEY,
    THRESHOLD_SPECS,
    Backing,
    PlanCheckResult,
    PlanInputs,
    Thresholds,
    ThresholdSpec,
    WorkforceBaseline,
    check_plan,
)
from marketplace.extensions import db
from marketplace.models import (
    PROVIDER_KINDS,
    Agreement,
    AgreementLine,
    AgreementStatus,
    FinancialYearAllowance,
    IntendedMode,
    Organisation,
    OrganisationKind,
    PartyStatus,
    PlanCheckThreshold,
    Role,
    ServiceSpecification,
    Statement,
    StatementLine,
    StatementParty,
    StatementStatus,
    User,
)

from .audit import record_event
from .buying_common import FieldErrors
from .errors import PermissionDenied
from .transaction import transactional

KEEPERS = (Role.BDU_REVIEWER, Role.ADMIN)


# --- the thresholds ------------------------------------------------------------------------


def stored_values() -> dict[str, str]:
    return {key: value for key, value in db.session.execute(
        select(PlanCheckThreshold.key, PlanCheckThreshold.value))}


def thresholds_in_force() -> Thresholds:
    """The values the BDU keeps; a key with no row keeps its default."""
    return Thresholds.from_values(stored_values())


@dataclass(frozen=True)
class ThresholdRow:
    spec: ThresholdSpec
    value: str
    updated_at: datetime | None
    updated_by: User | None


def threshold_rows() -> list[ThresholdRow]:
    rows = {row.key: row for row in db.session.scalars(select(PlanCheckThreshold))}
    in_force = thresholds_in_force().values()
    return [ThresholdRow(spec, in_force[spec.key],
                         rows[spec.key].updated_at if spec.key in rows else None,
                         rows[spec.key].updated_by if spec.key in rows else None)
            for spec in THRESHOLD_SPECS]


def _checked(values: Mapping[str, str]) -> dict[str, str]:
    errors, read = [], {}
    for spec in THRESHOLD_SPECS:
        try:
            read[spec.key] = spec.read(values.get(spec.key, ""))
        except ValueError as error:
            errors.append((spec.key, str(error)))
    if not errors:
        if read["cost_per_wte_min"] > read["cost_per_wte_max"]:
            errors.append(("cost_per_wte_max", "Enter a highest pay per WTE at or above the "
                                               "lowest"))
        if gateway_rank(read["host_if_all_at_least"]) >= gateway_rank(
                read["do_not_host_if_any_at"]):
            errors.append(("do_not_host_if_any_at", "Choose a rating worse than the one for "
                                                    "hosting without conditions"))
    if errors:
        raise FieldErrors(errors)
    return {key: str(value) for key, value in read.items()}


def _same(key: str, stored: str, value: str) -> bool:
    spec = SPECS_BY_KEY[key]
    try:
        return spec.read(stored) == spec.read(value)
    except ValueError:
        return False


@transactional
def update_thresholds(actor: User, values: Mapping[str, str]) -> list[str]:
    """Save every threshold at once; answers the keys that changed."""
    if actor.role not in KEEPERS:
        raise PermissionDenied("Only the BDU keeps the plan check thresholds")
    checked = _checked(values)
    rows = {row.key: row for row in db.session.scalars(select(PlanCheckThreshold))}
    changes, changed_rows = {}, []
    for key, value in checked.items():
        row = rows.get(key)
        if row is None:
            row = PlanCheckThreshold(key=key, value=value, updated_by=actor)
            db.session.add(row)
            changes[key] = [None, value]
        elif not _same(key, row.value, value):  # "40" for "40.0" is no change
            changes[key] = [row.value, value]
            row.value, row.updated_by = value, actor
        else:
            continue
        changed_rows.append(row)
    if changes:
        hosting = {spec.key for spec in THRESHOLD_SPECS if spec.group == HOSTING_GROUP}
        what = "the Checkpoint 3 hosting policy" if set(changes) <= hosting else \
            "the business plan check thresholds"
        # One event for the whole save, filed under its first changed value.
        record_event("plan_check_thresholds.updated", changed_rows[0],
                     f"{actor.full_name} changed {what}", changes=changes, actor=actor)
    return list(changes)


# --- what a plan is checked against --------------------------------------------------------


def allowances_per_head() -> dict[str, Decimal]:
    return {year: amount for year, amount in db.session.execute(
        select(FinancialYearAllowance.financial_year, FinancialYearAllowance.allowance_per_head))}


def _year_bounds(year: str) -> tuple[date, date]:
    start = int(year[:4])
    return date(start, 4, 1), date(start + 1, 3, 31)


def _share_of_year(start: date, end: date, year: str) -> Decimal:
    first, last = _year_bounds(year)
    overlap = (min(end, last) - max(start, first)).days + 1
    if overlap <= 0:
        return ZERO
    return Decimal(overlap) / Decimal((last - first).days + 1)


def backing_for(provider_id: int, years: tuple[str, ...], ccg_codes: Iterable[str],
                names: dict[str, str] | None = None) -> dict[tuple[str, str], Backing]:
    """Per (CCG ODS code, specification code), for these CCGs: the CCG's stated intention
    to buy it (buy lines in statements not withdrawn, with their budgets) and the value of
    its signed agreements with this provider falling in each plan year. Asked for the
    plan's own CCGs only: every buy line in the country is thousands of rows. ``names``:
    filled with the ODS code -> name of each CCG the rows name (as ccg_names gives them),
    read with the rows."""
    ccg_codes = sorted(ccg_codes)
    named = names if names is not None else {}
    intended: dict[tuple[str, str], list[Decimal | None]] = {}
    for ccg, name, kind, spec, budget in db.session.execute(
        select(Organisation.ods_code, Organisation.name, Organisation.kind,
               ServiceSpecification.code, StatementLine.budget_annual)
        .join(StatementLine, StatementLine.ccg_id == Organisation.id)
        .join(ServiceSpecification, ServiceSpecification.id == StatementLine.specification_id)
        .join(Statement, StatementLine.statement_id == Statement.id)
        .join(StatementParty, (StatementParty.statement_id == Statement.id)
              & (StatementParty.ccg_id == StatementLine.ccg_id))
        .where(StatementLine.mode == IntendedMode.BUY,
               Statement.status != StatementStatus.WITHDRAWN,
               StatementParty.status != PartyStatus.DECLINED,
               Organisation.ods_code.in_(ccg_codes))
    ):
        intended.setdefault((ccg, spec), []).append(budget)
        if kind == OrganisationKind.CCG:
            named[ccg] = name
    agreed: dict[tuple[str, str], dict[str, Decimal]] = {}
    for ccg, name, kind, spec, cost, start, end in db.session.execute(
        select(Organisation.ods_code, Organisation.name, Organisation.kind,
               ServiceSpecification.code, AgreementLine.annual_cost,
               Agreement.start_date, Agreement.end_date)
        .join(Agreement, Agreement.ccg_id == Organisation.id)
        .join(AgreementLine, AgreementLine.agreement_id == Agreement.id)
        .join(ServiceSpecification, ServiceSpecification.id == AgreementLine.specification_id)
        .where(Agreement.provider_id == provider_id,
               Agreement.status.in_([AgreementStatus.SIGNED, AgreementStatus.FINAL]),
               Organisation.ods_code.in_(ccg_codes))
    ):
        if kind == OrganisationKind.CCG:
            named[ccg] = name
        by_year = agreed.setdefault((ccg, spec), {})
        for year in years:
            value = (cost * _share_of_year(start, end, year)).quantize(
                Decimal("0.01"), rounding=ROUND_HALF_UP)
            by_year[year] = by_year.get(year, ZERO) + value
    backing = {}
    for key in set(intended) | set(agreed):
        budgets = intended.get(key, [])
        # One buy line without a budget leaves the intention without an amount.
        amount = ZERO if any(b is None for b in budgets) else sum(budgets, ZERO)
        backing[key] = Backing(bool(budgets), amount, agreed.get(key, {}))
    return backing


def specifications() -> dict[str, str]:
    """Code -> name of every specification in the catalogue."""
    return {code: name for code, name in db.session.execute(
        select(ServiceSpecification.code, ServiceSpecification.name))}


class ExtrasInvalid(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field, self.message = field, message


def read_extras(data: Mapping, years: tuple[str, ...]) -> tuple[WorkforceBaseline | None,
                                                                 dict[str, Decimal]]:
    """The optional parts of a financial model beyond the template's tables: the PCT cluster
    baseline ({"wte", "pay"}) and the surpluses the plan keeps ({year: amount})."""
    baseline = None
    raw = data.get("pct_baseline")
    if raw is not None:
        if not isinstance(raw, Mapping):
            raise ExtrasInvalid("pct_baseline", "must be an object with wte and pay")
        try:
            wte = to_quantity(raw.get("wte"))
        except MoneyError:
            raise ExtrasInvalid("pct_baseline[wte]", "must be a number") from None
        try:
            pay = to_decimal(raw.get("pay"))
        except MoneyError:
            raise ExtrasInvalid("pct_baseline[pay]", "must be an amount in pounds") from None
        for field, value in (("wte", wte), ("pay", pay)):
            if value < 0:
                raise ExtrasInvalid(f"pct_baseline[{field}]", "must not be negative")
        baseline = WorkforceBaseline(wte, pay)
    retained: dict[str, Decimal] = {}
    raw = data.get("retained_surplus")
    if raw is not None:
        if not isinstance(raw, Mapping):
            raise ExtrasInvalid("retained_surplus", "must be an object of year: amount")
        for year, amount in raw.items():
            if year not in years:
                raise ExtrasInvalid(f"retained_surplus[{year}]", "not a year of this plan")
            try:
                retained[year] = to_decimal(amount)
            except MoneyError:
                raise ExtrasInvalid(f"retained_surplus[{year}]",
                                    "must be an amount in pounds") from None
    return baseline, retained


def inputs_for(model: FinancialModel, provider_id: int | None,
               extras: Mapping | None = None) -> PlanInputs:
    """Everything the checks need; provider_id None: a CSS not known here, so only its
    CCGs' stated intentions (not agreements with anyone else) stand behind its income."""
    baseline, retained = read_extras(extras or {}, model.years)
    ccgs = {c for y in model.years for c in model.income_by_customer[y]} - NON_CCG_CUSTOMERS
    # The CCGs' names come with their backing rows; only those with none are asked for.
    names: dict[str, str] = {}
    backing = backing_for(provider_id if provider_id is not None else -1, model.years, ccgs,
                          names)
    unnamed = (ccgs | {ccg for ccg, _spec in backing}) - names.keys()
    if unnamed:
        names.update(ccg_names(unnamed))
    return PlanInputs(model, allowances_per_head(), backing, baseline, retained,
                      specifications(), names)


def ccg_names(codes) -> dict[str, str]:
    """ODS code -> name of these CCGs."""
    return {code: name for code, name in db.session.execute(
        select(Organisation.ods_code, Organisation.name).where(
            Organisation.kind == OrganisationKind.CCG, Organisation.ods_code.in_(sorted(codes))))}


def is_provider(organisation_id: int) -> bool:
    organisation = db.session.get(Organisation, organisation_id)
    return organisation is not None and organisation.kind in PROVIDER_KINDS


def check_financial_model(raw: Mapping, provider_id: int | None) -> PlanCheckResult:
    """The checks on a model not yet saved (a draft, or the API's body), against the
    thresholds in force; PlanInvalid lists every problem with its field."""
    from .business_plans import PlanInvalid, read_financial_model

    model = read_financial_model(dict(raw))
    try:
        inputs = inputs_for(model, provider_id, raw)
    except ExtrasInvalid as error:
        raise PlanInvalid([(error.field, error.message)]) from None
    return check_plan(inputs, thresholds_in_force())
