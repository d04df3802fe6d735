"""A CCG's authorisation evidence, issued from its own records as a PDF pack.

The pack says, as of its issue: the CCG's do/buy/share choice per function (from its final
scenario, else its latest), its agreements and how each was procured, their suppliers'
latest assurance outcome, affordability over 2013/14-2015/16 (the reckoner's headroom
against the agreements' cost in each year; domain/authorisation.py) and the small-CCG
viability warning where it applies.

Issued as the review documents are: HTML from one template (shown on screen as a preview
and printed by reports/pdf.py), the bytes stored with their hash as the next version, never
changed afterwards (models/frozen.py), in one transaction with the audit event.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from flask import current_app
from sqlalchemy import case, func, select

from marketplace import clock
from marketplace.domain import authorisation as rules
from marketplace.domain.reckoner import (
    DEFAULT_FIXED_COSTS,
    FINANCIAL_YEARS,
    ReckonerInputs,
    ReckonerResult,
    allowance_for_year,
    compute,
)
from marketplace.extensions import db
from marketplace.models import (
    Agreement,
    AgreementStatus,
    AuthorisationPack,
    Organisation,
    OrganisationKind,
    Procurement,
    Scenario,
    ScenarioStatus,
    User,
)
from marketplace.policies.people import ccg_user_of
from marketplace.reports.fonts import coverage, font_urls
from marketplace.reports.pdf import RenderError, html_to_pdf
from marketplace.reports.printable import printable
from marketplace.reports.storage import sha256_hex

from . import scenarios, variations
from .assurance import latest_assurance_status
from .audit import record_event
from .ending import end_column
from .errors import PermissionDenied, ServiceError
from .transaction import on_conflict, transactional

PRINT_TEMPLATE = "reports/authorisation-pack-pdf.html"
# Agreements the CCG has committed to (signed by it at least), and those it has ended.
LISTED = (
    AgreementStatus.AWAITING_COUNTERSIGNATURE,
    AgreementStatus.SIGNED,
    AgreementStatus.FINAL,
    AgreementStatus.ENDED,
)
COSTED = (
    AgreementStatus.AWAITING_COUNTERSIGNATURE,
    AgreementStatus.SIGNED,
    AgreementStatus.FINAL,
    AgreementStatus.ENDED,
)
ISSUED_MEANWHILE = (
    "Somebody else issued a pack at the same moment, so yours was not issued. "
    "The list shows the pack they issued."
)


class PackNotRendered(ServiceError):
    """The pack's PDF could not be rendered, so nothing was issued."""


@dataclass(frozen=True)
class Choice:
    function: str
    choice: str
    annual_cost: Decimal | None


@dataclass(frozen=True)
class AgreementRow:
    reference: str
    supplier: str
    status: str
    procured: str  # how: direct award, competition, recorded
    procurement: str | None
    start: object
    end: object
    annual_value: Decimal
    assurance: str


def plan_of(ccg: Organisation) -> Scenario | None:
    """The CCG's final scenario (the latest if several), else its latest draft."""
    return db.session.scalar(
        select(Scenario)
        .where(Scenario.organisation_id == ccg.id)
        .order_by(
            case((Scenario.status == ScenarioStatus.FINAL, 0), else_=1),
            Scenario.updated_at.desc(),
            Scenario.id.desc(),
        )
        .limit(1)
    )


def _choices(scenario: Scenario | None) -> list[Choice]:
    if scenario is None:
        return []
    found = []
    for line in scenario.lines:
        try:
            cost = scenarios.line_annual_cost(line)
        except ServiceError:
            cost = None
        function = line.specification.name if line.specification is not None else line.service
        choice = scenarios.MODE_LABELS[line.mode]
        if line.mode == "share" and line.partners:
            choice += f" ({', '.join(partner.name for partner in line.partners)})"
        found.append(Choice(function, choice, cost))
    return found


def _reckoner_years(
    ccg: Organisation, scenario: Scenario | None
) -> list[tuple[str, ReckonerResult]]:
    """What the reckoner leaves for commissioning support each year: from the plan's
    scenario, or from the CCG's population with the worked example's fixed costs."""
    if scenario is not None:
        outcome = scenarios.outcome(scenario)
        return [
            (year.financial_year, year.reckoner)
            for year in outcome.years
            if year.financial_year in FINANCIAL_YEARS
        ]
    yearly = scenarios.allowances()
    return [
        (
            year,
            compute(
                ReckonerInputs(
                    population=ccg.population or 0,
                    allowance_per_head=allowance_for_year(year, yearly),
                    fixed_costs=DEFAULT_FIXED_COSTS,
                    financial_year=year,
                ),
                scenarios.reckoner_thresholds(),
            ),
        )
        for year in FINANCIAL_YEARS
        if year in yearly
    ]


def _agreements(ccg: Organisation) -> list:
    """The agreements the pack lists, on their terms as varied and with the names it shows,
    as plain rows in one query (not their lines, KPIs, variations and ending)."""
    return db.session.execute(
        select(Agreement.reference, Agreement.provider_id, Agreement.status, Agreement.route,
               Agreement.start_date, Organisation.name.label("provider"),
               Procurement.reference.label("procurement"),
               end_column().label("end_date"),  # by notice, else as varied
               variations.current_annual_value().label("annual_value"))
        .join(Organisation, Organisation.id == Agreement.provider_id)
        .outerjoin(Procurement, Procurement.id == Agreement.procurement_id)
        .where(Agreement.ccg_id == ccg.id, Agreement.status.in_([s.value for s in LISTED]))
        .order_by(Agreement.start_date, Agreement.reference)
    ).all()


def _procured(route: str) -> str:
    return {
        "direct_award": "Direct award",
        "further_competition": "Further competition",
        "recorded": "Recorded before procurement in the product",
    }[route]


def pack_context(
    ccg: Organisation, *, version: int, issued_at: datetime, issued_by: User | None = None
) -> dict:
    scenario = plan_of(ccg)
    agreements = _agreements(ccg)
    assurance = latest_assurance_status({a.provider_id for a in agreements})
    rows, costed = [], []
    for agreement in agreements:
        end = agreement.end_date
        rows.append(
            AgreementRow(
                agreement.reference,
                agreement.provider,
                AgreementStatus(agreement.status).label,
                _procured(agreement.route),
                agreement.procurement,
                agreement.start_date,
                end,
                agreement.annual_value,
                assurance[agreement.provider_id],
            )
        )
        if agreement.status in COSTED:
            costed.append(
                rules.CostedAgreement(
                    agreement.reference, agreement.annual_value, agreement.start_date, end
                )
            )
    reckoner_years = _reckoner_years(ccg, scenario)
    headroom = {year: result.commissioning_support_budget for year, result in reckoner_years}
    years = rules.affordability(headroom, costed, years=list(headroom))
    return {
        "ccg": ccg,
        "version": version,
        "issued_at": issued_at,
        "issued_by": issued_by,
        "scenario": scenario,
        "choices": _choices(scenario),
        "agreements": rows,
        "years": years,
        "reckoner_years": reckoner_years,
        "viability": rules.viability_warning(
            ccg.population or 0, reckoner_years, scenarios.reckoner_thresholds().overheads_share
        ),
        "metadata_date": issued_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def pack_html(context: dict) -> str:
    """The print layout, from the Jinja environment (no request): the same records give the
    same HTML, so the same PDF."""
    template = current_app.jinja_env.get_template(PRINT_TEMPLATE)
    return template.render(context, fonts=font_urls())


def filename(ccg: Organisation, version: int) -> str:
    name = re.sub(r"[^a-z0-9]+", "-", ccg.name.lower()).strip("-")
    return f"authorisation-evidence-{name}-v{version}.pdf"


def packs_of(ccg: Organisation) -> list[AuthorisationPack]:
    return list(
        db.session.scalars(
            select(AuthorisationPack)
            .where(AuthorisationPack.ccg_id == ccg.id)
            .order_by(AuthorisationPack.version.desc())
        )
    )


def _next_version(ccg: Organisation) -> int:
    return (
        db.session.scalar(
            select(func.max(AuthorisationPack.version)).where(AuthorisationPack.ccg_id == ccg.id)
        )
        or 0
    ) + 1


@transactional
def issue(actor: User, ccg: Organisation) -> AuthorisationPack:
    """Render the pack from the CCG's records now and store it as its next version."""
    if ccg.kind != OrganisationKind.CCG or not ccg_user_of(actor, ccg.id):
        raise PermissionDenied("Only the CCG's own users issue its authorisation evidence")
    on_conflict(AuthorisationPack, ISSUED_MEANWHILE)
    version = _next_version(ccg)
    moment = clock.now()
    context = pack_context(ccg, version=version, issued_at=moment, issued_by=actor)
    try:
        content = html_to_pdf(printable(pack_html(context), coverage()).text)
    except RenderError as error:
        raise PackNotRendered(
            f"The authorisation evidence pack could not be rendered, so nothing was issued: {error}"
        ) from error
    pack = AuthorisationPack(
        ccg_id=ccg.id,
        version=version,
        filename=filename(ccg, version),
        content_type="application/pdf",
        size_bytes=len(content),
        sha256=sha256_hex(content),
        content=content,
        issued_at=moment,
        issued_by_id=actor.id,
    )
    db.session.add(pack)
    db.session.flush()
    not_fitting = [year.financial_year for year in context["years"] if not year.fits]
    record_event(
        "authorisation_pack.issued",
        pack,
        f"{actor.full_name} issued version {version} of {ccg.name}'s authorisation evidence "
        f"pack ({len(context['agreements'])} agreement"
        f"{'' if len(context['agreements']) == 1 else 's'}"
        + (f"; not affordable in {', '.join(not_fitting)}" if not_fitting else "")
        + ("; small-CCG viability warning" if context["viability"] else "")
        + ")",
        changes={"version": version, "sha256": pack.sha256, "filename": pack.filename},
        actor=actor,
    )
    return pack
