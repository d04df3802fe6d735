from flask import render_template, request
from flask_login import current_user
from markupsafe import Markup

from marketplace.domain.whole_numbers import whole_number
from marketplace.services import market_cache
from marketplace.services import statements as service

from . import demand_bp


def _id(name: str) -> int | None:
    return whole_number(request.args.get(name, ""))


@demand_bp.route("")
def index():
    asked = {"region_id": _id("region"),
             "cluster": (request.args.get("cluster") or "")[:120] or None,
             "specification_id": _id("specification")}
    # The role decides the links shown and the region the only one a SHA cluster sees.
    who = {"role": str(current_user.role), "region": service.demand_scope(current_user)}
    tables = market_cache.remembered({"page": "demand.index", **who, **asked},
                                     lambda: _tables(asked))
    return render_template("statements/demand.html", tables=Markup(tables),
                           title="Demand across CCGs")


def _tables(asked: dict) -> str:
    demand = service.aggregated_demand(current_user, **asked)
    return render_template("statements/demand-tables.html", demand=demand)
