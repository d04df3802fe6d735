"""services/transaction.py against the real database: one commit at the outermost call, a
rollback on any error, races turned into Conflict with the service's own message."""

import pytest
from sqlalchemy import func, select, update

from marketplace.extensions import db
from marketplace.models import AuditEvent, Scenario, ServiceSpecification
from marketplace.services.errors import Conflict, ServiceError
from marketplace.services.transaction import (
    CHANGED_MEANWHILE,
    DONE_MEANWHILE,
    check_version,
    on_conflict,
    on_rollback,
    transaction,
    transactional,
)

from ..factories import create_specification, make_scenario


def committed_events() -> int:
    """Audit events another connection can see: only what has been committed."""
    with db.engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(AuditEvent))


def stage_event(summary: str) -> None:
    db.session.add(AuditEvent(action="test.event", object_type="System", summary=summary))


@transactional
def inner(summary="inner"):
    stage_event(summary)


def test_nested_calls_join_the_outer_transaction_and_it_commits_once(app_context):
    seen_inside = []

    @transactional
    def outer():
        inner()
        db.session.flush()
        seen_inside.append(committed_events())  # inner() returned, but did not commit
        stage_event("outer")

    outer()
    assert seen_inside == [0]
    assert committed_events() == 2


def test_an_error_rolls_everything_back_and_goes_on_up(app_context):
    @transactional
    def refuses_after_writing():
        inner()
        stage_event("outer")
        db.session.flush()
        raise ServiceError("Enter a name", field="name")

    with pytest.raises(ServiceError, match="Enter a name"):
        refuses_after_writing()
    assert committed_events() == 0
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 0
    assert not db.session.new and not db.session.dirty


def test_a_nested_failure_its_caller_swallowed_saves_nothing(app_context):
    @transactional
    def fails_after_writing():
        stage_event("half done")
        raise ServiceError("refused")

    @transactional
    def carries_on():
        try:
            fails_after_writing()
        except ServiceError:
            pass
        stage_event("outer")

    with pytest.raises(RuntimeError, match="nested"):
        carries_on()
    assert committed_events() == 0
    inner()  # the next transaction starts clean
    assert committed_events() == 1


def bump_elsewhere(scenario_id: int) -> None:
    """Another request's save: the row's lock moves on behind this session's back."""
    with db.engine.begin() as connection:
        connection.execute(update(Scenario).where(Scenario.id == scenario_id)
                           .values(lock_version=Scenario.lock_version + 1))


def test_a_write_over_a_newer_version_is_a_conflict_with_the_services_message(app_context):
    scenario = make_scenario()
    read = scenario.lock_version
    bump_elsewhere(scenario.id)

    @transactional
    def rename():
        check_version(scenario, read, "Someone else saved this scenario")
        scenario.name = "Renamed"

    with pytest.raises(Conflict, match="Someone else saved this scenario"):
        rename()
    db.session.expire_all()
    assert db.session.get(Scenario, scenario.id).name == "Baseline"


def test_a_write_over_a_newer_version_nobody_checked_gets_the_general_message(app_context):
    scenario = make_scenario()
    bump_elsewhere(scenario.id)

    @transactional
    def rename():
        scenario.name = "Renamed"

    with pytest.raises(Conflict) as refused:
        rename()
    assert refused.value.message == CHANGED_MEANWHILE


def test_check_version_compares_the_version_the_page_showed(app_context):
    scenario = make_scenario()
    check_version(scenario, scenario.lock_version, "stale")
    check_version(scenario, None, "stale")  # not read from a page: nothing to compare
    check_version(None, 0, "stale")  # the page showed no record, and there is none
    for obj, shown in ((scenario, scenario.lock_version - 1), (scenario, 0), (None, 1)):
        with pytest.raises(Conflict, match="stale"):
            check_version(obj, shown, "stale")


def test_a_duplicate_unique_row_is_a_conflict_with_the_services_message(app_context):
    create_specification("BI-01", "Business intelligence")

    @transactional
    def add_again(message=None):
        if message:
            on_conflict(ServiceSpecification, message)
        create_duplicate = ServiceSpecification(
            code="BI-01", name="Business intelligence again", description="",
            phase="planning", nature="transactional", scale="local")
        db.session.add(create_duplicate)

    with pytest.raises(Conflict, match="added a moment ago"):
        add_again("BI-01 was added a moment ago")
    with pytest.raises(Conflict) as refused:
        add_again()
    assert refused.value.message == DONE_MEANWHILE
    assert db.session.scalar(select(func.count()).select_from(ServiceSpecification)) == 1


def test_other_integrity_errors_are_bugs_not_conflicts(app_context):
    from sqlalchemy.exc import IntegrityError

    @transactional
    def broken():
        db.session.add(AuditEvent(action=None, object_type="System", summary="no action"))

    with pytest.raises(IntegrityError):
        broken()
    assert committed_events() == 0


def test_work_outside_the_database_is_undone_only_on_rollback(app_context, tmp_path):
    written = tmp_path / "evidence.pdf"

    def write_then(fail: bool):
        with transaction():
            written.write_bytes(b"%PDF-")
            on_rollback(lambda: written.unlink(missing_ok=True))
            stage_event("uploaded")
            if fail:
                raise ServiceError("The file is not what its name says")

    with pytest.raises(ServiceError):
        write_then(fail=True)
    assert not written.exists() and committed_events() == 0
    write_then(fail=False)
    assert written.exists() and committed_events() == 1

