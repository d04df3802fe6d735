"""Demo prospectuses: every CSS and independent provider publishes offers; --scale adds more.

Rows are written with bulk inserts (one statement per table), so ``seed-demo --scale 100``
(about 2,800 providers and 80,000 offer rows) takes seconds, not minutes. Idempotent:
providers that already have a prospectus are left alone, and the extra independent providers
are found by name before any is added.
"""

from __future__ import annotations

import random
import re
import uuid
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import insert, select, text

from marketplace.domain.search_text import search_text_for
from marketplace.extensions import db
from marketplace.models import (
    Offer,
    Organisation,
    OrganisationKind,
    Prospectus,
    ProspectusVersion,
    Region,
    ServiceSpecification,
    VersionStatus,
)
from marketplace.models.base import utcnow
from marketplace.models.prospectus import prospectus_draft_ccg, prospectus_version_ccg
from marketplace.services.audit import record_event

# Planned per-head prices for end-to-end support reported in 2012 (domain.md).
KNOWN_PER_HEAD = {
    "South London CSS": "8.00",
    "Greater East Midlands CSS": "9.50",
    "CSS South": "10.00",
    "Arden CSS": "12.00",
}
NATIONAL_SERVICE_CODES = ("BUS-COM", "PLN-PPE")
INDEPENDENT_SPECIALISMS = {
    "Meridian Commissioning Partners Ltd": ("AGR-PRC", "AGR-MKT", "AGR-NEG", "PLN-OPT",
                                            "PLN-RED", "BUS-LEG"),
    "Northern Health Analytics LLP": ("BI-DMIC", "BI-DSS", "PLN-RSK", "PLN-HNA", "PLN-EVL"),
}
# code -> (pricing model, lowest price, highest price, (fewest, most) days or cases a year)
PRICING = {
    "PLN-HNA": ("per_head", "0.50", "0.90", None),
    "PLN-PPE": ("per_head", "0.50", "0.80", None),
    "PLN-OPT": ("day_rate", "550", "750", (40, 120)),
    "PLN-RED": ("day_rate", "600", "800", (60, 200)),
    "PLN-PRI": ("per_head", "0.50", "0.75", None),
    "PLN-EVL": ("day_rate", "550", "700", (20, 60)),
    "PLN-CLS": ("per_head", "0.50", "0.90", None),
    "PLN-CHG": ("fixed_annual", "35000", "90000", None),
    "PLN-RSK": ("per_head", "0.50", "1.00", None),
    "AGR-PRC": ("day_rate", "600", "750", (60, 150)),
    "AGR-MKT": ("per_head", "0.50", "0.70", None),
    "AGR-NEG": ("per_head", "0.80", "1.60", None),
    "MON-CTM": ("per_head", "1.00", "2.00", None),
    "MON-QA": ("per_head", "0.60", "1.10", None),
    "MON-CHC": ("per_case", "380", "620", (300, 900)),
    "MON-IFR": ("per_case", "220", "360", (120, 320)),
    "MON-MED": ("per_head", "0.70", "1.40", None),
    "BI-DMIC": ("per_head", "0.50", "1.00", None),
    "BI-DSS": ("per_head", "0.50", "1.20", None),
    "BUS-FIN": ("per_head", "0.90", "1.60", None),
    "BUS-HR": ("per_head", "0.50", "0.90", None),
    "BUS-PRO": ("per_head", "0.50", "0.70", None),
    "BUS-LEG": ("fixed_annual", "30000", "60000", None),
    "BUS-IMT": ("per_head", "1.20", "2.40", None),
    "BUS-COM": ("per_head", "0.50", "0.90", None),
    "BUS-GOV": ("fixed_annual", "45000", "85000", None),
    "E2E-CSS": ("per_head", "8.00", "11.50", None),
}
DELIVERY = {"local": "local_team", "shared": "shared", "national": "national_partner"}
EXTRA_PROVIDER_NAME = "Independent provider {} Ltd"
CHECKPOINT_1 = datetime(2012, 1, 20, 12, 0, tzinfo=UTC)
CHECKPOINT_3 = datetime(2012, 8, 31, 12, 0, tzinfo=UTC)
LINEAGE_NAMESPACE = uuid.UUID("6f1c2a9e-5b1d-4c8e-9a57-3c2e1b0d7a41")


def _price(rng: random.Random, low: str, high: str) -> Decimal:
    low_pence, high_pence = int(Decimal(low) * 100), int(Decimal(high) * 100)
    step = 5 if high_pence - low_pence < 1000 else 500  # 5p steps, or £5 for big sums
    return Decimal(rng.randrange(low_pence, high_pence + 1, step)) / 100


def _codes_for(name: str, kind: str, rng: random.Random, all_codes: list[str]) -> list[str]:
    if name in INDEPENDENT_SPECIALISMS:
        return list(INDEPENDENT_SPECIALISMS[name])
    if name == "NHS Communications and Engagement Service":
        return list(NATIONAL_SERVICE_CODES)
    if kind == OrganisationKind.INDEPENDENT_PROVIDER:
        return sorted(rng.sample(all_codes, rng.randint(9, 16)))
    # Every CSS sells end-to-end support and most of the lines behind it.
    lines = [code for code in all_codes if code != "E2E-CSS"]
    return ["E2E-CSS", *sorted(rng.sample(lines, rng.randint(11, 16)))]


def _offer_rows(provider: Organisation, specs: dict, rng: random.Random) -> list[dict]:
    rows = []
    for code in _codes_for(provider.name, provider.kind, rng, sorted(specs)):
        spec = specs[code]
        model, low, high, quantity_range = PRICING[code]
        price = _price(rng, low, high)
        if code == "E2E-CSS" and provider.name in KNOWN_PER_HEAD:
            price = Decimal(KNOWN_PER_HEAD[provider.name])
        quantity = Decimal(rng.randint(*quantity_range)) if quantity_range else None
        levels = [_service_level(provider_standard(line, provider.name))
                  for line in spec.expected_service_levels.splitlines() if line.strip()]
        rows.append({
            "specification_id": spec.id,
            "lineage": str(uuid.uuid5(LINEAGE_NAMESPACE, f"{provider.name}/{code}")),
            "title": f"{spec.name} from {provider.name}",
            "description": f"{spec.description} Delivered by {provider.name}"
            f"{' with partners' if spec.scale != 'local' else ''} for CCGs"
            f"{' in ' + provider.region.name if provider.region else ' across England'}.",
            "delivery_model": DELIVERY[spec.scale],
            "pricing_model": model,
            "price": price,
            "estimated_quantity": quantity,
            "minimum_term_months": rng.choice((12, 12, 18, 24)),
            "available_from": date(2013, 4, 1),
            "service_levels": levels,
            "_spec": spec,
        })
    return rows


# How each provider's own standard departs from the specification's expected service level:
# quicker or slower turnaround, an earlier or later reporting day, a higher or lower share
# of calls answered. Drawn per provider from its own seed, so that the other draws of the
# demo (prices, terms) are the same as without it.
TURNAROUND_FACTORS = (Decimal("0.75"), Decimal("1"), Decimal("1"), Decimal("1.25"),
                      Decimal("1.5"))
WORKING_DAY_SHIFTS = (-2, 0, 0, 2, 3)
SHARE_SHIFTS = (-5, 0, 0, 3)
_WITHIN = re.compile(r"\b(within|in) (\d+) (working days|days|weeks|seconds)")
_WORKING_DAY = re.compile(r"\bworking day (\d+)")
_SHARE = re.compile(r"\b(\d{2})% of")


def provider_standard(line: str, provider_name: str) -> str:
    """A specification's expected service level as this provider offers it, e.g. 'Ad hoc
    analyses within 15 working days' -> 'within 11 working days' for a quick provider.
    Dates and availability percentages are left as the specification states them."""
    rng = random.Random(f"service-levels/{provider_name}")
    factor, shift, share = (rng.choice(TURNAROUND_FACTORS), rng.choice(WORKING_DAY_SHIFTS),
                            rng.choice(SHARE_SHIFTS))

    def within(match: re.Match) -> str:
        scaled = (Decimal(match[2]) * factor).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        return f"{match[1]} {max(1, int(scaled))} {match[3]}"

    line = _WITHIN.sub(within, line)
    line = _WORKING_DAY.sub(lambda match: f"working day {max(5, int(match[1]) + shift)}", line)
    return _SHARE.sub(lambda match: f"{min(99, int(match[1]) + share)}% of", line)


def _service_level(line: str) -> dict:
    """'Monthly report by working day 10' -> measure 'Monthly report', target 'By working
    day 10'; a line with no 'by' or 'within' is all measure, its target 'As stated'."""
    for word in (" within ", " by "):
        if word in line:
            measure, target = line.split(word, 1)
            return {"measure": measure.strip(), "target": f"{word.strip().capitalize()} {target}"}
    return {"measure": line.strip(), "target": "As stated"}


def _revise(rows: list[dict], rng: random.Random) -> list[dict]:
    """The second version: a price cut after customer feedback and a longer term."""
    revised = [dict(row) for row in rows]
    for row in rng.sample(revised, min(2, len(revised))):
        cut = (row["price"] * Decimal("0.95")).quantize(Decimal("0.01"))
        # Per-head prices stay within the £0.50–£12 seen in 2012.
        row["price"] = max(cut, Decimal("0.50")) if row["pricing_model"] == "per_head" else cut
        row["minimum_term_months"] = 18
    return revised


def _content(provider: Organisation, number: int) -> dict:
    region = provider.region.name if provider.region else "England"
    return {
        "vision": f"{provider.name} helps clinical commissioning groups in {region} commission "
        "well: good information, strong contracts and change led by clinicians."
        + (" Revised after Checkpoint 2 feedback from our customer CCGs." if number > 1 else ""),
        "operating_model": "Local teams aligned to each CCG for planning and contracting; "
        "business intelligence and back office shared at scale with partner CSSs.",
        "geography": f"CCGs across {region}.",
        "leadership_team": "Managing director\nDirector of finance\nDirector of business "
        "intelligence\nDirector of commissioning and contracting\nClinical lead (GP)",
        "partnerships": "Local authorities for joint commissioning; other CSSs for data "
        "management and procurement at scale; voluntary sector partners for engagement.",
    }


def _ensure_extra_providers(scale: int) -> None:
    wanted = 28 * (scale - 1)
    if wanted <= 0:
        return
    names = [EXTRA_PROVIDER_NAME.format(k) for k in range(1, wanted + 1)]
    existing = set(db.session.scalars(
        select(Organisation.name).where(Organisation.name.like("Independent provider % Ltd"))
    ))
    regions = list(db.session.scalars(select(Region.id).order_by(Region.code)))
    now = utcnow()
    rows = [
        {"kind": OrganisationKind.INDEPENDENT_PROVIDER.value, "name": name,
         "region_id": regions[k % len(regions)], "created_at": now, "updated_at": now}
        for k, name in enumerate(names) if name not in existing
    ]
    if rows:
        db.session.execute(insert(Organisation), rows)


def seed_prospectuses(scale: int = 1) -> None:
    _ensure_extra_providers(scale)
    specs = {s.code: s for s in db.session.scalars(select(ServiceSpecification))
             if not s.is_retired and s.code in PRICING}
    done = set(db.session.scalars(select(Prospectus.organisation_id)))
    providers = [
        provider for provider in db.session.scalars(
            select(Organisation)
            .where(Organisation.kind.in_([OrganisationKind.CSS,
                                          OrganisationKind.INDEPENDENT_PROVIDER]))
            .order_by(Organisation.id)
        )
        if provider.id not in done
    ]
    if not providers or not specs:
        return
    ccgs_by_region: dict[int | None, list[int]] = {}
    for ccg_id, region_id in db.session.execute(
        select(Organisation.id, Organisation.region_id)
        .where(Organisation.kind == OrganisationKind.CCG).order_by(Organisation.name)
    ):
        ccgs_by_region.setdefault(region_id, []).append(ccg_id)

    plans = []
    for index, provider in enumerate(providers):
        rng = random.Random(provider.name)
        rows = _offer_rows(provider, specs, rng)
        versions = [rows]
        # Every third provider revised its prospectus after Checkpoint 2: v1 superseded by v2.
        if index % 3 == 0:
            versions.append(_revise(rows, rng))
        region_ccgs = ccgs_by_region.get(provider.region_id) or []
        ccgs = sorted(rng.sample(region_ccgs, min(len(region_ccgs), rng.randint(4, 12))))
        plans.append((provider, versions, ccgs))

    now = utcnow()
    db.session.execute(insert(Prospectus), [
        {"organisation_id": p.id, "lock_version": 1, "created_at": now, "updated_at": now,
         **_content(p, len(versions))}
        for p, versions, _ in plans
    ])
    draft_ids = dict(db.session.execute(
        select(Prospectus.organisation_id, Prospectus.id)
        .where(Prospectus.organisation_id.in_([p.id for p, _, _ in plans]))
    ).all())
    version_rows = []
    for provider, versions, _ in plans:
        for number in range(1, len(versions) + 1):
            latest = number == len(versions)
            version_rows.append({
                "prospectus_id": draft_ids[provider.id], "organisation_id": provider.id,
                "number": number,
                "status": VersionStatus.PUBLISHED.value if latest
                else VersionStatus.SUPERSEDED.value,
                "published_at": CHECKPOINT_1 if number == 1 else CHECKPOINT_3,
                "status_changed_at": None if latest else CHECKPOINT_3,
                "change_note": "" if number == 1 else "Prices revised after Checkpoint 2.",
                **_content(provider, number),
            })
    db.session.execute(insert(ProspectusVersion), version_rows)
    version_ids = {
        (prospectus_id, number): version_id
        for version_id, prospectus_id, number in db.session.execute(
            select(ProspectusVersion.id, ProspectusVersion.prospectus_id,
                   ProspectusVersion.number)
            .where(ProspectusVersion.prospectus_id.in_(list(draft_ids.values())))
        )
    }

    draft_ccgs, version_ccgs, offers = [], [], []
    for provider, versions, ccgs in plans:
        draft_id = draft_ids[provider.id]
        draft_ccgs += [{"prospectus_id": draft_id, "organisation_id": c} for c in ccgs]
        placements = [(None, versions[-1])] + [
            (version_ids[(draft_id, number)], rows)
            for number, rows in enumerate(versions, start=1)
        ]
        for version_id, rows in placements:
            if version_id is not None:
                version_ccgs += [{"prospectus_version_id": version_id, "organisation_id": c}
                                 for c in ccgs]
            for row in rows:
                spec = row["_spec"]
                values = {k: v for k, v in row.items() if k != "_spec"}
                offers.append({
                    **values,
                    "prospectus_id": draft_id,
                    "prospectus_version_id": version_id,
                    "organisation_id": provider.id,
                    "created_at": now,
                    "updated_at": now,
                    # Only published copies are searched; drafts need no search text.
                    "search_text": "" if version_id is None else search_text_for(
                        description=row["description"], specification_code=spec.code,
                        specification_name=spec.name, provider_name=provider.name,
                        service_levels=row["service_levels"],
                    ),
                })
    if draft_ccgs:
        db.session.execute(insert(prospectus_draft_ccg), draft_ccgs)
    if version_ccgs:
        db.session.execute(insert(prospectus_version_ccg), version_ccgs)
    for start in range(0, len(offers), 5000):
        db.session.execute(insert(Offer), offers[start:start + 5000])
    # Fresh statistics, or the planner takes thousands of new rows for a handful: PostgreSQL
    # picks nested loops that make search take seconds until autovacuum catches up, and
    # SQLite (which gathers none by itself) takes the version status index for selective and
    # runs the full-text match once per version, 15-20 s a keyword search at scale 100.
    for table in ("organisation", "prospectus", "prospectus_version", "offer"):
        db.session.execute(text(f"ANALYZE {table}"))
    record_event(
        "demo.prospectuses_seeded", None,
        f"Demo data: published prospectuses for {len(plans)} providers "
        f"({len(offers)} offer rows, scale {scale})",
        actor=None,
    )
