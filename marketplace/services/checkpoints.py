"""Checkpoints and criteria (reference data an admin edits) and submitting to a checkpoint."""

from sqlalchemy import func, select

from marketplace.domain.checkpoints import (
    RATING_SCALES,
    RULES,
    HostingRecommendation,
    Scenario,
    assurance_colour,
)
from marketplace.extensions import db
from marketplace.models import (
    BusinessPlan,
    Checkpoint,
    Criterion,
    Organisation,
    PlanStatus,
    ProspectusVersion,
    Rating,
    Submission,
    User,
    VersionStatus,
)
from marketplace.models.base import utcnow
from marketplace.policies.people import leader_of

from .audit import record_event
from .errors import PermissionDenied, ServiceError
from .standard_checkpoints import STANDARD_CHECKPOINTS
from .transaction import on_conflict, transactional


def checkpoints() -> list[Checkpoint]:
    return list(db.session.scalars(select(Checkpoint).order_by(Checkpoint.number)))


def checkpoint_by_number(number: int) -> Checkpoint | None:
    return db.session.scalar(select(Checkpoint).where(Checkpoint.number == number))


def ensure_standard_checkpoints() -> None:
    """Add checkpoints 1 to 3 and their criteria where missing; admin edits are kept."""
    for standard in STANDARD_CHECKPOINTS:
        checkpoint = checkpoint_by_number(standard.number)
        if checkpoint is None:
            checkpoint = Checkpoint(
                number=standard.number,
                name=standard.name,
                description=standard.description,
                submission_kind=standard.submission_kind,
                rule_key=standard.rule_key,
                rating_scale=RULES[standard.rule_key].scale,
                reviewer_role=standard.reviewer_role,
                due_date=standard.due_date,
                results_date=standard.results_date,
                requires_scorecard=standard.requires_scorecard,
            )
            db.session.add(checkpoint)
            for position, (key, name, guidance) in enumerate(standard.criteria, start=1):
                checkpoint.criteria.append(
                    Criterion(key=key, name=name, guidance=guidance, position=position)
                )
    db.session.flush()


# --- what a rule can decide -------------------------------------------------------------


def outcome_choices(rule_key: str) -> list[tuple[str, str]]:
    """Every outcome a reviewer may give under a rule, as (code, label)."""
    rule = RULES[rule_key]
    if rule_key == "cp2_scenario":
        return [(s.value, f"Scenario {s.value}: {s.label}") for s in Scenario]
    if rule_key == "cp3_hosting":
        return [(h.value, h.label) for h in HostingRecommendation]
    if rule_key == "cp1_feedback":
        return [("feedback", "Feedback and development needs")]
    return [(member.value, member.label) for member in RATING_SCALES[rule.scale]]


def outcome_label(rule_key: str, code: str | None) -> str | None:
    return dict(outcome_choices(rule_key)).get(code) if code else None


def outcome_colour(code: str | None) -> str:
    return assurance_colour(code)


# --- admin: checkpoints and criteria ----------------------------------------------------


def _check_rule_and_scale(rule_key: str, rating_scale: str) -> None:
    if rule_key not in RULES:
        raise ServiceError("Choose an outcome rule", field="rule_key")
    if RULES[rule_key].scale != rating_scale:
        scale = RULES[rule_key].scale
        raise ServiceError(
            f"The rule “{RULES[rule_key].name}” rates on the {scale} scale; choose that scale",
            field="rating_scale",
        )


@transactional
def save_checkpoint(actor: User, checkpoint: Checkpoint | None, **fields) -> Checkpoint:
    """Create (checkpoint None) or update a checkpoint from validated form fields."""
    _check_rule_and_scale(fields["rule_key"], fields["rating_scale"])
    clash = checkpoint_by_number(fields["number"])
    if clash is not None and clash is not checkpoint:
        raise ServiceError(f"Checkpoint {fields['number']} already exists", field="number")
    if checkpoint is not None and fields["rule_key"] != checkpoint.rule_key and _rated(checkpoint):
        raise ServiceError(
            "Reviews have already rated this checkpoint under its rule; add a new checkpoint "
            "for a different rule",
            field="rule_key",
        )
    creating = checkpoint is None
    if creating:
        checkpoint = Checkpoint()
        db.session.add(checkpoint)
    changes = {}
    for name, value in fields.items():
        if getattr(checkpoint, name) != value:
            changes[name] = [getattr(checkpoint, name), value]
            setattr(checkpoint, name, value)
    if changes or creating:
        verb = "created" if creating else "updated"
        record_event(
            f"checkpoint.{verb}", checkpoint, f"{actor.email} {verb} {checkpoint.title}",
            changes=changes, actor=actor,
        )
    return checkpoint


def _rated(checkpoint: Checkpoint) -> bool:
    statement = (
        select(func.count()).select_from(Rating).join(Rating.criterion)
        .where(Criterion.checkpoint_id == checkpoint.id)
    )
    return bool(db.session.scalar(statement))


@transactional
def save_criterion(actor: User, checkpoint: Checkpoint, criterion: Criterion | None, *,
                   key: str, name: str, guidance: str, position: int) -> Criterion:
    fixed = RULES[checkpoint.rule_key].criteria
    if fixed is not None and key not in fixed:
        raise ServiceError(
            f"The rule for this checkpoint rates exactly these criteria: {', '.join(fixed)}",
            field="key",
        )
    clash = next((c for c in checkpoint.criteria if c.key == key), None)
    if clash is not None and clash is not criterion:
        raise ServiceError(f"This checkpoint already has a criterion “{key}”", field="key")
    if criterion is not None and criterion.key != key and _criterion_rated(criterion):
        raise ServiceError("Reviews have rated this criterion; its key cannot change", field="key")
    creating = criterion is None
    if creating:
        criterion = Criterion(checkpoint=checkpoint)
        db.session.add(criterion)
    criterion.key, criterion.name, criterion.guidance, criterion.position = (
        key, name, guidance, position
    )
    verb = "added" if creating else "updated"
    record_event(
        f"criterion.{verb}", criterion, f"{actor.email} {verb} criterion {key} of "
        f"{checkpoint.title}", changes={"name": name, "position": position}, actor=actor,
    )
    return criterion


def _criterion_rated(criterion: Criterion) -> bool:
    return bool(db.session.scalar(
        select(func.count()).select_from(Rating).where(Rating.criterion_id == criterion.id)
    ))


@transactional
def delete_criterion(actor: User, criterion: Criterion) -> None:
    if _criterion_rated(criterion):
        raise ServiceError("Reviews have rated this criterion, so it cannot be removed")
    fixed = RULES[criterion.checkpoint.rule_key].criteria
    if fixed is not None:
        raise ServiceError("This checkpoint's rule needs every one of its criteria")
    record_event("criterion.deleted", criterion,
                 f"{actor.email} removed criterion {criterion.key}", actor=actor)
    db.session.delete(criterion)


# --- CSS leaders: submitting ------------------------------------------------------------


def submission_for(checkpoint: Checkpoint, organisation_id: int) -> Submission | None:
    return db.session.scalar(
        select(Submission).where(
            Submission.checkpoint_id == checkpoint.id,
            Submission.organisation_id == organisation_id,
        )
    )


def _check_can_submit(actor: User, checkpoint: Checkpoint, organisation: Organisation) -> None:
    if not leader_of(actor, organisation.id):
        raise PermissionDenied("Only a leader of this CSS can submit for it")
    already = f"{organisation.name} has already submitted to {checkpoint.title}"
    if submission_for(checkpoint, organisation.id) is not None:
        raise ServiceError(already)
    # Two submissions sent at once (a double click) both pass the check above; the one
    # submission per checkpoint and CSS, and the plan's lock, let only the first through.
    sent_meanwhile = (f"{already}: the submission was sent a moment ago, perhaps from "
                      "another tab or by a colleague.")
    on_conflict(Submission, sent_meanwhile)
    on_conflict(BusinessPlan, sent_meanwhile)


@transactional
def submit_prospectus(actor: User, checkpoint: Checkpoint, version: ProspectusVersion):
    organisation = version.organisation
    _check_can_submit(actor, checkpoint, organisation)
    if checkpoint.takes_business_plan:
        raise ServiceError(f"{checkpoint.title} takes a business plan, not a prospectus")
    if version.status != VersionStatus.PUBLISHED:
        raise ServiceError("Only a published prospectus version can be submitted",
                           field="prospectus_version_id")
    submission = Submission(checkpoint=checkpoint, organisation=organisation,
                            prospectus_version=version, submitted_by=actor)
    db.session.add(submission)
    record_event("submission.created", submission,
                 f"{organisation.name} submitted prospectus {version.label} to "
                 f"{checkpoint.title}", actor=actor)
    return submission


@transactional
def submit_business_plan(actor: User, checkpoint: Checkpoint, plan: BusinessPlan) -> Submission:
    from .business_plans import check_complete

    organisation = plan.organisation
    _check_can_submit(actor, checkpoint, organisation)
    if not checkpoint.takes_business_plan:
        raise ServiceError(f"{checkpoint.title} takes a published prospectus, not a plan")
    check_complete(plan, needs_scorecard=checkpoint.requires_scorecard)
    if plan.status == PlanStatus.DRAFT:
        # Submitting freezes this version; any later change starts a new one.
        plan.status = PlanStatus.SUBMITTED
        plan.submitted_at = utcnow()
        plan.submitted_by = actor
    submission = Submission(checkpoint=checkpoint, organisation=organisation,
                            business_plan=plan, submitted_by=actor)
    db.session.add(submission)
    record_event("submission.created", submission,
                 f"{organisation.name} submitted business plan version {plan.version} to "
                 f"{checkpoint.title}", actor=actor)
    return submission
