"""The review charts are pure: figures in, SVG with every figure written out."""

from decimal import Decimal
from xml.etree import ElementTree

from marketplace.domain.market_share import market_share
from marketplace.reports.review_charts import (
    MOST_CUSTOMERS_SHOWN,
    income_by_customer_svg,
    market_share_svg,
)


def _texts(svg: str) -> list[str]:
    tree = ElementTree.fromstring(svg)
    return [node.text for node in tree.iter("{http://www.w3.org/2000/svg}text")]


def test_market_share_is_drawn_in_percent_on_a_scale_of_100():
    share = market_share({"a": 300, "b": 100, "c": 600}, {"a", "b"})
    svg = market_share_svg(share, "Midlands and East")
    assert "40.0% (400 of 1,000 people)" in _texts(svg)
    assert "66.7% (2 of 3 CCGs)" in _texts(svg)
    assert "£" not in svg
    bars = ElementTree.fromstring(svg).iter("{http://www.w3.org/2000/svg}rect")
    assert [bar.get("width") for bar in bars] == ["144.0", "240.1"]  # of 360 for 100%


def test_income_by_customer_gathers_the_smallest_customers():
    totals = [(f"NHS Customer {n} CCG", Decimal(1000 - n)) for n in range(12)]
    texts = _texts(income_by_customer_svg(totals))
    assert "Customer 0 CCG" in texts  # "NHS " is dropped to leave room for the name
    assert f"{12 - MOST_CUSTOMERS_SHOWN} other customers" in texts
    assert "£3,962.00" in texts  # 992 + 991 + 990 + 989, the four smallest


def test_the_same_figures_give_the_same_svg():
    share = market_share({"a": 1}, set())
    assert market_share_svg(share, None) == market_share_svg(share, None)
