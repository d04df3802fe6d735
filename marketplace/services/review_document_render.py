"""A review as a document: what the on-screen page and the PDF show, and the PDF itself.

Both the page (templates/reviews/document.html) and the print layout
(templates/reports/review-pdf.html) show templates/reviews/review-document.html, drawn once
with the context built here, so the PDF says exactly what the screen says. Building the HTML is kept
apart from converting it (reports/pdf.py), so each can be tested and timed on its own.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from flask import current_app
from markupsafe import Markup
from sqlalchemy import select

from marketplace.domain.business_plan import BOARD, OTHER, FinancialModelError
from marketplace.domain.money import ZERO
from marketplace.extensions import db
from marketplace.models import Organisation, OrganisationKind, Review
from marketplace.observability.metrics import PDF_RENDER_SECONDS, PDF_RENDERS
from marketplace.reports.fonts import DEJAVU_FILES as FONT_FILES  # noqa: F401  (tests name the files)
from marketplace.reports.fonts import coverage, font_urls
from marketplace.reports.pdf import RenderError, html_to_pdf
from marketplace.reports.printable import PrintableText, printable
from marketplace.reports.review_charts import (
    income_and_expenditure_svg,
    income_by_customer_svg,
    market_share_svg,
)

PRINT_TEMPLATE = "reports/review-pdf.html"
DOCUMENT_TEMPLATE = "reviews/review-document.html"
ANALYSIS_TEMPLATE = "reviews/analysis.html"
CUSTOMER_NAMES = {BOARD: "NHS Commissioning Board", OTHER: "Other customers"}


@dataclass(frozen=True)
class Chart:
    heading: str
    svg: Markup


def metadata_date(moment: datetime) -> str:
    """W3C date-time for dcterms.created/modified: fixed by the review, never 'now'."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def document_filename(review: Review, version: int = 1) -> str:
    name = re.sub(r"[^a-z0-9]+", "-", review.submission.organisation.name.lower()).strip("-")
    return f"{review.reference}-{name}-v{version}.pdf"


def _customer_totals(model, names: Mapping[str, str] | None = None
                     ) -> list[tuple[str, Decimal]]:
    """Income per customer over the plan, largest first, named. ``names``: the CCG names
    the plan checks read for this model (PlanAnalysis.customer_names), every CCG customer
    of the plan; None reads them here."""
    totals: dict[str, Decimal] = {}
    for year in model.years:
        for customer, amount in model.income_by_customer[year].items():
            totals[customer] = totals.get(customer, ZERO) + amount
    if names is None:
        names = dict(db.session.execute(
            select(Organisation.ods_code, Organisation.name).where(
                Organisation.kind == OrganisationKind.CCG,
                Organisation.ods_code.in_(list(totals)))
        ).all())
    named = [(names.get(code) or CUSTOMER_NAMES.get(code, code), amount)
             for code, amount in totals.items()]
    return sorted(named, key=lambda item: (-item[1], item[0]))


def _financial_model(plan):
    from marketplace.services.business_plans import model_from_json

    if plan is None:
        return None
    try:
        return model_from_json(plan.financial_model)
    except FinancialModelError:
        return None


def _charts(review: Review, model, names: Mapping[str, str] | None = None) -> list[Chart]:
    from marketplace.services.agreements import market_share_as_of

    charts = []
    if model is not None:
        charts.append(Chart("Income and expenditure", Markup(income_and_expenditure_svg(model))))
        charts.append(Chart("Income by customer",
                            Markup(income_by_customer_svg(_customer_totals(model, names)))))
    # An issued review shows the market as it stood when it was signed off.
    share, region_name = market_share_as_of(
        review.submission.organisation,
        as_of=review.signed_off_at if review.is_signed_off else None)
    charts.append(Chart("Market share", Markup(market_share_svg(share, region_name))))
    return charts


def no_financial_model_reason(submission) -> str | None:
    if submission.business_plan is None:
        return (f"{submission.checkpoint.title} reviews a prospectus, which has no financial "
                "model: there are no business-plan figures to analyse.")
    if not submission.business_plan.financial_model:
        return ("The business plan was submitted without a financial model: there are no "
                "figures to analyse.")
    return None


_UNSET = object()


def analysis_html(analysis) -> Markup:
    """The plan checks' tables and flags (reviews/analysis.html): in the review document,
    and on a submission's review page (kept there: review_documents.kept_analysis_html)."""
    return Markup(current_app.jinja_env.get_template(ANALYSIS_TEMPLATE).render(
        analysis=analysis))


def document_context(review: Review, *, version: int = 1, voice=_UNSET) -> dict:
    """``voice``: the submission's customer_voice, when the caller has it already (surveys
    and contract record)."""
    from marketplace.services.assurance import analysis_for_review
    from marketplace.services.customer_survey import VOICE_CRITERIA, customer_voice
    from marketplace.services.reviews import load_people

    # Everyone the review names, with their organisations, in one query before any is read,
    # and in the context: the templates keep them alive while they draw them (the session
    # keeps only weak references).
    people = load_people(review)
    submission = review.submission
    plan = submission.business_plan
    model = _financial_model(plan)
    draft = not review.is_signed_off
    reviewers = [review.author] + [a.reviewer for a in review.assignments
                                   if a.reviewer_id != review.author_id]
    context = {
        "people": people,
        "review": review,
        "submission": submission,
        "checkpoint": submission.checkpoint,
        "organisation": submission.organisation,
        "reference": review.reference,
        "version": version,
        "draft": draft,
        "reviewers": reviewers,
        "plan": plan,
        "no_model_reason": no_financial_model_reason(submission),
        "analysis": None if plan is None or model is None else analysis_for_review(review),
        "analysis_html": None,
        "charts": None,
        "voice": customer_voice(submission) if voice is _UNSET else voice,
        "voice_criteria": VOICE_CRITERIA,
        "metadata_date": metadata_date(review.updated_at if draft else review.signed_off_at),
    }
    shown = context["analysis"]
    # The customers' names as the plan checks read them, when they ran on this model.
    context["charts"] = _charts(review, model,
                                shown.customer_names if shown is not None else None)
    if context["no_model_reason"] is None:
        context["analysis_html"] = analysis_html(context["analysis"])
    # Drawn once here and placed by both the page and the print layout.
    context["document_body"] = Markup(
        current_app.jinja_env.get_template(DOCUMENT_TEMPLATE).render(context))
    return context


def review_html(review: Review, *, version: int = 1, context: dict | None = None) -> str:
    """The print layout's HTML. Rendered from the app's Jinja environment directly, not
    render_template: no request, no signed-in user, no nonce, so the same review always
    gives the same HTML (and a CLI or RQ worker can render it). ``context``: the review's
    document_context, when the caller has it already (it runs the plan checks)."""
    template = current_app.jinja_env.get_template(PRINT_TEMPLATE)
    return template.render(context or document_context(review, version=version),
                           fonts=font_urls())


def printable_review_html(review: Review, *, version: int = 1,
                          context: dict | None = None) -> PrintableText:
    """The print layout's HTML with what its fonts cannot print replaced, and a list of that."""
    return printable(review_html(review, version=version, context=context), coverage())


def render_review_pdf(review: Review, *, version: int = 1) -> bytes:
    """The issued PDF of a signed-off review, or a DRAFT-marked preview of one in progress."""
    started = time.perf_counter()
    try:
        content = html_to_pdf(printable_review_html(review, version=version).text)
    except RenderError:
        PDF_RENDERS.labels("failed").inc()
        raise
    PDF_RENDERS.labels("rendered").inc()
    PDF_RENDER_SECONDS.observe(time.perf_counter() - started)
    return content
