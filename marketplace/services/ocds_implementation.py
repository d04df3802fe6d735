"""A signed agreement's life as open contracting data: its service levels, the results the CCG
accepted month by month, its payments and its variations (OCDS 1.1 contract sections).

- ``contracts[].implementation.milestones`` (core OCDS): one milestone per KPI per reported
  month, type "delivery", status "met" / "partiallyMet" (within tolerance) / "notMet"
  (missed) as rated against the target in force. Only figures the CCG has accepted are
  published: a figure awaiting review or disputed is not yet a result. The provider's
  commentary is never published.
- The numbers themselves use the OCDS **Metrics extension** (``ocds_metrics_extension``,
  METRICS_EXTENSION): ``contracts[].agreedMetrics`` are the KPIs with their targets, and
  ``contracts[].implementation.metrics`` the accepted figures as observations, each naming its
  milestone (``relatedImplementationMilestone``).
- ``contracts[].implementation.transactions`` (core) for payments where recorded. The product
  records no payments yet (PAYMENTS_RECORDED), so none is published; the field is left out
  rather than published empty, as OCDS asks.
- ``contracts[].amendments`` (core): one per agreed variation, its rationale the proposer's
  reason and its description what changed, in words; the contract's period and value are then
  the current (varied) version's.
"""

from decimal import Decimal

from marketplace.domain import agreement_terms
from marketplace.domain.service_levels import Rating
from marketplace.models import Agreement, FigureReview

from . import performance_returns, variations
from .ocds_releases import day_end, day_start, money, timestamp

METRICS_EXTENSION = (
    "https://raw.githubusercontent.com/open-contracting-extensions/"
    "ocds_metrics_extension/master/extension.json"
)
MILESTONE_STATUS = {
    Rating.MET: "met",
    Rating.WITHIN_TOLERANCE: "partiallyMet",
    Rating.MISSED: "notMet",
}
# No payment is recorded against an agreement in this product (yet): transactions stay out.
PAYMENTS_RECORDED = False


def kpi_id(kpi) -> str:
    return f"KPI-{kpi.id}"


def milestone_id(kpi, period_number: int) -> str:
    return f"KPI-{kpi.id}-month-{period_number}"


def _number(value: Decimal):
    """A JSON number without trailing zeros (exact_json writes Decimals as they are)."""
    if value == value.to_integral_value():
        return int(value)
    return Decimal(format(value.normalize(), "f"))


def agreed_metrics(agreement: Agreement) -> list[dict]:
    """Each KPI with the target now in force (a variation may have changed it)."""
    targets = dict(variations.current_terms(agreement).targets)
    found = []
    for kpi in variations.kpis_of(agreement):
        target = targets.get(kpi.id, kpi.target)
        metric = {
            "id": kpi_id(kpi),
            "title": kpi.measure,
            "description": (
                f"{kpi.unit_label}, {kpi.direction_label.lower()}; tolerance "
                f"{kpi.tolerance_text}; reported {kpi.frequency_label.lower()}"
            ),
        }
        if target is not None:
            metric["observations"] = [
                {
                    "id": f"{kpi_id(kpi)}-target",
                    "measure": _number(target),
                    "unit": {"name": kpi.unit_label},
                    "notes": "Target",
                }
            ]
        found.append(metric)
    return found


def _accepted_results(agreement: Agreement):
    """(month, figure) for each accepted figure in the latest version of each month."""
    for row in performance_returns.schedule(agreement):
        if row.current is None:
            continue
        for figure in row.current.figures:
            if figure.review == FigureReview.ACCEPTED and figure.rating is not None:
                yield row.period, figure


def implementation(agreement: Agreement) -> dict:
    milestones, metrics = [], {}
    for period, figure in _accepted_results(agreement):
        kpi = figure.kpi
        status = MILESTONE_STATUS[figure.rating]
        milestone = {
            "id": milestone_id(kpi, period.number),
            "title": f"{kpi.measure}: {period.label}",
            "type": "delivery",
            "description": (
                f"{kpi.measure} was {kpi.show(figure.value)} against a target of "
                f"{kpi.target_text}: {figure.rating.label.lower()}"
            ),
            "dueDate": day_end(period.end),
            "status": status,
        }
        if figure.reviewed_at is not None:
            milestone["dateModified"] = timestamp(figure.reviewed_at)
        milestones.append(milestone)
        metric = metrics.setdefault(
            kpi.id, {"id": kpi_id(kpi), "title": kpi.measure, "observations": []}
        )
        metric["observations"].append(
            {
                "id": milestone["id"],
                "period": {"startDate": day_start(period.start), "endDate": day_end(period.end)},
                "measure": _number(figure.value),
                "unit": {"name": kpi.unit_label},
                "relatedImplementationMilestone": {
                    "id": milestone["id"],
                    "title": milestone["title"],
                    "type": "delivery",
                    "status": status,
                },
            }
        )
    section = {}
    if milestones:
        section["milestones"] = milestones
        section["metrics"] = list(metrics.values())
    return section


def amendments(agreement: Agreement) -> list[dict]:
    found = []
    for version in variations.versions(agreement)[1:]:
        variation = version.variation
        changes = variations.changes_of(variation)
        found.append(
            {
                "id": f"{agreement.reference}-version-{version.number}",
                "date": timestamp(variation.answered_at or variation.proposed_at),
                "rationale": variation.reason,
                "description": "; ".join(f"{c.label}: {c.before} to {c.after}" for c in changes)
                or "No change of terms",
            }
        )
    return found


def current_period_and_value(agreement: Agreement) -> tuple[dict, dict]:
    terms = variations.current_terms(agreement)
    value = agreement_terms.value_over_term(terms.annual_value, terms.start_date, terms.end_date)
    return (
        {"startDate": day_start(terms.start_date), "endDate": day_end(terms.end_date)},
        money(value),
    )


def add_life(contract: dict, agreement: Agreement) -> bool:
    """Add the agreement's KPIs, accepted results and amendments to an OCDS contract; True
    when there was anything beyond the KPIs (results or amendments) to add."""
    metrics = agreed_metrics(agreement)
    if metrics:
        contract["agreedMetrics"] = metrics
    section = implementation(agreement)
    if section:
        contract["implementation"] = section
    changed = amendments(agreement)
    if changed:
        contract["amendments"] = changed
        contract["period"], contract["value"] = current_period_and_value(agreement)
    return bool(section or changed)


def last_changed(agreement: Agreement) -> str | None:
    """When the agreement's published life last moved: the latest accepted figure or agreed
    variation."""
    moments = [
        figure.reviewed_at
        for _, figure in _accepted_results(agreement)
        if figure.reviewed_at is not None
    ]
    moments += [
        v.variation.answered_at
        for v in variations.versions(agreement)[1:]
        if v.variation.answered_at is not None
    ]
    return timestamp(max(moments)) if moments else None
