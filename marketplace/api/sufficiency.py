"""GET /api/v1/market/sufficiency: whole-market sufficiency for the BDU, as JSON.

The same figures as the page (/demand/sufficiency) and its downloads: per CCG and year, every
CSS's planned income against the CCG's headroom and stated intention, rolled up by region,
PCT cluster and specification, with market shares and concentration (HHI).
"""

from decimal import Decimal

from flask import jsonify, request

from marketplace.access import allow, roles
from marketplace.domain.reckoner import FINANCIAL_YEARS
from marketplace.domain.sufficiency import Concentration, Rollup, Sufficiency, YearView
from marketplace.models import Role
from marketplace.services import sufficiency as service

from . import bp
from .errors import ApiError
from .openapi import add_path, add_schema


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _concentration(found: Concentration) -> dict:
    return {
        "hhi": found.hhi_shown,
        "band": found.band,
        "shares": [
            {"provider": s.provider, "planned_income": _money(s.amount), "percent": str(s.percent)}
            for s in found.shares
        ],
    }


def _rollup(rollup: Rollup, with_headroom: bool = True) -> dict:
    found = {
        "name": rollup.label,
        "ccgs": rollup.ccgs,
        "planned_income": _money(rollup.planned),
        "intention": _money(rollup.intention),
        "ccgs_over_headroom": rollup.ccgs_over,
        "concentration": _concentration(rollup.concentration),
    }
    if with_headroom:
        found["headroom"] = _money(rollup.headroom)
        found["headroom_less_planned"] = _money(rollup.gap)
    if rollup.region:
        found["region"] = rollup.region
    return found


def _year(view: YearView) -> dict:
    return {
        "financial_year": view.financial_year,
        "planned_income_from_ccgs": _money(view.planned_from_ccgs),
        "headroom": _money(view.headroom),
        "intention": _money(view.intention),
        "other_customers_income": _money(view.other_customers_income),
        "income_not_tied_to_a_specification": _money(view.unassigned_specification_income),
        "ccgs": [
            {
                "ods_code": row.ccg.code,
                "name": row.ccg.name,
                "region": row.ccg.region,
                "pct_cluster": row.ccg.cluster,
                "planned_income": _money(row.planned),
                "headroom": _money(row.headroom),
                "over_headroom": _money(row.over_headroom),
                "intention": _money(row.intention),
                "beyond_intention": _money(row.beyond_intention),
                "suppliers": list(row.suppliers),
                "affordable": row.affordable,
                "position": row.in_words,
            }
            for row in view.ccgs
        ],
        "ccgs_over_headroom": [row.ccg.code or row.ccg.name for row in view.over],
        "regions": [_rollup(r) for r in view.by_region],
        "pct_clusters": [_rollup(r) for r in view.by_cluster],
        "specifications": [_rollup(r, with_headroom=False) for r in view.by_specification],
        "unsupplied_specifications": [
            {
                "name": u.specification.name,
                "ccgs_intending_to_buy": u.ccgs_intending,
                "intention": _money(u.intention),
            }
            for u in view.unsupplied
        ],
    }


def sufficiency_json(result: Sufficiency) -> dict:
    return {"years": [_year(view) for view in result.years]}


@bp.route("/market/sufficiency")
@allow(roles(Role.BDU_REVIEWER))
def market_sufficiency():
    year = request.args.get("year")
    if year is not None and year not in FINANCIAL_YEARS:
        raise ApiError("year", f"Choose one of {', '.join(FINANCIAL_YEARS)}")
    years = (year,) if year else FINANCIAL_YEARS
    return jsonify(sufficiency_json(service.sufficiency(years)))


_MONEY = {"$ref": "#/components/schemas/Money"}
_NULLABLE_MONEY = {"type": "string", "nullable": True, "pattern": r"^-?[0-9]+\.[0-9]{2}$"}
_CONCENTRATION = {
    "type": "object",
    "properties": {
        "hhi": {"type": "integer", "minimum": 0, "maximum": 10000},
        "band": {"type": "string"},
        "shares": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "provider": {"type": "string"},
                    "planned_income": _MONEY,
                    "percent": {"type": "string", "example": "78.2"},
                },
            },
        },
    },
}
_ROLLUP = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "region": {"type": "string"},
        "ccgs": {"type": "integer"},
        "planned_income": _MONEY,
        "headroom": _MONEY,
        "headroom_less_planned": _MONEY,
        "intention": _MONEY,
        "ccgs_over_headroom": {"type": "integer"},
        "concentration": _CONCENTRATION,
    },
}
add_schema("SufficiencyRollup", _ROLLUP)
add_schema(
    "MarketSufficiency",
    {
        "type": "object",
        "required": ["years"],
        "properties": {
            "years": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "financial_year": {"type": "string", "example": "2013/14"},
                        "planned_income_from_ccgs": _MONEY,
                        "headroom": _MONEY,
                        "intention": _MONEY,
                        "other_customers_income": _MONEY,
                        "income_not_tied_to_a_specification": _MONEY,
                        "ccgs": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "ods_code": {"type": "string"},
                                    "name": {"type": "string"},
                                    "region": {"type": "string", "nullable": True},
                                    "pct_cluster": {"type": "string", "nullable": True},
                                    "planned_income": _MONEY,
                                    "headroom": _NULLABLE_MONEY,
                                    "over_headroom": _MONEY,
                                    "intention": _MONEY,
                                    "beyond_intention": _MONEY,
                                    "suppliers": {"type": "array", "items": {"type": "string"}},
                                    "affordable": {"type": "boolean"},
                                    "position": {"type": "string"},
                                },
                            },
                        },
                        "ccgs_over_headroom": {"type": "array", "items": {"type": "string"}},
                        "regions": {
                            "type": "array",
                            "items": {"$ref": "#/components/schemas/SufficiencyRollup"},
                        },
                        "pct_clusters": {
                            "type": "array",
                            "items": {"$ref": "#/components/schemas/SufficiencyRollup"},
                        },
                        "specifications": {
                            "type": "array",
                            "items": {"$ref": "#/components/schemas/SufficiencyRollup"},
                        },
                        "unsupplied_specifications": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "name": {"type": "string"},
                                    "ccgs_intending_to_buy": {"type": "integer"},
                                    "intention": _MONEY,
                                },
                            },
                        },
                    },
                },
            }
        },
    },
)

EXAMPLE = {
    "years": [
        {
            "financial_year": "2013/14",
            "planned_income_from_ccgs": "10003901.01",
            "headroom": "10003900.00",
            "intention": "7000000.00",
            "other_customers_income": "750000.00",
            "income_not_tied_to_a_specification": "0.00",
            "ccgs": [
                {
                    "ods_code": "05A",
                    "name": "NHS Coventry and Rugby CCG",
                    "region": "Midlands and East",
                    "pct_cluster": "Arden",
                    "planned_income": "10003901.01",
                    "headroom": "10003900.00",
                    "over_headroom": "1.01",
                    "intention": "7000000.00",
                    "beyond_intention": "3003901.01",
                    "suppliers": ["Arden CSS", "Greater East Midlands CSS"],
                    "affordable": False,
                    "position": "Suppliers plan more than it can afford",
                }
            ],
            "ccgs_over_headroom": ["05A"],
            "regions": [
                {
                    "name": "Midlands and East",
                    "ccgs": 1,
                    "planned_income": "10003901.01",
                    "headroom": "10003900.00",
                    "headroom_less_planned": "-1.01",
                    "intention": "7000000.00",
                    "ccgs_over_headroom": 1,
                    "concentration": {
                        "hhi": 6796,
                        "band": "Highly concentrated",
                        "shares": [
                            {
                                "provider": "Arden CSS",
                                "planned_income": "8000001.00",
                                "percent": "80.0",
                            },
                            {
                                "provider": "Greater East Midlands CSS",
                                "planned_income": "2003900.01",
                                "percent": "20.0",
                            },
                        ],
                    },
                }
            ],
            "pct_clusters": [],
            "specifications": [],
            "unsupplied_specifications": [
                {"name": "Clinical procurement", "ccgs_intending_to_buy": 0, "intention": "0.00"}
            ],
        }
    ]
}

add_path(
    "/market/sufficiency",
    "get",
    {
        "summary": "Whole-market sufficiency: planned income against what CCGs can afford",
        "operationId": "getMarketSufficiency",
        "description": "For BDU reviewers. Per CCG and financial year, the sum of every CSS's "
        "planned income from it (latest submitted business plans) against its ready reckoner "
        "headroom (the running cost allowance, £25.00, £24.73 and £22.07 a head, less fixed "
        "and in-house costs) and its stated intention to buy (annual budgets of its statement "
        "lines to buy); rolled up by region, 2012 PCT cluster and specification, with each "
        "CSS's market share and the Herfindahl-Hirschman index (0 to 10,000); CCGs whose "
        "suppliers plan more than they can afford; specifications nobody plans to supply. "
        "Money is a decimal string in pounds.",
        "security": [{"session": []}],
        "parameters": [
            {
                "name": "year",
                "in": "query",
                "required": False,
                "description": "One financial year; every year when left out.",
                "schema": {"type": "string", "enum": list(FINANCIAL_YEARS)},
            }
        ],
        "responses": {
            "200": {
                "description": "The market, year by year",
                "content": {
                    "application/json": {
                        "schema": {"$ref": "#/components/schemas/MarketSufficiency"},
                        "examples": {
                            "worked": {
                                "summary": "One CCG a penny over (£1.01) in 2013/14",
                                "value": EXAMPLE,
                            }
                        },
                    }
                },
            },
            "400": {"$ref": "#/components/responses/BadRequest"},
            "401": {"$ref": "#/components/responses/Unauthorised"},
            "403": {
                "description": "Signed in, but not as a BDU reviewer.",
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/Errors"}}
                },
            },
        },
    },
)
