"""Reviewers' pages: the review list, a submission under review, rating, sign-off."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from marketplace.access import owns
from marketplace.auth.recent_password import requires_recent_password
from marketplace.confirmation import confirmation_page
from marketplace.domain.checkpoints import RULES
from marketplace.extensions import db
from marketplace.models import (
    SCORECARD_PERSPECTIVES,
    Organisation,
    OrganisationKind,
    Review,
    Role,
    Submission,
    User,
)
from marketplace.refusals import is_about_the_input
from marketplace.reports import storage
from marketplace.reports.printable import summary
from marketplace.services import (
    business_plans,
    customer_survey,
    market_cache,
    review_documents,
    reviews,
)
from marketplace.services import checkpoints as checkpoint_service
from marketplace.services.errors import Conflict, PermissionDenied, ServiceError
from marketplace.services.performance_returns import returns_reckoned
from marketplace.services.review_document_render import document_context

from . import bp
from .forms import (
    ActionForm,
    AssignForm,
    ConditionForm,
    DecisionForm,
    SignOffForm,
    review_form_class,
)


@bp.route("")
def index():
    role = current_user.role
    return render_template(
        "reviews/index.html", title="Reviews",
        mine=reviews.reviews_for_user(current_user),
        waiting=reviews.waiting_for_a_reviewer(current_user),
        to_sign_off=reviews.waiting_for_sign_off_by(current_user),
        role=role, checkpoints=checkpoint_service.checkpoints()
        if role == Role.BDU_REVIEWER else [],
    )


def _merge_choices(submission: Submission) -> list[tuple[int, str]]:
    return [tuple(row) for row in db.session.execute(
        select(Organisation.id, Organisation.name).where(
            Organisation.kind == OrganisationKind.CSS,
            Organisation.id != submission.organisation_id)
        .order_by(Organisation.name))]


def _decision_form(item, refused):
    prefix = f"{type(item).__name__}-{item.id}"
    if refused is not None and refused._prefix == f"{prefix}-":
        return refused
    return DecisionForm(prefix=prefix)


def render_submission(submission: Submission, *, assign_form=None, condition_form=None,
                      action_form=None, decision_form=None, sign_off_form=None,
                      status: int = 200):
    """``decision_form``: a refused decision on a condition or action, drawn with its errors
    in place of that item's blank form. ``sign_off_form``: a refused sign-off, its reason
    shown in the error summary."""
    review = submission.review
    plan, previous = (business_plans.with_previous_version(submission.business_plan_id)
                      if submission.business_plan_id is not None else (None, None))
    may_edit = review is not None and reviews.may_edit(current_user, review)
    may_sign_off = review is not None and reviews.may_sign_off(current_user, review)
    shown_analysis = review_documents.kept_analysis_html(review, plan) if plan else None
    assign_form = assign_form or AssignForm()
    assigned = review.reviewer_ids() if review else ()
    # A signed-off review takes no more reviewers: the page has no form to choose one.
    assign_form.reviewer_id.choices = [] if review is not None and review.is_signed_off else [
        (user_id, f"{full_name}, {organisation_name}")
        for user_id, full_name, organisation_name in reviews.eligible_reviewer_names(submission)
        if user_id not in assigned]
    return render_template(
        "reviews/submission.html", title=f"{submission.organisation.name}: "
        f"{submission.checkpoint.title}", submission=submission, review=review, plan=plan,
        previous=previous, plan_body=_plan_body(plan, previous) if plan else None,
        record=_kept_record(submission, review), analysis_html=shown_analysis,
        issued=storage.latest(review.id) if review and review.is_signed_off else None,
        may_edit=may_edit, may_sign_off=may_sign_off,
        # Told before sign-off, while the reviewers can still change the text.
        print_notes=review_documents.kept_print_notes(
            review, lambda: document_context(review))
        if review is not None and not review.is_signed_off and (may_edit or may_sign_off)
        else (),
        assign_form=assign_form, condition_form=condition_form or ConditionForm(),
        action_form=action_form or ActionForm(),
        decision_form_for=lambda item: _decision_form(item, decision_form),
        form=assign_form if assign_form.errors else (
            condition_form or action_form or decision_form or sign_off_form),
    ), status


def _kept_record(submission: Submission, review: Review | None) -> dict[str, Markup]:
    """What the page shows of the review besides its forms (its reviewers, outcome and
    ratings), what the CSS's customers say and its evidence: the same for everyone who may
    open the page until the market changes (a rating, an upload, a survey answer, a return:
    each writes an audit event) or the day does (the customers' record counts the returns
    late by then), so kept, where drawing it read the ratings, the evidence and the surveys
    each time."""
    def draw() -> dict[str, str]:
        # Everyone the review names, loaded with their organisations in one query and held
        # here while their names are drawn (the session keeps only weak references).
        people = reviews.load_people(review) if review is not None else []
        return {
            "review": render_template("reviews/record-review.html", review=review,
                                      people=people) if review is not None else "",
            "evidence": render_template(
                "reviews/record-evidence.html", submission=submission,
                voice=customer_survey.customer_voice(submission),
                voice_criteria=customer_survey.VOICE_CRITERIA),
        }

    kept = market_cache.remembered(
        {"page": "reviews.submission record", "submission": submission.id,
         **returns_reckoned()},
        draw)
    return {part: Markup(html) for part, html in kept.items()}


def _plan_body(plan, previous) -> Markup:
    """The submitted plan's content and its changes since the previous version: both are
    immutable, so what they draw is kept (under the market's generation, as everything in
    the shared cache is) rather than drawn again for each look at the review."""
    return Markup(market_cache.remembered(
        {"page": "plan body", "plan": plan.id, "previous": previous.id if previous else None},
        lambda: render_template(
            "checkpoints/plan-body.html", plan=plan, previous=previous,
            changes=business_plans.differences(previous, plan) if previous else [],
            tables=business_plans.figure_tables(plan.financial_model),
            perspectives=SCORECARD_PERSPECTIVES)))


@bp.route("/submissions/<int:submission_id>")
@owns("submission_id", Submission, "review", find=reviews.submission_for_review)
def submission(submission):
    return render_submission(submission)


@bp.post("/submissions/<int:submission_id>/reviewers")
@owns("submission_id", Submission, "assign")
def assign(submission):
    form = AssignForm()
    form.reviewer_id.choices = [(u.id, u.full_name) for u in reviews.eligible_reviewers(
        submission)] + [(current_user.id, current_user.full_name)]
    if form.validate_on_submit():
        try:
            reviewer = db.session.get(User, form.reviewer_id.data)
            review = reviews.assign_reviewer(current_user, submission, reviewer)
        except ServiceError as error:
            if current_user.belongs_to(submission.organisation_id):
                abort(403)
            form.refuse(error)
        else:
            flash(f"{reviewer.full_name} is now reviewing {submission.organisation.name}.",
                  "success")
            return redirect(url_for("reviews.submission", submission_id=review.submission_id))
    if not reviews.may_review(current_user, submission):
        if current_user.role != Role.BDU_REVIEWER:
            abort(403)
        # The BDU assigns the peer reviewers of checkpoints it does not review, and may not
        # read those reviews: the refusal says what was wrong, never what the page holds.
        abort(400, " ".join(message for messages in form.errors.values()
                            for message in messages) or "The reviewer could not be assigned.")
    return render_submission(submission, assign_form=form, status=400)


@bp.route("/<int:review_id>/edit", methods=["GET", "POST"])
@owns("review_id", Review, "edit", find=reviews.review_with_submission)
def edit(review):
    submission = review.submission
    if review.is_signed_off:
        flash("This review has been signed off and can no longer change.", "error")
        return redirect(url_for("reviews.submission", submission_id=submission.id))
    checkpoint = submission.checkpoint
    form_class = review_form_class(checkpoint, _merge_choices(submission))
    data = None
    if not form_class().is_submitted():
        data = {"lock_version": review.lock_version, "summary": review.summary,
                "outcome_code": review.outcome_code if review.is_overridden else "",
                "override_reason": review.override_reason,
                "merge_with_id": review.merge_with_id or 0}
        for rating in review.ratings:
            data[f"rating_{rating.criterion_id}"] = rating.value
            data[f"commentary_{rating.criterion_id}"] = rating.commentary
    form = form_class(data=data)
    conflict = False
    if form.validate_on_submit():
        ratings = {c.id: reviews.RatingInput(form[f"rating_{c.id}"].data or "",
                                             form[f"commentary_{c.id}"].data or "")
                   for c in checkpoint.criteria}
        try:
            reviews.save_review(
                current_user, review, expected_lock_version=form.lock_version.data,
                ratings=ratings, summary=form.summary.data or "",
                outcome_code=form.outcome_code.data or "",
                override_reason=form.override_reason.data or "",
                merge_with_id=(form.merge_with_id.data or None) if "merge_with_id" in form
                else None)
        except Conflict as error:
            conflict = True
            form.form_errors.append(error.message)
            # Their entries stay in the form; saving again now overwrites, knowingly.
            form.lock_version.data = review.lock_version
            form.lock_version.raw_data = [str(review.lock_version)]
        except ServiceError as error:
            form.refuse(error)
        else:
            flash("The review has been saved.", "success")
            return redirect(url_for("reviews.submission", submission_id=submission.id))
    computed = reviews.computed_outcome(review)
    return render_template("reviews/review-form.html",
                           title=f"Review {submission.organisation.name}",
                           review=review, submission=submission, checkpoint=checkpoint,
                           form=form, conflict=conflict, computed=computed,
                           voice=customer_survey.customer_voice(submission),
                           voice_criteria=customer_survey.VOICE_CRITERIA,
                           rule_name=RULES[checkpoint.rule_key].name), (
        409 if conflict else 200)


def _confirm_sign_off(review):
    back = url_for("reviews.submission", submission_id=review.submission_id)
    if review.is_signed_off:
        flash("This review has already been signed off.", "info")
        return redirect(back)
    if not reviews.may_sign_off(current_user, review):
        abort(403)
    submission = review.submission
    return confirmation_page(
        title=f"Are you sure you want to sign off the review of "
              f"{submission.organisation.name} at {submission.checkpoint.title}?",
        consequences=[
            f"The review is issued with the outcome “{review.outcome_label}” as a PDF "
            "that does not change afterwards.",
            f"{submission.organisation.name} is told the review has been issued, and its "
            "conditions and development actions start.",
            "Nobody can change the ratings or the commentary after sign-off.",
        ],
        button_text="Sign off and issue the review", cancel_href=back,
        form=SignOffForm(data={"lock_version": review.lock_version}),
    )


@bp.route("/<int:review_id>/sign-off", methods=["GET", "POST"])
@requires_recent_password("sign off this review")
@owns("review_id", Review)
def sign_off(review):
    if request.method == "GET":
        return _confirm_sign_off(review)
    form = SignOffForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        reviews.sign_off(current_user, review, expected_lock_version=form.lock_version.data)
    except ServiceError as error:
        if not reviews.may_review(current_user, review.submission):
            abort(403)
        if is_about_the_input(error):  # not ready yet: why, in the page's error summary
            form.refuse(error)
            return render_submission(review.submission, sign_off_form=form, status=400)
        # The submission page as it is now, saying why: the review changed meanwhile, or
        # this reviewer may not sign it off.
        flash(error.message, "error")
        status = 403 if isinstance(error, PermissionDenied) else 409
        return render_submission(review.submission, status=status)
    flash(f"Signed off: {review.outcome_label}.", "success")
    notes = review_documents.print_notes(review)
    if notes:
        flash("The issued PDF shows some characters differently from how they were typed: "
              f"{summary(notes)}.", "warning")
    return redirect(url_for("reviews.submission", submission_id=review.submission_id))
