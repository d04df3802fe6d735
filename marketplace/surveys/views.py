"""Opening, closing and reading the customer survey (BDU), and answering it (CCG)."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from marketplace.access import allow, owns
from marketplace.extensions import db
from marketplace.models import Checkpoint, Organisation, SurveyWindow
from marketplace.refusals import attempt
from marketplace.services import contract_record
from marketplace.services import customer_survey as service
from marketplace.services.errors import PermissionDenied

from . import BDU_ONLY, answers_bp, bp
from .forms import AnswerForm, CloseSurveyForm, OpenSurveyForm

# The BDU's pages.


@bp.route("")
def index():
    windows = service.windows()
    return render_template(
        "surveys/index.html",
        windows=windows,
        state_words=service.state_words,
        counts={window.id: sum(service.respondent_counts(window).values()) for window in windows},
        can_open=bool(service.checkpoints_without_a_window()),
        title="Customer surveys",
    )


@bp.route("/new", methods=["GET", "POST"])
@allow(BDU_ONLY)
def new():
    form = OpenSurveyForm()
    form.checkpoint_id.choices = [(0, "Choose a checkpoint")] + [
        (checkpoint.id, checkpoint.title) for checkpoint in service.checkpoints_without_a_window()
    ]
    status = 200
    if form.validate_on_submit():
        checkpoint = (
            db.session.get(Checkpoint, form.checkpoint_id.data) if form.checkpoint_id.data else None
        )
        window, status = attempt(
            form,
            lambda: service.open_window(
                current_user, checkpoint, form.opens_on.data, form.closes_on.data
            ),
        )
        if window is not None:
            flash(
                f"The {window.title} is open to CCGs from {window.opens_on.day} "
                f"{window.opens_on:%B %Y} to {window.closes_on.day} "
                f"{window.closes_on:%B %Y}. Their users have been told.",
                "success",
            )
            return redirect(url_for("surveys.show", window_id=window.id))
    elif request.method == "POST":
        status = 400
    return render_template("surveys/new.html", form=form, title="Open a customer survey"), status


def _show(window: SurveyWindow, form: CloseSurveyForm | None = None, status: int = 200):
    results = service.results(window)
    records = contract_record.kept_records([result.provider for result in results])
    return render_template(
        "surveys/show.html",
        window=window,
        results=results,
        records={provider_id: record.total for provider_id, record in records.items()},
        state=window.state(service.today()),
        state_words=service.state_words(window),
        form=form or CloseSurveyForm(formdata=None, data={"lock_version": window.lock_version}),
        title=window.title,
    ), status


@bp.route("/<int:window_id>")
@owns("window_id", SurveyWindow, find=service.window_with_checkpoint)
def show(window: SurveyWindow):
    return _show(window)


@bp.post("/<int:window_id>/close")
@allow(BDU_ONLY)
@owns("window_id", SurveyWindow, "close", find=service.window_with_checkpoint)
def close(window: SurveyWindow):
    form = CloseSurveyForm()
    if not form.validate_on_submit():
        form.form_errors.append("The survey could not be closed: reload the page and try again.")
        return _show(window, form, 400)
    done, status = attempt(
        form, lambda: service.close_window(current_user, window, form.lock_version.data)
    )
    if done is None:
        return _show(window, form, status)
    flash(f"The {window.title} is closed: CCGs can no longer answer it.", "success")
    return redirect(url_for("surveys.show", window_id=window.id))


# The CCG's pages.


@answers_bp.route("", endpoint="index")
def to_answer():
    return render_template(
        "surveys/to-answer.html",
        rows=service.to_answer(current_user.organisation),
        title="Customer survey",
    )


@answers_bp.route("/<int:window_id>/providers/<int:provider_id>", methods=["GET", "POST"])
@owns("window_id", SurveyWindow, "answer", find=service.window_with_checkpoint)
@owns("provider_id", Organisation)
def answer(window: SurveyWindow, provider: Organisation):
    ccg = current_user.organisation
    if not service.is_customer(ccg.id, provider.id):
        # Refused before anything is drawn: a CCG answers only about those it buys from.
        raise PermissionDenied(
            f"{ccg.name} has no signed agreement with {provider.name}: a "
            "CCG answers the survey only about the CSSs it buys from."
        )
    form = AnswerForm()
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            done, status = attempt(
                form,
                lambda: service.submit_answer(
                    current_user, window, provider, form.scores(), form.comments()
                ),
            )
            if done is not None:
                flash(
                    f"Thank you: your CCG's answer about {provider.name} is recorded. The "
                    "CSS sees only the results of all its customers together.",
                    "success",
                )
                return redirect(url_for("survey_answers.index"))
    return render_template(
        "surveys/answer.html",
        window=window,
        provider=provider,
        form=form,
        already=service.answered(window, ccg.id, provider.id),
        state=window.state(service.today()),
        state_words=service.state_words(window),
        title=f"{window.title}: {provider.name}",
    ), status
