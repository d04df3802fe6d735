"""A bidder after the decision: its own decision letter, and its questions about the
decision in the standstill window (answered to it alone)."""

from io import BytesIO

from flask import flash, redirect, send_file, url_for
from flask_login import current_user

from marketplace.access import owns
from marketplace.models import DecisionLetter
from marketplace.refusals import attempt
from marketplace.services import awards

from . import bp
from .forms import DecisionQuestionForm
from .views import _render_show, owned_opportunity


@bp.route("/<int:procurement_id>/letters/<int:letter_id>")
@owned_opportunity()
@owns("letter_id", DecisionLetter, of="procurement", name="found")
def letter(procurement, found):
    """The issued bytes, never cached by a shared cache (a letter is one bidder's business)."""
    response = send_file(BytesIO(awards.letter_content(found)), mimetype="application/pdf",
                         as_attachment=True, download_name=found.filename)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-SHA256"] = found.sha256
    return response


@bp.post("/<int:procurement_id>/decision-questions")
@owned_opportunity()
def ask_about_decision(procurement):
    form = DecisionQuestionForm()
    if form.validate_on_submit():
        done, status = attempt(form, lambda: awards.ask_about_decision(
            current_user, procurement, form.question.data))
        if done is not None:
            flash("Your question has been sent to the buying CCG. Its answer will be shown "
                  "here, to your organisation alone.", "success")
            return redirect(url_for("opportunities.show", procurement_id=procurement.id,
                                    _anchor="decision"))
    else:
        status = 400
    # The decision form is the page's form too, so the error summary lists its messages
    # (the tender question form is not shown after the decision).
    return _render_show(procurement, form, status, decision_form=form)
