"""Public catalogue API: specifications, published offers (searched as /offers is) and providers."""

from flask import jsonify, request
from flask_login import current_user

from marketplace.access import PUBLIC, allow, owner_exempt
from marketplace.extensions import db
from marketplace.models import PROVIDER_KINDS, Offer, Organisation, ProspectusVersion
from marketplace.policies import may
from marketplace.search import (
    DEFAULT_PER_PAGE,
    MAX_PER_PAGE,
    REFERENCE_POPULATION,
    SORT_LABELS,
    OfferFilters,
    parse_filters,
    parse_page,
    parse_sort,
    search_offers,
)
from marketplace.services import catalogue, prospectuses
from marketplace.services.assurance import assurance_label, assurance_status_for

from . import bp
from .errors import ApiError, error_response
from .openapi import add_schema, document


def _money(value) -> str | None:
    return None if value is None else f"{value:.2f}"


def specification_json(spec) -> dict:
    return {
        "code": spec.code,
        "name": spec.name,
        "description": spec.description,
        "phase": spec.phase,
        "nature": spec.nature,
        "scale": spec.scale,
        "expected_outputs": [line for line in spec.expected_outputs.splitlines() if line.strip()],
        "expected_service_levels": [
            line for line in spec.expected_service_levels.splitlines() if line.strip()
        ],
        "retired": spec.is_retired,
    }


def offer_json(offer: Offer, *, assurance: str, cost_per_head=None) -> dict:
    version: ProspectusVersion = offer.prospectus_version
    data = {
        "id": offer.id,
        "lineage": offer.lineage,
        "title": offer.title,
        "description": offer.description,
        "specification": offer.specification.code,
        "provider": {"id": offer.organisation_id, "name": offer.organisation.name,
                     "kind": offer.organisation.kind},
        "prospectus_version": {"number": version.number, "status": version.status},
        "delivery_model": offer.delivery_model,
        "pricing_model": offer.pricing_model,
        "price": _money(offer.price),
        "estimated_quantity": None if offer.estimated_quantity is None
        else f"{offer.estimated_quantity.normalize():f}",
        "minimum_term_months": offer.minimum_term_months,
        "available_from": offer.available_from.isoformat() if offer.available_from else None,
        "service_levels": offer.service_levels or [],
        "assurance_status": assurance,
    }
    if cost_per_head is not None:
        data["cost_per_head"] = _money(cost_per_head)
    return data


@bp.get("/specifications")
@allow(PUBLIC)
def specifications():
    include_retired = request.args.get("include_retired", "false")
    if include_retired not in ("true", "false"):
        raise ApiError("include_retired", "include_retired must be true or false")
    specs = catalogue.list_specifications(include_retired=include_retired == "true")
    return jsonify(items=[specification_json(spec) for spec in specs])


@bp.get("/offers")
@allow(PUBLIC)
def offers():
    filters, errors = parse_filters(request.args)
    page, per_page, page_errors = parse_page(request.args, per_page_allowed=True)
    errors += page_errors
    population = None
    if current_user.is_authenticated and may(current_user, "act_for_ccg",
                                             current_user.organisation):
        population = current_user.organisation.population
    # The same orders as the search page: relevance, price, and cost to the signed-in CCG.
    sort, sort_error = parse_sort(request.args, for_ccg=population is not None)
    if sort_error is not None:
        errors.append(sort_error)
    if errors:
        return error_response([(error.field, error.message) for error in errors])
    result = search_offers(filters, page=page, per_page=per_page, population=population,
                           full=True, sort=sort)
    return jsonify(
        items=[
            offer_json(hit.offer, assurance=hit.assurance_status, cost_per_head=hit.cost_per_head)
            for hit in result.hits
        ],
        page=result.page,
        per_page=result.per_page,
        total=result.total,
        population=result.population,
        population_is_reference=result.population_is_reference,
        sort=result.sort,
        facets={
            facet.name: [
                {"key": option.key, "label": option.label, "count": option.count,
                 "selected": option.selected}
                for option in facet.options
            ]
            for facet in result.facets
        },
    )


@bp.get("/providers/<int:provider_id>")
@allow(PUBLIC)
@owner_exempt("a provider's published prospectus is public")
def provider(provider_id: int):
    provider = db.session.get(Organisation, provider_id)
    if provider is None or provider.kind not in PROVIDER_KINDS:
        raise ApiError("provider_id", "No such provider", 404)
    status = assurance_status_for([provider.id])[provider.id]
    version = prospectuses.current_version(provider.id)
    return jsonify(
        id=provider.id,
        name=provider.name,
        kind=provider.kind,
        region=provider.region.name if provider.region else None,
        assurance_status=status,
        assurance_status_label=assurance_label(status),
        versions=[
            {"number": v.number, "status": v.status, "published_at": v.published_at.isoformat()}
            for v in prospectuses.versions_for(provider.id)
        ],
        prospectus=None if version is None else {
            "number": version.number,
            "published_at": version.published_at.isoformat(),
            **{name: getattr(version, name) for name in prospectuses.CONTENT_FIELDS},
            "ccgs_served": [
                {"ods_code": ccg.ods_code, "name": ccg.name} for ccg in version.ccgs_served
            ],
            "offers": [offer_json(offer, assurance=status) for offer in version.offers],
        },
    )


# -- OpenAPI -------------------------------------------------------------------------------

_STRINGS = {"type": "array", "items": {"type": "string"}}
add_schema("Specification", {
    "type": "object",
    "properties": {
        "code": {"type": "string"}, "name": {"type": "string"},
        "description": {"type": "string"},
        "phase": {"type": "string", "enum": ["planning", "agreeing_contracts",
                                             "monitoring_contracts", "business_support"]},
        "nature": {"type": "string", "enum": ["transformational", "transactional"]},
        "scale": {"type": "string", "enum": ["local", "shared", "national"]},
        "expected_outputs": _STRINGS, "expected_service_levels": _STRINGS,
        "retired": {"type": "boolean"},
    },
})
add_schema("Offer", {
    "type": "object",
    "properties": {
        "id": {"type": "integer"}, "lineage": {"type": "string"}, "title": {"type": "string"},
        "description": {"type": "string"}, "specification": {"type": "string"},
        "provider": {"type": "object", "properties": {
            "id": {"type": "integer"}, "name": {"type": "string"}, "kind": {"type": "string"}}},
        "prospectus_version": {"type": "object", "properties": {
            "number": {"type": "integer"}, "status": {"type": "string"}}},
        "delivery_model": {"type": "string"},
        "pricing_model": {"type": "string",
                          "enum": ["per_head", "fixed_annual", "day_rate", "per_case"]},
        "price": {"type": "string", "description": "£, a decimal string to the penny"},
        "estimated_quantity": {"type": "string", "nullable": True,
                               "description": "Days or cases a year"},
        "minimum_term_months": {"type": "integer"},
        "available_from": {"type": "string", "format": "date", "nullable": True},
        "service_levels": {"type": "array", "items": {"type": "object", "properties": {
            "measure": {"type": "string"}, "target": {"type": "string"}}}},
        "assurance_status": {"type": "string"},
        "cost_per_head": {"type": "string",
                          "description": "£ per head a year at the search's population"},
    },
})
add_schema("FacetOption", {"type": "object", "properties": {
    "key": {"type": "string"}, "label": {"type": "string"}, "count": {"type": "integer"},
    "selected": {"type": "boolean"}}})

_JSON = "application/json"
_BAD = {"$ref": "#/components/responses/BadRequest"}
document("/specifications", "get", {
    "summary": "The service specification catalogue",
    "operationId": "listSpecifications",
    "parameters": [{"name": "include_retired", "in": "query",
                    "schema": {"type": "string", "enum": ["true", "false"]}}],
    "responses": {
        "200": {"description": "Specifications by code", "content": {_JSON: {"schema": {
            "type": "object", "properties": {"items": {
                "type": "array", "items": {"$ref": "#/components/schemas/Specification"}}}}}}},
        "400": _BAD,
    },
})
_FACET_PARAMETERS = [
    {"name": name, "in": "query", "style": "form", "explode": True,
     "description": f"Filter by {name.replace('_', ' ')}; repeat for several (OR).",
     "schema": {"type": "array", "items": {"type": "string"}}}
    for name in OfferFilters().facet_names()
]
document("/offers", "get", {
    "summary": "Search published offers, with facet counts",
    "operationId": "searchOffers",
    "description": "The same search as /offers on the website. Price bands are £ per head a "
    "year: at the signed-in CCG's population, otherwise per-head offers by price and others at "
    f"a reference population of {REFERENCE_POPULATION:,}.",
    "parameters": [
        {"name": "q", "in": "query", "schema": {"type": "string", "maxLength": 200}},
        *_FACET_PARAMETERS,
        {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
        {"name": "per_page", "in": "query", "schema": {
            "type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE,
            "default": DEFAULT_PER_PAGE}},
        {"name": "sort", "in": "query", "description": "The order of the results: "
         + "; ".join(f"{key}: {label.lower()}" for key, label in SORT_LABELS.items())
         + ". cost needs a signed-in CCG user.",
         "schema": {"type": "string", "enum": list(SORT_LABELS), "default": "relevance"}},
    ],
    "responses": {
        "200": {"description": "One page of offers", "content": {_JSON: {"schema": {
            "type": "object", "properties": {
                "items": {"type": "array", "items": {"$ref": "#/components/schemas/Offer"}},
                "page": {"type": "integer"}, "per_page": {"type": "integer"},
                "total": {"type": "integer"}, "population": {"type": "integer"},
                "population_is_reference": {"type": "boolean"},
                "sort": {"type": "string", "enum": list(SORT_LABELS)},
                "facets": {"type": "object", "additionalProperties": {
                    "type": "array", "items": {"$ref": "#/components/schemas/FacetOption"}}},
            }}}}},
        "400": _BAD,
    },
})
document("/providers/{provider_id}", "get", {
    "summary": "A provider, its published prospectus and its version history",
    "operationId": "getProvider",
    "parameters": [{"name": "provider_id", "in": "path", "required": True,
                    "schema": {"type": "integer"}}],
    "responses": {
        "200": {"description": "The provider", "content": {_JSON: {"schema": {
            "type": "object"}}}},
        "404": {"$ref": "#/components/responses/NotFound"},
    },
})
