"""Whole-market sufficiency (/demand/sufficiency), for the BDU only: every CSS's planned
income from each CCG against what the CCG can afford and says it intends to buy, with CSV and
XLSX downloads. SHA clusters and administrators see demand, not the market's plans."""

from flask import Response, render_template, request
from markupsafe import Markup

from marketplace.access import allow, roles
from marketplace.domain.reckoner import FINANCIAL_YEARS
from marketplace.models import Role
from marketplace.pagination import page_number, paginate_items
from marketplace.services import market_cache
from marketplace.services import sufficiency as service

from . import demand_bp
from .sufficiency_exports import XLSX_TYPE, csv_text, workbook_bytes

BDU_ONLY = roles(Role.BDU_REVIEWER)
# The table of every CCG is paged (the CCGs over their headroom have their own table above;
# the CSV and XLSX carry every CCG).
CCGS_PAGE_SIZE = 50


def _year() -> str:
    chosen = request.args.get("year", "")
    return chosen if chosen in FINANCIAL_YEARS else FINANCIAL_YEARS[0]


@demand_bp.route("/sufficiency")
@allow(BDU_ONLY)
def sufficiency():
    year = _year()
    tables = market_cache.remembered(
        {"page": "demand.sufficiency", "year": year, "ccgs_page": page_number(request.args)},
        lambda: _tables(year))
    return render_template("statements/sufficiency.html", tables=Markup(tables),
                           title="Whole-market sufficiency")


def _tables(year: str) -> str:
    # The page shows one year: work out only that one (the downloads take every year).
    view = service.sufficiency((year,)).year(year)
    return render_template(
        "statements/sufficiency-tables.html",
        view=view,
        ccgs=paginate_items(view.ccgs, per_page=CCGS_PAGE_SIZE),
        years=FINANCIAL_YEARS,
        year=year,
    )


@demand_bp.route("/sufficiency.csv")
@allow(BDU_ONLY)
def sufficiency_csv():
    return Response(
        csv_text(service.sufficiency()),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="market-sufficiency.csv"'},
    )


@demand_bp.route("/sufficiency.xlsx")
@allow(BDU_ONLY)
def sufficiency_xlsx():
    return Response(
        workbook_bytes(service.sufficiency()),
        mimetype=XLSX_TYPE,
        headers={"Content-Disposition": 'attachment; filename="market-sufficiency.xlsx"'},
    )
