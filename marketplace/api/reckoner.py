"""The ready reckoner over JSON: a public calculator, and a CCG's own saved scenarios."""

from decimal import Decimal

from flask import current_app, jsonify, request

from marketplace.access import PUBLIC, allow, owns
from marketplace.domain.reckoner import (
    ReckonerInputError,
    ReckonerResult,
    compute,
    parse_reckoner_request,
)
from marketplace.domain.sourcing import MODES, YearResult
from marketplace.extensions import csrf, limiter
from marketplace.models import Scenario
from marketplace.services import scenarios as service

from . import bp
from .errors import error_response
from .openapi import add_path, add_schema


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def _percent(value: Decimal) -> str:
    return f"{value:.1f}"


def reckoner_json(result: ReckonerResult) -> dict:
    return {
        "running_cost_allowance": _money(result.running_cost_allowance),
        "fixed_costs_total": _money(result.fixed_costs_total),
        "in_house_total": _money(result.in_house_total),
        "commissioning_support_budget": _money(result.commissioning_support_budget),
        "commissioning_support_per_head": _money(result.commissioning_support_per_head),
        "warnings": [{"code": w.code, "message": w.message} for w in result.warnings],
    }


def year_json(year: YearResult) -> dict:
    sourcing = year.sourcing
    return {
        "financial_year": year.financial_year,
        "allowance_per_head": _money(year.reckoner.allowance_per_head),
        **reckoner_json(year.reckoner),
        "lines": [
            {"service": line.service, "mode": line.mode, "annual_cost": _money(line.annual_cost)}
            for line in sourcing.lines
        ],
        "totals_by_mode": {mode: _money(sourcing.totals_by_mode[mode]) for mode in MODES},
        "total_spend": _money(sourcing.total_spend),
        "balance": _money(sourcing.balance),
        "spend_split_percent": {m: _percent(sourcing.spend_split_percent[m]) for m in MODES},
        "service_split_percent": {m: _percent(sourcing.service_split_percent[m]) for m in MODES},
        "survey_split_percent": {m: _percent(sourcing.survey_split_percent[m]) for m in MODES},
    }


def _limit() -> str:
    return current_app.config.get("RECKONER_API_LIMIT", "120 per minute")


@bp.route("/reckoner", methods=["POST"])
@allow(PUBLIC)
@csrf.exempt  # public and stateless: no session is read or changed, so nothing to forge
@limiter.limit(_limit)
def reckoner():
    data = request.get_json(silent=True)
    if data is None:
        return error_response(
            [("request", "Send a JSON object with Content-Type: application/json")]
        )
    try:
        inputs = parse_reckoner_request(data, service.allowances())
    except ReckonerInputError as error:
        return error_response([(error.field, error.message)])
    return jsonify(reckoner_json(compute(inputs, service.reckoner_thresholds())))


@bp.route("/scenarios/<int:scenario_id>")
@owns("scenario_id", Scenario, "own", hide=True)
def scenario(scenario: Scenario):
    outcome = service.outcome(scenario)
    return jsonify(
        {
            "id": scenario.id,
            "name": scenario.name,
            "status": scenario.status,
            "organisation": {
                "id": scenario.organisation.id,
                "name": scenario.organisation.name,
                "ods_code": scenario.organisation.ods_code,
            },
            "population": scenario.population,
            "financial_year": scenario.financial_year,
            "allowance_per_head_override": None
            if scenario.allowance_per_head_override is None
            else _money(scenario.allowance_per_head_override),
            "years": [year_json(year) for year in outcome.years],
        }
    )


# --- the OpenAPI description ----------------------------------------------------------------

_MONEY = {"$ref": "#/components/schemas/Money"}
_MONEY_IN = {"type": "string", "pattern": r"^[0-9]+(\.[0-9]{1,2})?$", "example": "1500000.00"}

add_schema("ReckonerRequest", {
    "type": "object",
    "required": ["population"],
    "additionalProperties": False,
    "description": "Give financial_year or allowance_per_head, not both. Leaving out "
                   "fixed_costs uses the 2011 worked example's corporate structure; an empty "
                   "list means none.",
    "properties": {
        "population": {"type": "integer", "minimum": 1, "maximum": 10_000_000,
                       "example": 175000},
        "financial_year": {"type": "string", "enum": ["2013/14", "2014/15", "2015/16"],
                           "description": "Years an administrator holds an allowance for."},
        "allowance_per_head": {**_MONEY_IN, "example": "20.00"},
        "fixed_costs": {"type": "array", "maxItems": 200, "items": {
            "type": "object", "required": ["name", "amount"], "properties": {
                "name": {"type": "string", "minLength": 1, "maxLength": 100},
                "amount": _MONEY_IN}}},
        "in_house": {"type": "array", "maxItems": 200, "items": {
            "type": "object", "required": ["role", "wte", "cost_per_wte"], "properties": {
                "role": {"type": "string", "minLength": 1, "maxLength": 100},
                "wte": {"oneOf": [{"type": "number", "minimum": 0, "maximum": 1000},
                                  {"type": "string"}]},
                "cost_per_wte": _MONEY_IN}}},
        "non_pay": _MONEY_IN,
    },
    "example": {"population": 175000, "allowance_per_head": "20.00", "fixed_costs": [
        {"name": "Corporate base", "amount": "1500000.00"},
        {"name": "Nurse and secondary care doctor", "amount": "111000.00"}]},
})
add_schema("Warning", {
    "type": "object", "required": ["code", "message"],
    "properties": {"code": {"type": "string",
                            "enum": ["negative_headroom", "below_benchmark", "overheads_share"]},
                   "message": {"type": "string"}},
})
_RECKONER_RESULT_PROPERTIES = {
    "running_cost_allowance": _MONEY,
    "fixed_costs_total": _MONEY,
    "in_house_total": _MONEY,
    "commissioning_support_budget": _MONEY,
    "commissioning_support_per_head": _MONEY,
    "warnings": {"type": "array", "items": {"$ref": "#/components/schemas/Warning"}},
}
add_schema("ReckonerResult", {
    "type": "object",
    "required": list(_RECKONER_RESULT_PROPERTIES),
    "properties": _RECKONER_RESULT_PROPERTIES,
})
_BY_MODE = {"type": "object", "properties": {mode: {"type": "string"} for mode in MODES}}
add_schema("ScenarioYear", {
    "type": "object",
    "properties": {
        "financial_year": {"type": "string"},
        "allowance_per_head": _MONEY,
        **_RECKONER_RESULT_PROPERTIES,
        "lines": {"type": "array", "items": {"type": "object", "properties": {
            "service": {"type": "string"}, "mode": {"type": "string", "enum": list(MODES)},
            "annual_cost": _MONEY}}},
        "totals_by_mode": _BY_MODE,
        "total_spend": _MONEY,
        "balance": {**_MONEY, "description": "Money available less spend; negative is a "
                                             "shortfall."},
        "spend_split_percent": _BY_MODE,
        "service_split_percent": _BY_MODE,
        "survey_split_percent": _BY_MODE,
    },
})
add_schema("Scenario", {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "status": {"type": "string", "enum": ["draft", "final"]},
        "organisation": {"type": "object", "properties": {
            "id": {"type": "integer"}, "name": {"type": "string"},
            "ods_code": {"type": "string"}}},
        "population": {"type": "integer"},
        "financial_year": {"type": "string"},
        "allowance_per_head_override": {**_MONEY, "nullable": True},
        "years": {"type": "array", "items": {"$ref": "#/components/schemas/ScenarioYear"}},
    },
})
add_path("/reckoner", "post", {
    "summary": "Work out what a CCG can afford for commissioning support (nothing is saved)",
    "operationId": "computeReckoner",
    "security": [],
    "requestBody": {"required": True, "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/ReckonerRequest"}}}},
    "responses": {
        "200": {"description": "The result, money as decimal strings to the penny",
                "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/ReckonerResult"}}}},
        "400": {"$ref": "#/components/responses/BadRequest"},
        "429": {"description": "Too many requests",
                "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Errors"}}}},
    },
})
add_path("/scenarios/{scenario_id}", "get", {
    "summary": "A saved scenario's full do / share / buy result, for its own CCG only",
    "operationId": "getScenario",
    "security": [{"session": []}],
    "parameters": [{"name": "scenario_id", "in": "path", "required": True,
                    "schema": {"type": "integer"}}],
    "responses": {
        "200": {"description": "The scenario and its result for every year",
                "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Scenario"}}}},
        "401": {"$ref": "#/components/responses/Unauthorised"},
        "404": {"$ref": "#/components/responses/NotFound"},
    },
})
