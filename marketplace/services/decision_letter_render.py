"""A decision letter as a document: the HTML and the PDF, like a review's
(services/review_document_render.py); reports/ does the converting.

The print layout (templates/reports/decision-letter-pdf.html) includes the letter's body
(templates/procurements/decision-letter.html), which a page could show as well. The context
comes only from the decision as recorded (ProcurementDecision.results, the ranking at the
moment of the decision), never from scores read now, so a letter re-rendered from the same
decision says the same thing. Rendering uses the same fonts, stylesheet, printable-text check
and locked-down fetcher as the review documents.
"""

from __future__ import annotations

import re
import time

from flask import current_app

from marketplace.domain.procurement import PRICE_FORMULA, STANDSTILL_RULE
from marketplace.models import Bid, ProcurementDecision
from marketplace.observability.metrics import PDF_RENDER_SECONDS, PDF_RENDERS
from marketplace.reports.fonts import coverage, font_urls
from marketplace.reports.pdf import RenderError, html_to_pdf
from marketplace.reports.printable import PrintableText, printable

from .review_document_render import metadata_date

PRINT_TEMPLATE = "reports/decision-letter-pdf.html"


def letter_filename(bid: Bid, version: int = 1) -> str:
    name = re.sub(r"[^a-z0-9]+", "-", bid.provider.name.lower()).strip("-")
    return f"{bid.procurement.reference}-decision-{name}-v{version}.pdf"


def letter_context(decision: ProcurementDecision, bid: Bid, *, version: int = 1) -> dict:
    procurement = decision.procurement
    results = decision.results or []
    own = next((row for row in results if row["bid_id"] == bid.id), None)
    winner = next((row for row in results if row["bid_id"] == decision.winning_bid_id), None)
    return {
        "procurement": procurement,
        "decision": decision,
        "bid": bid,
        "provider": bid.provider,
        "own": own,
        "winner": winner if winner is not own else None,
        "is_winner": decision.winning_bid_id == bid.id,
        "winning_provider": decision.winning_bid.provider if decision.winning_bid else None,
        "bidder_count": len(results),
        "version": version,
        "formula": PRICE_FORMULA,
        "standstill_rule": STANDSTILL_RULE,
        "metadata_date": metadata_date(decision.decided_at),
    }


def letter_html(decision: ProcurementDecision, bid: Bid, *, version: int = 1) -> str:
    """From the app's Jinja environment, not render_template: no request, no user."""
    template = current_app.jinja_env.get_template(PRINT_TEMPLATE)
    return template.render(letter_context(decision, bid, version=version), fonts=font_urls())


def printable_letter_html(decision: ProcurementDecision, bid: Bid, *,
                          version: int = 1) -> PrintableText:
    return printable(letter_html(decision, bid, version=version), coverage())


def render_letter_pdf(decision: ProcurementDecision, bid: Bid, *, version: int = 1) -> bytes:
    started = time.perf_counter()
    try:
        content = html_to_pdf(printable_letter_html(decision, bid, version=version).text)
    except RenderError:
        PDF_RENDERS.labels("failed").inc()
        raise
    PDF_RENDERS.labels("rendered").inc()
    PDF_RENDER_SECONDS.observe(time.perf_counter() - started)
    return content
