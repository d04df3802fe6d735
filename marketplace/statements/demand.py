from flask import render_template, request
from flask_login import current_user

from marketplace.domain.whole_numbers import whole_number
from marketplace.services import statements as service

from . import demand_bp


def _id(name: str) -> int | None:
    return whole_number(request.args.get(name, ""))


@demand_bp.route("")
def index():
    demand = service.aggregated_demand(current_user, region_id=_id("region"),
                                       cluster=(request.args.get("cluster") or "")[:120] or None,
                                       specification_id=_id("specification"))
    return render_template("statements/demand.html", demand=demand,
                           title="Demand across CCGs")
