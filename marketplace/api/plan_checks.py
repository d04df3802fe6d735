"""POST /api/v1/business-plans/analysis: the BDU's plan checks on a financial model, before
it is submitted. Nothing is saved.

The body is read here, not by Flask: amounts may be JSON numbers, read as exact decimals
(never floats), and nesting, size, NUL characters and huge numbers are refused with the
field at fault named, before any figure reaches the checks.
"""

import json
from decimal import Decimal

from flask import request
from flask_login import current_user

from marketplace.access import allow, roles
from marketplace.domain.business_plan import YEARS_IN_PLAN, Expenditure

# The same limits as the financial model itself (domain/number_ranges.py lists them).
from marketplace.domain.inputs import MAX_AMOUNT, MAX_PLAN_WTE
from marketplace.domain.plan_checks import (
    THRESHOLD_SPECS,
    CheckCode,
    PlanCheckResult,
    Severity,
    Unit,
)
from marketplace.models import Role
from marketplace.services import plan_checks as service
from marketplace.services.business_plans import PlanInvalid

from . import bp
from .errors import ApiError, error_response
from .exact_json import exact_json_response
from .openapi import add_path, add_schema

MAX_BODY_BYTES = 256 * 1024
MAX_DEPTH = 6  # the model's deepest path: body -> table -> year -> customer -> amount
MAX_KEYS = 300  # customers or service lines in one year
MAX_KEY_LENGTH = 80
TABLES = ("income_by_customer", "income_by_service_line", "expenditure", "wte")
OPTIONAL = ("pct_baseline", "retained_surplus", "provider_id")


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a number")


def _depth(text: str) -> int:
    """The deepest nesting of objects and arrays, counted without parsing (a parser given
    thousands of levels would run out of stack first)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def read_body() -> dict:
    if not request.is_json:
        raise ApiError("request", "Send the request body as JSON (Content-Type: "
                                  "application/json)")
    if (request.content_length or 0) > MAX_BODY_BYTES:
        raise ApiError("request", f"The request body is larger than {MAX_BODY_BYTES // 1024} KB",
                       413)
    raw = request.get_data(cache=False)
    if len(raw) > MAX_BODY_BYTES:
        raise ApiError("request", f"The request body is larger than {MAX_BODY_BYTES // 1024} KB",
                       413)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError("request", "The request body is not UTF-8") from None
    if _depth(text) > MAX_DEPTH:
        raise ApiError("request", f"The request body nests deeper than a financial model "
                                  f"({MAX_DEPTH} levels)")
    try:
        # Numbers as exact decimals: a float would lose pence, and huge integers are checked
        # against MAX_AMOUNT below rather than converted.
        data = json.loads(text, parse_float=Decimal, parse_int=Decimal,
                          parse_constant=_refuse_constant)
    except ValueError:
        raise ApiError("request", "The request body is not valid JSON") from None
    if not isinstance(data, dict):
        raise ApiError("request", "The request body must be a JSON object")
    return data


def _check_text(field: str, value: str) -> None:
    if "\x00" in value or any(ord(char) < 32 for char in value):
        raise ApiError(field, "must not contain control characters")
    if len(value) > MAX_KEY_LENGTH:
        raise ApiError(field, f"must be at most {MAX_KEY_LENGTH} characters")


def _amount(field: str, value, limit: Decimal = MAX_AMOUNT) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | Decimal):
        raise ApiError(field, "must be an amount, as a number or a decimal string such as "
                              "\"1500000.00\"")
    if isinstance(value, str):
        _check_text(field, value)
        text = value.strip()
        try:
            value = Decimal(text) if text.isascii() else None
        except ArithmeticError:
            value = None
        if value is None:
            raise ApiError(field, "is not a decimal number")
    if not value.is_finite() or abs(value) > limit:
        raise ApiError(field, f"must be a finite number of at most {limit:,}")
    if value.as_tuple().exponent < -2:
        raise ApiError(field, "must have at most two decimal places")
    return value


def _object(field: str, value) -> dict:
    if not isinstance(value, dict):
        raise ApiError(field, "must be a JSON object")
    if len(value) > MAX_KEYS:
        raise ApiError(field, f"must have at most {MAX_KEYS} entries")
    for key in value:
        if any(ord(char) < 32 for char in key) or len(key) > MAX_KEY_LENGTH:
            raise ApiError(field, f"has a key with control characters or longer than "
                                  f"{MAX_KEY_LENGTH} characters")
    return value


def read_model(data: dict) -> dict:
    """The body as the stored financial model's shape (amounts as strings); ApiError names
    the first field whose type or size is wrong. The figures' own rules (four consecutive
    years, totals that agree, known CCGs) are the financial model's."""
    unknown = sorted(set(data) - {"years", *TABLES, *OPTIONAL})
    if unknown:
        shown = "".join(c for c in unknown[0][:MAX_KEY_LENGTH] if ord(c) >= 32)
        raise ApiError(shown or "request", "is not a field of the financial model")
    years = data.get("years")
    if not isinstance(years, list) or len(years) != YEARS_IN_PLAN \
            or not all(isinstance(y, str) for y in years):
        raise ApiError("years", f"must be a list of {YEARS_IN_PLAN} financial years such as "
                                "\"2013/14\"")
    for index, year in enumerate(years):
        _check_text(f"years[{index}]", year)
    model: dict = {"years": years}
    for table in TABLES:
        rows = _object(table, data.get(table))
        model[table] = {}
        for year, row in rows.items():
            where = f"{table}[{year}]"
            if table == "wte":
                model[table][year] = str(_amount(where, row, MAX_PLAN_WTE))
                continue
            row = _object(where, row)
            if table == "expenditure":
                extra = sorted(set(row) - set(Expenditure.PARTS))
                if extra:
                    raise ApiError(f"{where}[{extra[0]}]", "must be pay, non_pay or overheads")
            model[table][year] = {key: str(_amount(f"{where}[{key}]", amount))
                                  for key, amount in row.items()}
    if data.get("pct_baseline") is not None:
        baseline = _object("pct_baseline", data["pct_baseline"])
        extra = sorted(set(baseline) - {"wte", "pay"})
        if extra:
            raise ApiError(f"pct_baseline[{extra[0]}]", "must be wte or pay")
        model["pct_baseline"] = {
            "wte": str(_amount("pct_baseline[wte]", baseline.get("wte"), MAX_PLAN_WTE)),
            "pay": str(_amount("pct_baseline[pay]", baseline.get("pay"))),
        }
    if data.get("retained_surplus") is not None:
        model["retained_surplus"] = {
            year: str(_amount(f"retained_surplus[{year}]", amount))
            for year, amount in _object("retained_surplus", data["retained_surplus"]).items()
        }
    return model


def _provider_id(data: dict) -> int | None:
    """A CSS leader checks against its own agreements; the BDU may name a CSS."""
    given = data.get("provider_id")
    if current_user.role == Role.CSS_LEADER:
        if given is not None and given != current_user.organisation_id:
            raise ApiError("provider_id", "A CSS leader checks plans against its own "
                                          "agreements: leave provider_id out")
        return current_user.organisation_id
    if given is None:
        return None
    if not isinstance(given, Decimal) or given != given.to_integral_value() \
            or not 0 < given < 2**31:
        raise ApiError("provider_id", "must be the id of a CSS")
    if not service.is_provider(int(given)):
        raise ApiError("provider_id", "there is no CSS with this id")
    return int(given)


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def _value(figure) -> str:
    if figure.unit is Unit.MONEY:
        return _money(figure.value)
    return str(figure.value)


def result_json(result: PlanCheckResult) -> dict:
    stress = result.stress_test
    return {
        "thresholds": result.thresholds.values(),
        "years": [{
            "year": row.year, "income": _money(row.income),
            "expenditure": _money(row.expenditure), "surplus": _money(row.surplus),
            "cumulative": _money(row.cumulative),
            "growth_percent": None if row.growth_percent is None else str(row.growth_percent),
            "pay": _money(row.pay), "wte": str(row.wte),
            "cost_per_wte": None if row.cost_per_wte is None else _money(row.cost_per_wte),
        } for row in result.years],
        "cumulative": _money(result.cumulative),
        "break_even_year": result.break_even_year,
        "largest_customer": result.largest_customer,
        "largest_customer_share_percent": None if result.largest_customer_share_percent is None
        else str(result.largest_customer_share_percent),
        "stress_test": None if stress is None else {
            "customer": stress.customer, "break_months": stress.break_months,
            "cumulative": _money(stress.cumulative),
            "years": [{"year": y.year, "income_lost": _money(y.income_lost),
                       "costs_saved": _money(y.costs_saved), "surplus": _money(y.surplus),
                       "cumulative": _money(y.cumulative)} for y in stress.years],
        },
        "lines": [{
            "customer": line.customer, "customer_name": line.customer_name,
            "specification": line.specification,
            "specification_name": line.specification_name,
            "planned": {y: _money(v) for y, v in line.planned.items()},
            "intends_to_buy": line.intends_to_buy,
            "intended_annual": None if line.intended_annual is None
            else _money(line.intended_annual),
            "agreed": {y: _money(v) for y, v in line.agreed.items()},
        } for line in result.lines],
        "flags": [{
            "code": flag.code.value, "severity": flag.severity.value, "message": flag.message,
            "figures": [{"key": f.key, "label": f.label, "value": _value(f),
                         "unit": f.unit.value, "text": f.text} for f in flag.figures],
        } for flag in result.flags],
    }


@bp.route("/business-plans/analysis", methods=["POST"])
@allow(roles(Role.CSS_LEADER, Role.BDU_REVIEWER))
def business_plan_analysis():
    data = read_body()
    model = read_model(data)
    provider_id = _provider_id(data)
    try:
        result = service.check_financial_model(model, provider_id)
    except PlanInvalid as error:
        return error_response(error.problems)
    return exact_json_response(result_json(result))


# --- the OpenAPI description ----------------------------------------------------------------

_AMOUNT_IN = {"oneOf": [{"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]{1,2})?$"},
                        {"type": "number"}],
              "description": "Pounds: a decimal string (best) or a JSON number, at most two "
                             "decimal places, at most 1,000,000,000."}
_YEAR = {"type": "string", "pattern": r"^[0-9]{4}/[0-9]{2}$", "example": "2013/14"}
_BY_YEAR = {"type": "object", "maxProperties": YEARS_IN_PLAN,
            "description": "Keyed by each of the four years."}
_EXAMPLE_YEARS = ["2013/14", "2014/15", "2015/16", "2016/17"]
_EXAMPLE_INCOME = ["10000000.00", "9800000.00", "9500000.00", "9400000.00"]
_EXAMPLE_SPEND = ["9900000.00", "9700000.00", "9400000.00", "9300000.00"]


def _split(total: str, shares: dict[str, str]) -> dict[str, str]:
    return {key: _money(Decimal(total) * Decimal(share)) for key, share in shares.items()}


EXAMPLE_REQUEST = {
    "years": _EXAMPLE_YEARS,
    "income_by_customer": {y: _split(t, {"00C": "0.32", "00D": "0.28", "01A": "0.20",
                                         "board": "0.10", "other": "0.10"})
                           for y, t in zip(_EXAMPLE_YEARS, _EXAMPLE_INCOME, strict=True)},
    "income_by_service_line": {y: _split(t, {"BI-DSS": "0.5", "MON-CTM": "0.5"})
                               for y, t in zip(_EXAMPLE_YEARS, _EXAMPLE_INCOME, strict=True)},
    "expenditure": {y: _split(t, {"pay": "0.7", "non_pay": "0.2", "overheads": "0.1"})
                    for y, t in zip(_EXAMPLE_YEARS, _EXAMPLE_SPEND, strict=True)},
    "wte": dict(zip(_EXAMPLE_YEARS, ["154.0", "150.9", "146.2", "144.7"], strict=True)),
    "pct_baseline": {"wte": "160.0", "pay": "7100000.00"},
}

def _example_response() -> dict:
    """What the worked example answers with the default thresholds, the published allowances
    and no CCG having said anything of buying: worked out by the checks themselves."""
    from marketplace.domain.business_plan import FinancialModel
    from marketplace.domain.plan_checks import DEFAULT_THRESHOLDS, PlanInputs, WorkforceBaseline
    from marketplace.domain.plan_checks import check_plan as run_checks

    example = EXAMPLE_REQUEST
    model = FinancialModel(tuple(example["years"]), example["income_by_customer"],
                           example["income_by_service_line"], example["expenditure"],
                           example["wte"])
    baseline = WorkforceBaseline(Decimal(example["pct_baseline"]["wte"]),
                                 Decimal(example["pct_baseline"]["pay"]))
    allowances = {"2013/14": Decimal("25.00"), "2014/15": Decimal("24.73"),
                  "2015/16": Decimal("22.07")}
    catalogue = {"BI-DSS": "Decision support, dashboards and benchmarking",
                 "MON-CTM": "Contract monitoring and provider management"}
    names = {"00C": "NHS Darlington CCG",
             "00D": "NHS Durham Dales, Easington and Sedgefield CCG",
             "01A": "NHS East Lancashire CCG"}
    inputs = PlanInputs(model, allowances, {}, baseline, {}, catalogue, names)
    return result_json(run_checks(inputs, DEFAULT_THRESHOLDS))


EXAMPLE_RESPONSE = _example_response()

add_schema("FinancialModelRequest", {
    "type": "object",
    "required": ["years", *TABLES],
    "additionalProperties": False,
    "description": "The fields of the financial model template (XLSX). Income by customer "
                   "must add up to income by service line in each year. Customers are CCG "
                   "ODS codes, \"board\" or \"other\"; service lines are catalogue specification "
                   "codes (GET /api/v1/specifications) or \"other\". At most 256 KB, six "
                   "levels deep, "
                   f"{MAX_KEYS} entries per year.",
    "properties": {
        "years": {"type": "array", "items": _YEAR, "minItems": 4, "maxItems": 4},
        "income_by_customer": {**_BY_YEAR, "additionalProperties": {
            "type": "object", "maxProperties": MAX_KEYS, "additionalProperties": _AMOUNT_IN}},
        "income_by_service_line": {**_BY_YEAR, "additionalProperties": {
            "type": "object", "maxProperties": MAX_KEYS, "additionalProperties": _AMOUNT_IN}},
        "expenditure": {**_BY_YEAR, "additionalProperties": {
            "type": "object", "required": list(Expenditure.PARTS), "additionalProperties": False,
            "properties": {part: _AMOUNT_IN for part in Expenditure.PARTS}}},
        "wte": {**_BY_YEAR, "additionalProperties": _AMOUNT_IN},
        "pct_baseline": {"type": "object", "nullable": True, "required": ["wte", "pay"],
                         "additionalProperties": False,
                         "description": "The PCT cluster's workforce the plan starts from.",
                         "properties": {"wte": _AMOUNT_IN, "pay": _AMOUNT_IN}},
        "retained_surplus": {**_BY_YEAR, "nullable": True, "additionalProperties": _AMOUNT_IN,
                             "description": "Surpluses the plan assumes the CSS keeps."},
        "provider_id": {"type": "integer", "nullable": True,
                        "description": "BDU only: the CSS whose signed agreements back the "
                                       "income. A CSS leader's own CSS is always used."},
    },
    "example": EXAMPLE_REQUEST,
})
add_schema("PlanCheckFlag", {
    "type": "object",
    "required": ["code", "severity", "message", "figures"],
    "properties": {
        "code": {"type": "string", "enum": [code.value for code in CheckCode],
                 "description": "Stable: keep to these codes, not the words."},
        "severity": {"type": "string", "enum": [s.value for s in Severity]},
        "message": {"type": "string", "description": "The flag in plain words."},
        "figures": {"type": "array", "items": {
            "type": "object", "required": ["key", "label", "value", "unit", "text"],
            "properties": {
                "key": {"type": "string", "example": "ccg_income[2015/16]"},
                "label": {"type": "string", "example": "Income from CCGs, 2015/16"},
                "value": {"type": "string", "example": "8640000.00"},
                "unit": {"type": "string", "enum": [u.value for u in Unit]},
                "text": {"type": "string", "example": "£8,640,000.00"}}}},
    },
})
_MONEY = {"$ref": "#/components/schemas/Money"}
add_schema("PlanCheckResult", {
    "type": "object",
    "required": ["thresholds", "years", "cumulative", "flags"],
    "properties": {
        "thresholds": {"type": "object", "description": "The values the checks used.",
                       "properties": {spec.key: {"type": "string", "description": spec.label}
                                      for spec in THRESHOLD_SPECS}},
        "years": {"type": "array", "items": {"type": "object", "properties": {
            "year": _YEAR, "income": _MONEY, "expenditure": _MONEY, "surplus": _MONEY,
            "cumulative": _MONEY, "growth_percent": {"type": "string", "nullable": True},
            "pay": _MONEY, "wte": {"type": "string"},
            "cost_per_wte": {**_MONEY, "nullable": True}}}},
        "cumulative": _MONEY,
        "break_even_year": {"type": "string", "nullable": True},
        "largest_customer": {"type": "string", "nullable": True},
        "largest_customer_share_percent": {"type": "string", "nullable": True},
        "stress_test": {"type": "object", "nullable": True, "properties": {
            "customer": {"type": "string"}, "break_months": {"type": "integer"},
            "cumulative": _MONEY,
            "years": {"type": "array", "items": {"type": "object", "properties": {
                "year": _YEAR, "income_lost": _MONEY, "costs_saved": _MONEY,
                "surplus": _MONEY, "cumulative": _MONEY}}}}},
        "lines": {"type": "array", "description": "Per CCG and specification: the plan's "
                  "income (each CCG's income spread over the service lines pro rata), the "
                  "CCG's stated intention to buy with its budget a year, and signed agreements "
                  "in each year.", "items": {"type": "object", "properties": {
                      "customer": {"type": "string"}, "customer_name": {"type": "string"},
                      "specification": {"type": "string"},
                      "specification_name": {"type": "string"},
                      "planned": {"type": "object", "additionalProperties": _MONEY},
                      "intends_to_buy": {"type": "boolean"},
                      "intended_annual": {**_MONEY, "nullable": True},
                      "agreed": {"type": "object", "additionalProperties": _MONEY}}}},
        "flags": {"type": "array", "items": {"$ref": "#/components/schemas/PlanCheckFlag"}},
    },
})
add_path("/business-plans/analysis", "post", {
    "summary": "Check a financial model before submitting it (nothing is saved)",
    "operationId": "analyseBusinessPlan",
    "description": "The BDU's plan checks, with the thresholds in force: flat income, income "
                   "growth against falling running cost allowances, deficits and the "
                   "cumulative position, surpluses kept, pay against WTE, a workforce copied "
                   "from the PCT cluster, concentration on one customer with a stress test at "
                   "the next agreement break, and income with no intention or agreement "
                   "behind it. For CSS leaders and BDU reviewers.",
    "security": [{"session": []}],
    "requestBody": {"required": True, "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/FinancialModelRequest"},
        "examples": {"worked": {
            "summary": "Four years of income falling with CCGs' allowances, £45,000 of pay "
                       "per WTE and a PCT cluster baseline; the answer flags income from "
                       "CCGs that have stated no intention to buy",
            "value": EXAMPLE_REQUEST}}}}},
    "responses": {
        "200": {"description": "The year-by-year position, the stress test and the flags",
                "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/PlanCheckResult"},
                    "examples": {"worked": {
                        "summary": "The answer to the worked request, when none of its CCGs "
                                   "has stated an intention to buy",
                        "value": EXAMPLE_RESPONSE}}}}},
        "400": {"$ref": "#/components/responses/BadRequest"},
        "401": {"$ref": "#/components/responses/Unauthorised"},
        "403": {"description": "Signed in, but not as a CSS leader or a BDU reviewer.",
                "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Errors"}}}},
        "413": {"description": "The request body is larger than 256 KB.",
                "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Errors"}}}},
    },
})
