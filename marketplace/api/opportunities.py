"""Published opportunities (further competitions) as open data: /api/v1/opportunities."""

from flask import jsonify, request

from marketplace.access import PUBLIC, allow
from marketplace.public_urls import public_url
from marketplace.services import public_opportunities as service
from marketplace.services.errors import ServiceError

from . import bp
from .errors import error_response
from .openapi import add_schema, document


def _page_url(status, page: int, per_page: int) -> str:
    values = {"page": page, "per_page": per_page}
    if status:
        values["status"] = status
    return public_url("api.opportunities", **values)


@bp.get("/opportunities")
@allow(PUBLIC)
def opportunities():
    try:
        status, page, per_page = service.parse_listing(request.args)
    except ServiceError as error:
        return error_response([(error.field, error.message)])
    result = service.published_opportunities(status, page, per_page)
    links = {"self": _page_url(status, page, per_page)}
    if page < result.pages:
        links["next"] = _page_url(status, page + 1, per_page)
    if page > 1:
        links["prev"] = _page_url(status, min(page - 1, result.pages), per_page)
    return jsonify(items=result.opportunities, page=result.page, per_page=result.per_page,
                   total=result.total, pages=result.pages, links=links)


_DATE_TIME = {"type": "string", "format": "date-time", "nullable": True}
_DATE = {"type": "string", "format": "date", "nullable": True}
add_schema("Opportunity", {
    "type": "object",
    "description": "A further competition a CCG (or several together) published. Never a "
                   "response's contents, nor who responded.",
    "required": ["reference", "ocid", "title", "status", "buyers", "specifications",
                 "criteria", "closes_at"],
    "properties": {
        "reference": {"type": "string", "example": "PRC-05A-001"},
        "ocid": {"type": "string", "example": "ocds-cssmkt-PRC-05A-001",
                 "description": "Its OCDS record: /ocds/records/{ocid}."},
        "title": {"type": "string"},
        "description": {"type": "string"},
        "status": {"type": "string", "enum": list(service.STATUSES),
                   "description": "open until the closing time; evaluation after it; "
                                  "standstill once awarded; then awarded, none_suitable or "
                                  "cancelled."},
        "status_label": {"type": "string", "example": "Open for responses"},
        "buyers": {"type": "array", "items": {"type": "object", "properties": {
            "name": {"type": "string"}, "ods_code": {"type": "string", "nullable": True},
            "lead": {"type": "boolean"}}}},
        "specifications": {"type": "array", "items": {"type": "object", "properties": {
            "code": {"type": "string"}, "name": {"type": "string"}}}},
        "open_to": {"type": "string"},
        "published_at": _DATE_TIME,
        "questions_close_at": _DATE_TIME,
        "closes_at": _DATE_TIME,
        "contract_start": _DATE,
        "contract_end": _DATE,
        "budget_over_full_term": {"allOf": [{"$ref": "#/components/schemas/Money"}],
                                  "nullable": True,
                                  "description": "Null when the buyer withholds the budget."},
        "criteria": {"type": "array", "items": {"type": "object", "properties": {
            "name": {"type": "string"}, "kind": {"type": "string", "enum": ["quality", "price"]},
            "weight": {"type": "integer", "minimum": 0, "maximum": 100}}}},
        "award": {"type": "object", "nullable": True, "properties": {
            "supplier": {"type": "string"},
            "decided_at": _DATE_TIME,
            "standstill_ends_on": _DATE,
            "value_over_full_term": {"$ref": "#/components/schemas/Money"}}},
    },
})
document("/opportunities", "get", {
    "summary": "Published opportunities",
    "operationId": "listOpportunities",
    "description": "Every further competition published by CCGs, newest first: open, closed "
                   "under evaluation, awarded, none suitable and cancelled. Public; no "
                   "sign-in. Paginated: follow links.next.",
    "tags": ["Open contracting"],
    "security": [],
    "parameters": [
        {"name": "status", "in": "query", "schema": {"type": "string",
                                                      "enum": list(service.STATUSES)}},
        {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1,
                                                    "maximum": service.MAX_PAGE}},
        {"name": "per_page", "in": "query", "schema": {
            "type": "integer", "minimum": 1, "maximum": service.MAX_PER_PAGE,
            "default": service.DEFAULT_PER_PAGE}},
    ],
    "responses": {
        "200": {"description": "One page of opportunities", "content": {"application/json": {
            "schema": {"type": "object",
                       "required": ["items", "page", "per_page", "total", "pages", "links"],
                       "properties": {
                           "items": {"type": "array",
                                     "items": {"$ref": "#/components/schemas/Opportunity"}},
                           "page": {"type": "integer"}, "per_page": {"type": "integer"},
                           "total": {"type": "integer"}, "pages": {"type": "integer"},
                           "links": {"type": "object", "properties": {
                               "self": {"type": "string"}, "next": {"type": "string"},
                               "prev": {"type": "string"}}}}}}}},
        "400": {"$ref": "#/components/responses/BadRequest"},
    },
})
