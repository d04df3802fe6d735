import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import AuditEvent, Requirement
from marketplace.services import requirements as service
from marketplace.services.errors import PermissionDenied, ServiceError

from ..conftest import html, text_of, user
from ..factories import create_specification


def rows_of(page):
    """{specification code: index of its row} from the form's hidden inputs."""
    return {
        fieldset.select_one("legend span").get_text(strip=True): int(
            fieldset.select_one("input[type=hidden]")["name"].split("-")[1]
        )
        for fieldset in page.select("form fieldset")
    }


def form_data(page, answers: dict) -> dict:
    """The page's form as a browser would post it, with some rows changed."""
    data = {}
    for element in page.select("form input, form select, form textarea"):
        if element.name == "select":
            selected = element.select_one("option[selected]") or element.select_one("option")
            data[element["name"]] = selected["value"]
        elif element.name == "textarea":
            data[element["name"]] = element.get_text()
        elif element.get("name") and element["name"] != "csrf_token":
            data[element["name"]] = element.get("value", "")
    indexes = rows_of(page)
    for code, values in answers.items():
        for name, value in values.items():
            data[f"rows-{indexes[code]}-{name}"] = value
    return data


def requirement(ccg_email, specification):
    return db.session.scalar(
        select(Requirement).where(
            Requirement.organisation_id == user(ccg_email).organisation_id,
            Requirement.specification_id == specification.id,
        )
    )


def test_the_page_lists_current_specifications_by_phase(ccg_client, market):
    response = ccg_client.get("/requirements")
    assert response.status_code == 200
    page = html(response)
    assert list(rows_of(page)) == ["BI-01", "CM-01", "BS-01"]  # retired OLD-01 left out
    phases = [h.get_text(strip=True) for h in page.select("form h2")]
    assert phases == ["Planning", "Monitoring contracts", "Business support"]
    labels = {label.get_text(strip=True) for label in page.select("form label")}
    assert {"Do you need it?", "Priority", "How you intend to get it", "Notes"} <= labels
    for select_element in page.select("form select, form textarea"):
        assert page.select_one(f'label[for="{select_element["id"]}"]') is not None


def test_a_ccg_records_its_answers(ccg_client, market):
    page = html(ccg_client.get("/requirements"))
    data = form_data(
        page,
        {
            "BI-01": {
                "needed": "yes",
                "priority": "high",
                "intended_mode": "buy",
                "notes": "  Need risk stratification  ",
            },
            "CM-01": {"needed": "yes", "priority": "low", "intended_mode": "do"},
            "BS-01": {"needed": "no"},
        },
    )
    response = ccg_client.post("/requirements", data=data, follow_redirects=True)
    assert "Your requirements have been saved." in text_of(response)
    bi = requirement("ccg@demo.test", market.bi)
    assert (bi.needed, bi.priority, bi.intended_mode, bi.notes) == (
        True,
        "high",
        "buy",
        "Need risk stratification",
    )
    assert requirement("ccg@demo.test", market.contracts).intended_mode == "do"
    assert requirement("ccg@demo.test", market.comms).needed is False
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "requirements.updated"))
    assert set(event.changes) == {"BI-01", "CM-01", "BS-01"}

    # The page shows the answers back, ready to edit.
    again = html(ccg_client.get("/requirements"))
    index = rows_of(again)["BI-01"]
    assert again.select_one(f"#rows-{index}-priority option[selected]")["value"] == "high"
    assert "intend to buy 1" in text_of(ccg_client.get("/requirements"))


def test_changing_one_answer_and_withdrawing_another(ccg_client, market):
    page = html(ccg_client.get("/requirements"))
    ccg_client.post(
        "/requirements",
        data=form_data(
            page,
            {
                "BI-01": {"needed": "yes", "intended_mode": "buy"},
                "CM-01": {"needed": "yes", "intended_mode": "share"},
            },
        ),
    )
    page = html(ccg_client.get("/requirements"))
    ccg_client.post(
        "/requirements",
        data=form_data(
            page,
            {
                "BI-01": {"intended_mode": "share"},
                "CM-01": {"needed": ""},
            },
        ),
    )
    assert requirement("ccg@demo.test", market.bi).intended_mode == "share"
    assert requirement("ccg@demo.test", market.contracts) is None


def test_saving_without_changes_says_so(ccg_client, market):
    page = html(ccg_client.get("/requirements"))
    response = ccg_client.post("/requirements", data=form_data(page, {}), follow_redirects=True)
    assert "Nothing had changed" in text_of(response)


def test_an_invalid_choice_is_refused_at_the_field(ccg_client, market):
    page = html(ccg_client.get("/requirements"))
    data = form_data(page, {"BI-01": {"needed": "yes", "priority": "urgent"}})
    response = ccg_client.post("/requirements", data=data)
    assert response.status_code == 400
    page = html(response)
    assert (
        page.select_one(".nhsuk-error-summary a")["href"]
        == f"#rows-{rows_of(page)['BI-01']}-priority"
    )
    assert requirement("ccg@demo.test", market.bi) is None


def test_a_retired_specification_cannot_be_answered(app_context, market):
    ccg_user = user("ccg@demo.test")
    with pytest.raises(ServiceError, match="retired"):
        service.save_requirements(
            ccg_user, ccg_user.organisation, [service.RequirementAnswer(market.retired.id, True)]
        )


def test_one_ccg_cannot_answer_for_another(app_context, market):
    with pytest.raises(PermissionDenied):
        service.save_requirements(
            user("ccg@demo.test"),
            user("ccg2@demo.test").organisation,
            [service.RequirementAnswer(market.bi.id, True)],
        )


def test_each_ccg_sees_only_its_own_answers(ccg_client, sign_in, market):
    other = sign_in("ccg2@demo.test")
    page = html(other.get("/requirements"))
    other.post(
        "/requirements",
        data=form_data(page, {"BI-01": {"needed": "yes", "notes": "Darlington's private note"}}),
    )
    assert requirement("ccg2@demo.test", market.bi).notes == "Darlington's private note"
    assert "Darlington's private note" not in text_of(ccg_client.get("/requirements"))


@pytest.mark.parametrize(
    "email", ["css@demo.test", "bdu@demo.test", "admin@demo.test", "peer@demo.test"]
)
def test_only_ccg_users_have_requirements(sign_in, market, email):
    client = sign_in(email)
    assert client.get("/requirements").status_code == 403
    assert client.post("/requirements", data={}).status_code == 403


def test_no_specifications_yet(ccg_client):
    response = ccg_client.get("/requirements")
    assert response.status_code == 200
    assert "no service specifications in the catalogue yet" in text_of(response)


def test_ccg_intentions_say_who_intends_to_buy_what(app_context, market):
    coventry, darlington = user("ccg@demo.test"), user("ccg2@demo.test")
    service.save_requirements(
        coventry,
        coventry.organisation,
        [
            service.RequirementAnswer(market.bi.id, True, "high", "buy"),
            service.RequirementAnswer(market.contracts.id, True, "low", "share"),
            service.RequirementAnswer(
                market.comms.id, False, "low", "buy"
            ),  # not needed: not counted
        ],
    )
    service.save_requirements(
        darlington,
        darlington.organisation,
        [
            service.RequirementAnswer(market.bi.id, True, "medium", "do"),
        ],
    )
    later = create_specification("LATE-01", "Later specification")
    service.save_requirements(
        darlington,
        darlington.organisation,
        [service.RequirementAnswer(later.id, True, "high", "buy")],
    )
    later.retired_at = later.created_at  # retired since: no longer an intention
    db.session.commit()

    ealing_id = user("ccg3@demo.test").organisation_id
    intentions = service.ccg_intentions(
        [coventry.organisation_id, darlington.organisation_id, ealing_id]
    )

    assert intentions[coventry.organisation_id].intends_to_buy is True
    assert [p.code for p in intentions[coventry.organisation_id].to_buy] == ["BI-01"]
    assert intentions[coventry.organisation_id].to_buy[0].priority == "high"
    assert [p.code for p in intentions[coventry.organisation_id].to_share] == ["CM-01"]
    assert intentions[coventry.organisation_id].answered == 3
    assert intentions[darlington.organisation_id].intends_to_buy is False
    assert [p.code for p in intentions[darlington.organisation_id].in_house] == ["BI-01"]
    assert intentions[ealing_id].has_answered is False
    assert intentions[ealing_id].intends_to_buy is False
    assert service.ccg_intentions([]) == {}
