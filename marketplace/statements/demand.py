from flask import render_template, request
from flask_login import current_user

from marketplace.services import statements as service

from . import demand_bp


def _id(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None


@demand_bp.route("")
def index():
    demand = service.aggregated_demand(current_user, region_id=_id("region"),
                                       cluster=(request.args.get("cluster") or "")[:120] or None,
                                       specification_id=_id("specification"))
    return render_template("statements/demand.html", demand=demand,
                           title="Demand across CCGs")
