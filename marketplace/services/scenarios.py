"""A CCG's ready reckoner scenarios: create, copy, update, finalise and delete, each in one
transaction with its audit event; and the figures a saved scenario comes to."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal

from flask import current_app
from sqlalchemy import inspect, select
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from marketplace.domain import pricing
from marketplace.domain.inputs import (
    MAX_AMOUNT,
    UNKNOWN_YEAR,
    allowance_problem,
    money_problem,
    population_problem,
    quantity_problem,
    text_problem,
)
from marketplace.domain.money import ZERO, format_money
from marketplace.domain.reckoner import (
    DEFAULT_FIXED_COSTS,
    FIXED_COST_LINES,
    MAX_LINES,
    FixedCost,
    InHouseRole,
    ReckonerInputs,
    Thresholds,
    commissioning_support_budget,
)
from marketplace.domain.sourcing import (
    BUY,
    DO,
    SHARE,
    SPLIT_METHODS,
    BuyLine,
    DoLine,
    MultiYearScenario,
    ShareLine,
    SourcingError,
    YearResult,
    compute_multi_year,
    line_cost,
)
from marketplace.extensions import db
from marketplace.models import (
    FinancialYearAllowance,
    Offer,
    Organisation,
    OrganisationKind,
    Scenario,
    ScenarioFixedCost,
    ScenarioInHouseRole,
    ScenarioLine,
    ScenarioStatus,
    StatementLine,
    User,
)
from marketplace.models.base import utcnow
from marketplace.models.scenario import scenario_line_partner
from marketplace.policies import require

from .audit import record_event
from .errors import Conflict, ServiceError
from .transaction import check_version, transactional

ONLY_OWN_USERS = "Only the CCG's own users can change its scenarios"

MODE_LABELS = {DO: "Do in-house", SHARE: "Share with other CCGs", BUY: "Buy"}
SPLIT_METHOD_LABELS = {"population": "By registered population", "equal": "Equally"}
STALE_SCENARIO = (
    "Someone else saved this scenario after you opened it, so your changes were not saved. "
    "They are shown below: check them against the scenario as it is now and save again."
)


# --- what a form or API hands the service ---------------------------------------------------


@dataclass(frozen=True)
class FixedCostInput:
    name: str
    amount: Decimal


@dataclass(frozen=True)
class InHouseInput:
    role: str
    wte: Decimal
    cost_per_wte: Decimal


@dataclass(frozen=True)
class LineInput:
    service: str
    mode: str
    wte: Decimal | None = None
    cost_per_wte: Decimal | None = None
    non_pay: Decimal | None = None
    pricing_model: str | None = None
    price: Decimal | None = None
    estimated_quantity: Decimal | None = None
    manual_amount: Decimal | None = None
    offer_id: int | None = None
    shared_total: Decimal | None = None
    split_method: str | None = None
    partner_ids: tuple[int, ...] = ()
    # A person names partner CCGs by ODS code; copies and the API name them by id.
    partner_ods_codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ScenarioInput:
    name: str
    population: int
    financial_year: str
    allowance_per_head_override: Decimal | None = None
    fixed_costs: tuple[FixedCostInput, ...] = ()
    in_house: tuple[InHouseInput, ...] = ()
    in_house_non_pay: Decimal = ZERO
    lines: tuple[LineInput, ...] = ()
    # Which form row each item came from ("lines" → (0, 2, ...)), when blank rows were left
    # out, so that an error is put next to the right field.
    rows: Mapping[str, tuple[int, ...]] = field(default_factory=dict, compare=False)

    def row(self, kind: str, index: int) -> int:
        rows = self.rows.get(kind)
        return rows[index] if rows else index


def default_fixed_costs() -> tuple[FixedCostInput, ...]:
    """The worked example's corporate structure, named as a person would read it."""
    return tuple(
        FixedCostInput(FIXED_COST_LINES.get(cost.name, cost.name), cost.amount)
        for cost in DEFAULT_FIXED_COSTS
    )


# --- reference data -------------------------------------------------------------------------


def reckoner_thresholds() -> Thresholds:
    """The warning thresholds, from configuration (RECKONER_BENCHMARK_PER_HEAD and
    RECKONER_OVERHEADS_SHARE) so the BDU can change them without a release."""
    config = current_app.config
    return Thresholds(
        benchmark_per_head=Decimal(str(config["RECKONER_BENCHMARK_PER_HEAD"])),
        overheads_share=Decimal(str(config["RECKONER_OVERHEADS_SHARE"])),
    )


def allowances() -> dict[str, Decimal]:
    """Financial year → allowance per head, in year order."""
    rows = db.session.scalars(
        select(FinancialYearAllowance).order_by(FinancialYearAllowance.financial_year)
    )
    return {row.financial_year: row.allowance_per_head for row in rows}


def allowance_rows() -> list[FinancialYearAllowance]:
    return list(db.session.scalars(
        select(FinancialYearAllowance).order_by(FinancialYearAllowance.financial_year)
    ))


@transactional
def update_allowance(actor: User, allowance: FinancialYearAllowance, amount: Decimal) -> None:
    _refuse_if(allowance_problem(amount), "allowance_per_head")
    old = allowance.allowance_per_head
    if old == amount:
        return
    allowance.allowance_per_head = amount
    record_event(
        "allowance.updated",
        allowance,
        f"{actor.email} set the {allowance.financial_year} allowance to "
        f"{format_money(amount)} per head (was {format_money(old)})",
        changes={"allowance_per_head": [old, amount]},
        actor=actor,
    )


# --- checking input -------------------------------------------------------------------------


# The rules and their words are the domain's (domain/inputs.py), shared with the forms and
# the JSON API; here each refusal names the form's field.


def _refuse_if(problem: str | None, field_name: str) -> None:
    if problem:
        raise ServiceError(problem, field=field_name)


def _check_money(value, field_name: str, maximum: Decimal = MAX_AMOUNT) -> None:
    _refuse_if(money_problem(value, maximum), field_name)


def _check_wte(value, field_name: str) -> None:
    _refuse_if(quantity_problem(value), field_name)


def _check_text(value: str, field_name: str, what: str, limit: int) -> None:
    _refuse_if(text_problem(value, what, limit), field_name)


def _partners(line: LineInput, row: int, organisation: Organisation) -> list[Organisation]:
    partners = []
    for code in line.partner_ods_codes:
        partner = ccg_by_ods_code(code)
        if partner is None:
            raise ServiceError(f"No CCG has the ODS code {code}", field=f"lines-{row}-partners")
        partners.append(partner)
    for partner_id in line.partner_ids:
        partner = db.session.get(Organisation, partner_id)
        if partner is None or partner.kind != OrganisationKind.CCG or not partner.population:
            raise ServiceError("Every partner must be a CCG", field=f"lines-{row}-partners")
        partners.append(partner)
    unique = {partner.id for partner in partners}
    if len(unique) != len(partners):
        raise ServiceError("Name each partner CCG once", field=f"lines-{row}-partners")
    for partner in partners:
        if partner.id == organisation.id:
            raise ServiceError(
                "Leave your own CCG out of the partners: it is always included",
                field=f"lines-{row}-partners",
            )
    if not partners:
        raise ServiceError("Name at least one partner CCG", field=f"lines-{row}-partners")
    return partners


def _check_line(line: LineInput, row: int, population: int) -> None:
    prefix = f"lines-{row}-"
    _check_text(line.service, prefix + "service", "the service", 200)
    if line.mode == DO:
        _check_wte(line.wte, prefix + "wte")
        _check_money(line.cost_per_wte, prefix + "cost_per_wte")
        _check_money(line.non_pay if line.non_pay is not None else ZERO, prefix + "non_pay")
    elif line.mode == BUY:
        if line.manual_amount is not None:
            _check_money(line.manual_amount, prefix + "manual_amount")
        elif line.pricing_model is None or line.price is None:
            raise ServiceError(
                "Choose a pricing model and enter a price, or enter an amount a year",
                field=prefix + "manual_amount",
            )
        else:
            _check_money(line.price, prefix + "price")
            try:
                pricing.validate_offer_terms(
                    line.pricing_model, line.price, line.estimated_quantity, population=population
                )
            except pricing.PricingError as error:
                name = {"amount": "price", "population": "price"}.get(error.field, error.field)
                raise ServiceError(error.message, field=prefix + name) from None
    elif line.mode == SHARE:
        _check_money(line.shared_total, prefix + "shared_total")
        if line.split_method not in SPLIT_METHODS:
            raise ServiceError("Choose how the cost is split", field=prefix + "split_method")
    else:
        raise ServiceError("Choose do, buy or share", field=prefix + "mode")


def _check(data: ScenarioInput, organisation: Organisation) -> dict[int, list[Organisation]]:
    """Refuse bad input before anything is written; returns each share line's partners."""
    _check_text(data.name, "name", "a name for the scenario", 200)
    _refuse_if(population_problem(data.population), "population")
    if data.financial_year not in allowances():
        raise ServiceError(UNKNOWN_YEAR, field="financial_year")
    if data.allowance_per_head_override is not None:
        _refuse_if(allowance_problem(data.allowance_per_head_override),
                   "allowance_per_head_override")
    for kind, items in (("fixed_costs", data.fixed_costs), ("in_house", data.in_house),
                        ("lines", data.lines)):
        if len(items) > MAX_LINES:
            raise ServiceError(f"Give at most {MAX_LINES} lines", field=kind)
    for index, cost in enumerate(data.fixed_costs):
        row = data.row("fixed_costs", index)
        _check_text(cost.name, f"fixed_costs-{row}-name", "what the cost is for", 100)
        _check_money(cost.amount, f"fixed_costs-{row}-amount")
    for index, role in enumerate(data.in_house):
        row = data.row("in_house", index)
        _check_text(role.role, f"in_house-{row}-role", "the role", 100)
        _check_wte(role.wte, f"in_house-{row}-wte")
        _check_money(role.cost_per_wte, f"in_house-{row}-cost_per_wte")
    _check_money(data.in_house_non_pay, "in_house_non_pay")

    seen: set[str] = set()
    partners: dict[int, list[Organisation]] = {}
    for index, line in enumerate(data.lines):
        row = data.row("lines", index)
        _check_line(line, row, data.population)
        key = line.service.strip().lower()
        if key in seen:
            raise ServiceError("Give each service one line", field=f"lines-{row}-service")
        seen.add(key)
        if line.mode == SHARE:
            partners[index] = _partners(line, row, organisation)
    return partners


# --- writing --------------------------------------------------------------------------------


def _write(scenario: Scenario, data: ScenarioInput, partners: Mapping[int, list]) -> None:
    # Every save moves the lock on, even one that changes only lines (rows of their own).
    scenario.updated_at = utcnow()
    scenario.name = data.name.strip()
    scenario.population = data.population
    scenario.financial_year = data.financial_year
    scenario.allowance_per_head_override = data.allowance_per_head_override
    scenario.in_house_non_pay = data.in_house_non_pay
    scenario.fixed_costs = [
        ScenarioFixedCost(position=i, name=cost.name.strip(), amount=cost.amount)
        for i, cost in enumerate(data.fixed_costs)
    ]
    scenario.in_house_roles = [
        ScenarioInHouseRole(position=i, role=r.role.strip(), wte=r.wte, cost_per_wte=r.cost_per_wte)
        for i, r in enumerate(data.in_house)
    ]
    lines = []
    for i, line in enumerate(data.lines):
        row = ScenarioLine(position=i, service=line.service.strip(), mode=line.mode)
        if line.mode == DO:
            row.wte, row.cost_per_wte = line.wte, line.cost_per_wte
            row.non_pay = line.non_pay if line.non_pay is not None else ZERO
        elif line.mode == BUY:
            row.offer_id = line.offer_id
            if line.manual_amount is not None:
                row.manual_amount = line.manual_amount
            else:
                row.pricing_model, row.price = line.pricing_model, line.price
                if line.pricing_model in pricing.QUANTITY_UNITS:
                    row.estimated_quantity = line.estimated_quantity
        else:
            row.shared_total, row.split_method = line.shared_total, line.split_method
            row.partners = list(partners[i])
        lines.append(row)
    scenario.lines = lines


def _summary(data: ScenarioInput) -> dict:
    return {
        "name": data.name,
        "population": data.population,
        "financial_year": data.financial_year,
        "allowance_per_head_override": data.allowance_per_head_override,
        "fixed_costs": len(data.fixed_costs),
        "in_house_roles": len(data.in_house),
        "lines": len(data.lines),
    }


@transactional
def create_scenario(actor: User, data: ScenarioInput) -> Scenario:
    organisation = actor.organisation
    require(actor, "act_for_ccg", organisation, ONLY_OWN_USERS)
    partners = _check(data, organisation)
    scenario = Scenario(
        organisation=organisation, created_by=actor, status=ScenarioStatus.DRAFT,
        name=data.name, population=data.population, financial_year=data.financial_year,
    )
    _write(scenario, data, partners)
    db.session.add(scenario)
    record_event("scenario.created", scenario, f"{actor.email} created scenario "
                 f"“{scenario.name}”", changes=_summary(data), actor=actor)
    return scenario


@transactional
def update_scenario(actor: User, scenario: Scenario, data: ScenarioInput, *,
                    lock_version: int | None = None) -> Scenario:
    """lock_version: the scenario's as the form showed it."""
    require(actor, "act_for_ccg", scenario.organisation, ONLY_OWN_USERS)
    check_version(scenario, lock_version, STALE_SCENARIO)
    if not scenario.is_draft:
        raise Conflict("A final scenario cannot be changed. Copy it to make a new draft.")
    partners = _check(data, scenario.organisation)
    _write(scenario, data, partners)
    record_event("scenario.updated", scenario, f"{actor.email} updated scenario "
                 f"“{scenario.name}”", changes=_summary(data), actor=actor)
    return scenario


@transactional
def price_line_from_offer(actor: User, scenario: Scenario, offer: Offer) -> Scenario:
    """Buy a service from a marketplace offer: the line for the offer's specification is
    priced from the offer (added, or replacing the line for that service)."""
    require(actor, "act_for_ccg", scenario.organisation, ONLY_OWN_USERS)
    if not scenario.is_draft:
        raise Conflict("A final scenario cannot be changed. Copy it to make a new draft.")
    if offer is None or not offer.is_published:
        raise ServiceError("Choose an offer from a published prospectus", field="offer_id")
    data = input_from(scenario)
    service = offer.specification.name
    line = LineInput(
        service=service, mode=BUY, pricing_model=offer.pricing_model, price=offer.price,
        estimated_quantity=offer.estimated_quantity, offer_id=offer.id,
    )
    lines = list(data.lines)
    same = [i for i, old in enumerate(lines) if old.service.strip().lower() == service.lower()]
    if same:
        lines[same[0]] = line
    else:
        lines.append(line)
    data = replace(data, lines=tuple(lines))
    partners = _check(data, scenario.organisation)
    _write(scenario, data, partners)
    record_event(
        "scenario.offer_priced", scenario,
        f"{actor.email} priced “{service}” in scenario “{scenario.name}” from offer {offer.id} "
        f"of {offer.organisation.name}",
        changes={"offer_id": offer.id, "service": service, "replaced": bool(same)}, actor=actor,
    )
    return scenario


@transactional
def copy_scenario(actor: User, scenario: Scenario) -> Scenario:
    require(actor, "act_for_ccg", scenario.organisation, ONLY_OWN_USERS)
    data = input_from(scenario)
    copy_name = f"Copy of {scenario.name}"[:200]
    copy = Scenario(
        organisation=scenario.organisation, created_by=actor, status=ScenarioStatus.DRAFT,
        name=copy_name, population=scenario.population, financial_year=scenario.financial_year,
    )
    partners = {i: list(line.partners) for i, line in enumerate(scenario.lines)
                if line.mode == SHARE}
    _write(copy, data, partners)
    copy.name = copy_name
    db.session.add(copy)
    db.session.flush()
    record_event("scenario.copied", copy, f"{actor.email} copied scenario {scenario.id} "
                 f"“{scenario.name}” as {copy.id}", changes={"copied_from": scenario.id},
                 actor=actor)
    return copy


@transactional
def finalise_scenario(actor: User, scenario: Scenario) -> Scenario:
    require(actor, "act_for_ccg", scenario.organisation, ONLY_OWN_USERS)
    if not scenario.is_draft:
        raise Conflict("This scenario is already final")
    scenario.status = ScenarioStatus.FINAL
    # The figures it was finalised with stay its figures (outcome reads these back).
    thresholds = reckoner_thresholds()
    scenario.final_figures = {
        "allowances": {year: str(amount) for year, amount in allowances().items()},
        "benchmark_per_head": str(thresholds.benchmark_per_head),
        "overheads_share": str(thresholds.overheads_share),
    }
    record_event("scenario.finalised", scenario, f"{actor.email} marked scenario "
                 f"“{scenario.name}” as final", changes={"status": ["draft", "final"]},
                 actor=actor)
    return scenario


@transactional
def delete_scenario(actor: User, scenario: Scenario) -> None:
    require(actor, "act_for_ccg", scenario.organisation, ONLY_OWN_USERS)
    if not scenario.is_draft:
        raise Conflict("Only a draft scenario can be deleted")
    record_event("scenario.deleted", scenario, f"{actor.email} deleted draft scenario "
                 f"“{scenario.name}”", changes={"name": scenario.name}, actor=actor)
    db.session.delete(scenario)


# --- reading --------------------------------------------------------------------------------


def scenarios_for(organisation_id: int | None) -> list[Scenario]:
    """One CCG's scenarios, or every CCG's (for reviewers) when organisation_id is None."""
    statement = select(Scenario).order_by(Scenario.updated_at.desc(), Scenario.id.desc())
    if organisation_id is not None:
        statement = statement.where(Scenario.organisation_id == organisation_id)
    return list(db.session.scalars(statement))


def input_from(scenario: Scenario) -> ScenarioInput:
    """A saved scenario as the input that would save it again (for copies and forms)."""
    return ScenarioInput(
        name=scenario.name,
        population=scenario.population,
        financial_year=scenario.financial_year,
        allowance_per_head_override=scenario.allowance_per_head_override,
        fixed_costs=tuple(FixedCostInput(c.name, c.amount) for c in scenario.fixed_costs),
        in_house=tuple(
            InHouseInput(r.role, r.wte, r.cost_per_wte) for r in scenario.in_house_roles
        ),
        in_house_non_pay=scenario.in_house_non_pay,
        lines=tuple(
            LineInput(
                service=line.service, mode=line.mode, wte=line.wte,
                cost_per_wte=line.cost_per_wte, non_pay=line.non_pay,
                pricing_model=line.pricing_model, price=line.price,
                estimated_quantity=line.estimated_quantity, manual_amount=line.manual_amount,
                offer_id=line.offer_id, shared_total=line.shared_total,
                split_method=line.split_method,
                partner_ids=tuple(p.id for p in line.partners),
            )
            for line in scenario.lines
        ),
    )


@dataclass(frozen=True)
class ScenarioOutcome:
    """The figures for a saved scenario: its own year first, then every year we hold."""

    scenario: Scenario
    allowances: dict[str, Decimal]
    years: tuple[YearResult, ...]

    @property
    def headline(self) -> YearResult:
        for year in self.years:
            if year.financial_year == self.scenario.financial_year:
                return year
        return self.years[0]


def _domain_line(line: ScenarioLine, ccg_key: str, population: int):
    if line.mode == DO:
        return DoLine(line.service, line.wte, line.cost_per_wte, line.non_pay or ZERO)
    if line.mode == BUY:
        return BuyLine(line.service, line.pricing_model, line.price, line.estimated_quantity,
                       line.manual_amount, line.offer_id)
    partners = ((ccg_key, population),) + tuple(
        (str(partner.id), partner.population) for partner in line.partners
    )
    return ShareLine(line.service, line.shared_total, partners, line.split_method or "population")


def line_annual_cost(line: ScenarioLine) -> Decimal:
    """What one saved scenario line costs its CCG a year: the figure a statement line takes
    as its budget when the CCG says so."""
    scenario = line.scenario
    ccg_key = str(scenario.organisation_id)
    try:
        return line_cost(_domain_line(line, ccg_key, scenario.population), ccg_key,
                         scenario.population)
    except SourcingError as error:
        raise ServiceError(error.message, field="scenario_line_id") from error


def _figures_in_force(
    scenario: Scenario, current: dict[str, Decimal] | None = None
) -> tuple[dict[str, Decimal], Thresholds]:
    """A final scenario's allowances and thresholds as they were when it was finalised; a
    draft's, as they are now (``current``: the allowances already read, when given)."""
    stored = scenario.final_figures
    if scenario.is_draft or not stored:
        return (allowances() if current is None else dict(current)), reckoner_thresholds()
    return (
        {year: Decimal(amount) for year, amount in sorted(stored["allowances"].items())},
        Thresholds(benchmark_per_head=Decimal(stored["benchmark_per_head"]),
                   overheads_share=Decimal(stored["overheads_share"])),
    )


def with_outcome_read(scenario_id: int) -> Scenario | None:
    """The scenario with everything its page shows and its outcome reads, in four queries
    (the scenario with its CCG and fixed costs, then its in-house roles, its lines and their
    partners) instead of one lazy load each as the page reaches them."""
    return db.session.get(Scenario, scenario_id, options=[
        joinedload(Scenario.organisation),
        joinedload(Scenario.fixed_costs),  # one collection joined: no row multiplied
        selectinload(Scenario.in_house_roles),
        selectinload(Scenario.lines).selectinload(ScenarioLine.partners),
    ])


def _load_partners(lines: list[ScenarioLine]) -> None:
    """The partners of every shared line in one query, instead of one per line."""
    waiting = [line for line in lines
               if line.mode == "share" and line.id is not None
               and "partners" in inspect(line).unloaded]
    if len(waiting) < 2:  # one line's own lazy load is as cheap
        return
    partners: dict[int, list[Organisation]] = {line.id: [] for line in waiting}
    for line_id, partner in db.session.execute(
        select(scenario_line_partner.c.line_id, Organisation)
        .join(Organisation, Organisation.id == scenario_line_partner.c.organisation_id)
        .where(scenario_line_partner.c.line_id.in_(list(partners)))
        .order_by(Organisation.name)  # as ScenarioLine.partners orders them
    ):
        partners[line_id].append(partner)
    for line in waiting:
        set_committed_value(line, "partners", partners[line.id])


def statement_lines_used(scenario: Scenario) -> dict[str, StatementLine]:
    """{service: the statement line whose budget was taken from that scenario line}, with
    their statements and specifications, in one query for all the lines."""
    by_line = {
        line.scenario_line_id: line
        for line in db.session.scalars(
            select(StatementLine)
            .where(StatementLine.scenario_line_id.in_([line.id for line in scenario.lines]))
            .options(joinedload(StatementLine.statement), joinedload(StatementLine.specification))
        )
    }
    return {line.service: by_line[line.id] for line in scenario.lines if line.id in by_line}


def _allowances_in_force(
    scenario: Scenario, current: dict[str, Decimal] | None = None
) -> tuple[dict[str, Decimal], Thresholds]:
    """The allowance per head for each year the scenario's outcome covers (its own override
    in every year when it has one), and the thresholds it is read against."""
    yearly, thresholds = _figures_in_force(scenario, current)
    if scenario.allowance_per_head_override is not None:
        yearly = {year: scenario.allowance_per_head_override for year in yearly}
    return yearly, thresholds


def _fixed_costs(scenario: Scenario) -> tuple[FixedCost, ...]:
    return tuple(FixedCost(c.name, c.amount) for c in scenario.fixed_costs)


def _in_house(scenario: Scenario) -> tuple[InHouseRole, ...]:
    return tuple(InHouseRole(r.role, r.wte, r.cost_per_wte) for r in scenario.in_house_roles)


def headroom_by_year(
    scenario: Scenario, current: dict[str, Decimal] | None = None
) -> dict[str, Decimal]:
    """Year → the commissioning support budget ``outcome(scenario, current)`` shows for it
    (each year's ``reckoner.commissioning_support_budget``). It depends on the population,
    the allowances, the fixed and the in-house costs only, so the scenario's lines and
    their partners are neither read nor worked out."""
    yearly, _thresholds = _allowances_in_force(scenario, current)
    fixed_costs, in_house = _fixed_costs(scenario), _in_house(scenario)
    return {
        year: commissioning_support_budget(ReckonerInputs(
            population=scenario.population, allowance_per_head=allowance,
            fixed_costs=fixed_costs, in_house=in_house, non_pay=scenario.in_house_non_pay,
            financial_year=year,
        ))
        for year, allowance in yearly.items()
    }


def outcome(scenario: Scenario, current: dict[str, Decimal] | None = None) -> ScenarioOutcome:
    """current: today's allowances (``allowances()``) when the caller has read them already,
    as a page of many CCGs' scenarios has: not read again for each one."""
    _load_partners(scenario.lines)
    yearly, thresholds = _allowances_in_force(scenario, current)
    ccg_key = str(scenario.organisation_id)
    multi_year = MultiYearScenario(
        ccg_key=ccg_key,
        population=scenario.population,
        lines=tuple(_domain_line(line, ccg_key, scenario.population) for line in scenario.lines),
        fixed_costs=_fixed_costs(scenario),
        in_house=_in_house(scenario),
        non_pay=scenario.in_house_non_pay,
        financial_years=tuple(yearly),
    )
    try:
        years = compute_multi_year(multi_year, yearly, thresholds)
    except SourcingError as error:  # saved data was checked, so this means a rule changed
        raise ServiceError(error.message, field=error.field) from error
    return ScenarioOutcome(scenario, yearly, years)


def ccg_by_ods_code(code: str) -> Organisation | None:
    return db.session.scalar(
        select(Organisation).where(
            Organisation.ods_code == code.strip().upper(),
            Organisation.kind == OrganisationKind.CCG,
        )
    )
