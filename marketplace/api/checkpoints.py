"""GET /api/v1/checkpoints/<number>/results: one entry per CSS, for the BDU and admins."""

from flask import jsonify

from marketplace.access import allow, owns, roles
from marketplace.models import Checkpoint, Role
from marketplace.services import tracker
from marketplace.services.checkpoints import checkpoint_by_number

from . import bp
from .errors import ApiError
from .openapi import add_schema, document


def _checkpoint(number: int) -> Checkpoint:
    checkpoint = checkpoint_by_number(number)
    if checkpoint is None:
        raise ApiError("number", f"There is no checkpoint {number}", 404)
    return checkpoint


@bp.get("/checkpoints/<int:number>/results")
@allow(roles(Role.BDU_REVIEWER, Role.ADMIN))
@owns("number", Checkpoint, find=_checkpoint, name="checkpoint")
def checkpoint_results(checkpoint):
    return jsonify(checkpoint={"number": checkpoint.number, "name": checkpoint.name,
                               "rule": checkpoint.rule_key},
                   results=tracker.results(checkpoint))


add_schema("CheckpointResult", {
    "type": "object",
    "required": ["organisation_id", "organisation", "status", "status_label", "outcome"],
    "properties": {
        "organisation_id": {"type": "integer"},
        "organisation": {"type": "string"},
        "region": {"type": "string", "nullable": True},
        "status": {"type": "string",
                   "enum": ["not_submitted", "awaiting_review", "in_review", "signed_off"]},
        "status_label": {"type": "string"},
        "outcome": {"type": "string", "nullable": True,
                    "description": "The signed-off outcome code, e.g. A, B, C or host."},
        "outcome_label": {"type": "string", "nullable": True},
        "scenario": {"type": "string", "nullable": True, "enum": ["A", "B", "C", None],
                     "description": "Checkpoint 2 only: the scenario letter."},
        "signed_off_at": {"type": "string", "format": "date-time", "nullable": True},
    },
})

document("/checkpoints/{number}/results", "get", {
    "summary": "Results of one assurance checkpoint, one entry per CSS",
    "operationId": "getCheckpointResults",
    "description": "For BDU reviewers and administrators only. Outcomes appear once a "
                   "review is signed off; at checkpoint 2 each entry carries its scenario.",
    "security": [{"session": []}],
    "parameters": [{"name": "number", "in": "path", "required": True,
                    "schema": {"type": "integer", "minimum": 1}}],
    "responses": {
        "200": {"description": "The checkpoint and its results",
                "content": {"application/json": {"schema": {
                    "type": "object",
                    "properties": {
                        "checkpoint": {"type": "object", "properties": {
                            "number": {"type": "integer"}, "name": {"type": "string"},
                            "rule": {"type": "string"}}},
                        "results": {"type": "array",
                                    "items": {"$ref": "#/components/schemas/CheckpointResult"}},
                    }}}}},
        "401": {"$ref": "#/components/responses/Unauthorised"},
        "403": {"description": "Signed in, but not a BDU reviewer or administrator.",
                "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Error"}}}},
        "404": {"$ref": "#/components/responses/NotFound"},
    },
})
