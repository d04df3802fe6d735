import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import AuditEvent, Offer, ProspectusVersion
from marketplace.services import prospectuses
from marketplace.services.errors import Conflict, ServiceError

from ..conftest import html, text_of, user
from ..factories import add_offer, create_spec, organisation, publish
from ..queries import counting_statements

OFFER_FORM = {
    "title": "Business intelligence at scale",
    "description": "Dashboards for every CCG",
    "delivery_model": "shared",
    "pricing_model": "per_head",
    "price": "0.85",
    "minimum_term_months": "12",
    "available_from": "2013-04-01",
    "service_levels-0-measure": "Dashboard refresh",
    "service_levels-0-target": "Monthly",
}


def arden():
    return organisation("Arden CSS")


def test_a_css_leader_edits_the_draft(css_client):
    ccg = organisation("NHS Coventry and Rugby CCG")
    response = css_client.post("/prospectus/edit", data={
        "lock_version": "0",  # as the page says when there is no draft yet
        "vision": "Clinically led support", "operating_model": "Local teams",
        "geography": "Coventry and Warwickshire", "leadership_team": "Managing director",
        "partnerships": "Coventry City Council", "ccgs_served": [str(ccg.id)],
    })
    assert response.status_code == 302
    draft = prospectuses.draft_for(arden().id)
    assert draft.vision == "Clinically led support"
    assert [c.name for c in draft.ccgs_served] == ["NHS Coventry and Rugby CCG"]
    assert "Clinically led support" in text_of(css_client.get("/prospectus"))


def test_a_stale_draft_save_is_refused_not_lost(css_client):
    prospectuses.save_draft(None, arden(), lock_version=None, content={"vision": "First"},
                            ccg_ids=[])
    stale = prospectuses.draft_for(arden().id).lock_version
    prospectuses.save_draft(None, arden(), lock_version=stale, content={"vision": "Second"},
                            ccg_ids=[])
    response = css_client.post("/prospectus/edit", data={"vision": "Third",
                                                          "lock_version": str(stale)})
    assert response.status_code == 409
    assert "Someone else changed this prospectus" in text_of(response)
    assert html(response).select_one("#vision").get_text() == "Third"  # kept, to save again
    assert prospectuses.draft_for(arden().id).vision == "Second"


def test_a_css_leader_adds_edits_and_removes_draft_offers(css_client):
    spec = create_spec()
    response = css_client.post("/prospectus/offers/new",
                               data={**OFFER_FORM, "specification_id": spec.id})
    assert response.status_code == 302
    offer = db.session.scalar(select(Offer))
    assert offer.is_draft and offer.price == offer.price.__class__("0.85")
    assert offer.service_levels == [{"measure": "Dashboard refresh", "target": "Monthly"}]
    response = css_client.post(f"/prospectus/offers/{offer.id}/edit", data={
        **OFFER_FORM, "specification_id": spec.id, "pricing_model": "day_rate",
        "price": "650", "estimated_quantity": "40", "lock_version": offer.lock_version})
    assert response.status_code == 302
    db.session.refresh(offer)
    assert (offer.pricing_model, str(offer.estimated_quantity)) == ("day_rate", "40.00")
    css_client.post(f"/prospectus/offers/{offer.id}/remove")
    assert db.session.scalar(select(func.count(Offer.id))) == 0


def _post_offer(client, spec, **changes):
    return client.post("/prospectus/offers/new",
                       data={**OFFER_FORM, "specification_id": spec.id, **changes})


def test_bad_offer_terms_are_refused_at_the_field(css_client):
    spec = create_spec()
    cases = [
        ({"price": "-1"}, "price", "cannot be negative"),
        ({"price": "1000.01"}, "price", "at most £1,000.00 per head"),
        ({"pricing_model": "fixed_annual", "price": "50000000.01"}, "price", "£50,000,000.00"),
        ({"pricing_model": "day_rate", "price": "650"}, "estimated_quantity", "estimated days"),
        ({"minimum_term_months": "121"}, "minimum_term_months", "at most 120"),
        ({"title": "x" * 201}, "title", "200 characters"),
        ({"description": "x" * 5001}, "description", "5000"),
        ({"service_levels-0-measure": "", "service_levels-0-target": "Monthly"},
         "service_levels", "Enter the measure"),
    ]
    for changes, field, message in cases:
        response = _post_offer(css_client, spec, **changes)
        assert response.status_code == 400, changes
        error = html(response).select_one(f"#{field}-error") or html(response).select_one(
            f"#{field} .nhsuk-error-message")
        assert error is not None and message in error.get_text(), (changes, field)
    assert db.session.scalar(select(func.count(Offer.id))) == 0


def test_publishing_makes_immutable_versions_and_supersedes(css_client):
    spec = create_spec()
    prospectuses.save_draft(None, arden(), lock_version=None, content={"vision": "v"},
                            ccg_ids=[])
    add_offer("Arden CSS", spec, title="Decision support")
    lock = prospectuses.draft_for(arden().id).lock_version
    response = css_client.post("/prospectus/publish", data={"lock_version": str(lock),
                                                            "change_note": "First"})
    assert response.status_code == 302
    v1 = prospectuses.get_version(arden().id, 1)
    assert v1.status == "published" and len(v1.offers) == 1
    assert v1.published_by_id == user("css@demo.test").id
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "prospectus.published"))
    assert event.object_id == str(v1.id) and event.actor.email == "css@demo.test"

    # Publishing again with the same (now stale) confirmation is refused: no double publish.
    response = css_client.post("/prospectus/publish", data={"lock_version": str(lock)})
    assert response.status_code == 409
    assert "Someone else changed" in text_of(response)
    lock = prospectuses.draft_for(arden().id).lock_version
    css_client.post("/prospectus/publish", data={"lock_version": str(lock)})
    v2 = prospectuses.get_version(arden().id, 2)
    db.session.refresh(v1)
    assert (v1.status, v2.status) == ("superseded", "published")
    assert v1.offers[0].id != v2.offers[0].id
    assert v1.offers[0].lineage == v2.offers[0].lineage

    page = text_of(css_client.get("/prospectus/versions"))
    assert "v1" in page and "Superseded" in page and "Published" in page


def test_editing_a_published_version_is_refused(css_client):
    spec = create_spec()
    version = publish("Arden CSS", (spec, {"title": "Decision support"}))
    published = version.offers[0]
    response = css_client.post(f"/prospectus/offers/{published.id}/edit", data={
        **OFFER_FORM, "specification_id": spec.id, "title": "Changed"})
    assert response.status_code == 303
    assert "Published versions cannot be changed" in text_of(
        css_client.get(response.headers["Location"]))
    assert css_client.post(f"/prospectus/offers/{published.id}/remove").status_code == 302
    db.session.refresh(published)
    assert published.title == "Decision support"
    try:
        prospectuses.update_offer(None, published, {})
    except ServiceError as error:
        assert "cannot be changed" in error.message
    else:
        raise AssertionError("a published offer was changed")


def test_withdrawing_a_version(css_client):
    spec = create_spec()
    publish("Arden CSS", (spec, {}))
    publish("Arden CSS")
    response = css_client.post("/prospectus/versions/1/withdraw", data={"reason": ""},
                               follow_redirects=True)
    assert "Only the published version can be withdrawn" in text_of(response)
    css_client.post("/prospectus/versions/2/withdraw", data={"reason": "Merging with GEM"})
    assert prospectuses.get_version(arden().id, 2).status == "withdrawn"
    assert prospectuses.current_version(arden().id) is None
    try:
        prospectuses.withdraw(None, prospectuses.get_version(arden().id, 2))
    except Conflict:
        pass
    else:
        raise AssertionError("withdrew twice")


def test_another_css_leader_gets_404_for_a_draft(sign_in):
    spec = create_spec()
    draft_offer = add_offer("Arden CSS", spec)
    other = sign_in("css2@demo.test")
    assert other.get(f"/prospectus/offers/{draft_offer.id}/edit").status_code == 404
    assert other.post(f"/prospectus/offers/{draft_offer.id}/edit",
                      data={**OFFER_FORM, "specification_id": spec.id}).status_code == 404
    assert other.post(f"/prospectus/offers/{draft_offer.id}/remove").status_code == 404
    assert other.get(f"/offers/{draft_offer.id}").status_code == 404
    # Their own prospectus page shows their own (empty) draft, never Arden's.
    assert "Delivered by a local team" not in text_of(other.get("/prospectus"))
    assert db.session.get(Offer, draft_offer.id) is not None


def test_only_css_leaders_use_the_prospectus_pages(client, sign_in):
    for email in ("ccg@demo.test", "bdu@demo.test", "peer@demo.test", "admin@demo.test"):
        signed_in = sign_in(email)
        for path in ("/prospectus", "/prospectus/edit", "/prospectus/offers/new",
                     "/prospectus/publish", "/prospectus/versions"):
            assert signed_in.get(path).status_code == 403, (email, path)
    assert client.get("/prospectus").status_code == 302
    assert sign_in("indie@demo.test").get("/prospectus").status_code == 200


def test_publishing_needs_a_vision_and_an_offer(css_client):
    prospectuses.save_draft(None, arden(), lock_version=None, content={"vision": "v"},
                            ccg_ids=[])
    lock = prospectuses.draft_for(arden().id).lock_version
    response = css_client.post("/prospectus/publish", data={"lock_version": lock})
    assert response.status_code == 400
    assert "Add at least one offer" in text_of(response)
    assert db.session.scalar(select(func.count(ProspectusVersion.id))) == 0


def test_compare_two_versions(css_client, client):
    kept, dropped, added = create_spec("A-1", "Kept"), create_spec("B-1", "Dropped"), \
        create_spec("C-1", "Added")
    publish("Arden CSS", (kept, {"title": "Kept offer", "price": "0.80"}),
            (dropped, {"title": "Dropped offer"}))
    draft = prospectuses.draft_for(arden().id)
    kept_draft, dropped_draft = draft.draft_offers
    prospectuses.remove_offer(None, dropped_draft)
    data = {name: getattr(kept_draft, name) for name in (
        "specification_id", "title", "description", "delivery_model", "pricing_model",
        "estimated_quantity", "minimum_term_months", "available_from", "service_levels")}
    prospectuses.update_offer(None, kept_draft, {**data, "price": "0.75"})
    prospectuses.save_draft(None, arden(), lock_version=None,
                            content={"vision": "New vision"}, ccg_ids=[])
    add_offer("Arden CSS", added, title="Added offer")
    publish("Arden CSS")

    diff = prospectuses.compare(prospectuses.get_version(arden().id, 1),
                                prospectuses.get_version(arden().id, 2))
    kinds = {change.title: change.kind for change in diff.offers}
    assert kinds == {"Kept offer": "changed", "Dropped offer": "removed",
                     "Added offer": "added"}
    changed = next(c for c in diff.offers if c.kind == "changed")
    assert [(f.field, f.old, f.new) for f in changed.changes] == [("price", "£0.80", "£0.75")]
    assert [f.field for f in diff.content] == ["vision"]

    page = text_of(css_client.get("/prospectus/compare?from=1&to=2"))
    assert "Added" in page and "Removed" in page and "£0.75" in page
    provider_id = arden().id
    public = client.get(f"/providers/{provider_id}/compare?from=1&to=2")
    assert public.status_code == 200 and "Dropped offer" in text_of(public)
    assert css_client.get("/prospectus/compare?from=1&to=draft").status_code == 200
    assert client.get(f"/providers/{provider_id}/compare?from=1&to=draft").status_code == 404


def test_everyone_else_sees_published_versions_only(client, ccg_client):
    spec = create_spec()
    publish("Arden CSS", (spec, {"title": "Published offer"}))
    add_offer("Arden CSS", spec, title="Secret draft offer")
    provider_id = arden().id
    for viewer in (client, ccg_client):
        page = text_of(viewer.get(f"/providers/{provider_id}"))
        assert "Published offer" in page and "Secret draft offer" not in page
        assert viewer.get(f"/providers/{provider_id}/versions/1").status_code == 200
        assert viewer.get(f"/providers/{provider_id}/versions/2").status_code == 404
    ccg_id = organisation("NHS Coventry and Rugby CCG").id
    assert client.get(f"/providers/{ccg_id}").status_code == 404


def test_a_providers_pages_run_as_many_queries_for_many_offers_as_for_two(ccg_client):
    """The current version's offers come with their specifications in one query, not one
    query per offer. (Two versions before counting: a page that follows a superseded
    version also reads what changed since.)"""
    specs = [create_spec(f"QC-{n:02d}", f"Query count {n}") for n in range(6)]
    provider = organisation("Arden CSS")
    publish("Arden CSS", (specs[0], {}))
    publish("Arden CSS", (specs[1], {}))  # the draft keeps its offers: version 2 has two
    pages = (f"/providers/{provider.id}", f"/providers/{provider.id}/versions/2")
    counts = {}
    for page in pages:
        with counting_statements() as count:
            assert ccg_client.get(page).status_code == 200
        counts[page] = len(count)
    publish("Arden CSS", *[(spec, {}) for spec in specs[2:]])
    pages_now = (f"/providers/{provider.id}", f"/providers/{provider.id}/versions/3")
    for before, page in zip(pages, pages_now, strict=True):
        with counting_statements() as count:
            assert ccg_client.get(page).status_code == 200
        assert len(count) == counts[before], page


@pytest.mark.parametrize("page", ["/prospectus", "/prospectus/publish", "/prospectus/versions"])
def test_the_css_prospectus_pages_run_as_many_queries_for_many_offers_as_for_two(
        css_client, page):
    """The draft and the published version (shown, and compared before publishing) come
    with their offers and their specifications loaded together: not a query per offer."""
    specs = [create_spec(f"QP-{n:02d}", f"Query count {n}") for n in range(6)]
    publish("Arden CSS", (specs[0], {}))
    add_offer("Arden CSS", specs[1])
    with counting_statements() as few:
        assert css_client.get(page).status_code == 200
    publish("Arden CSS", *[(spec, {}) for spec in specs[2:4]])
    for spec in specs[4:]:
        add_offer("Arden CSS", spec)
    with counting_statements() as many:
        assert css_client.get(page).status_code == 200
    assert len(many) == len(few)


def test_the_history_counts_each_versions_offers(css_client, client):
    specs = [create_spec(f"HC-{n:02d}", f"History count {n}") for n in range(3)]
    provider = organisation("Arden CSS")
    publish("Arden CSS", (specs[0], {}))
    publish("Arden CSS", *[(spec, {}) for spec in specs[1:]])  # the draft keeps its offer
    for viewer, page in ((css_client, "/prospectus/versions"),
                         (client, f"/providers/{provider.id}")):
        cells = [[cell.get_text(strip=True) for cell in row.select("td")]
                 for row in html(viewer.get(page)).select("table tbody tr")]
        counts = {row[0]: row[3] for row in cells if row and row[0] in ("v1", "v2")}
        assert counts == {"v2": "3", "v1": "1"}, page


def test_a_providers_page_is_kept_until_the_market_changes(client, ccg_client,
                                                         catalogue_cache_on):
    from marketplace.services.audit import record_event

    spec = create_spec()
    publish("Arden CSS", (spec, {"title": "Published offer"}))
    db.session.commit()
    url = f"/providers/{arden().id}"
    assert "Published offer" in text_of(client.get(url))
    # Changed behind the services' back (no audit event): everyone sees the page as kept.
    for offer in db.session.scalars(select(Offer).where(Offer.title == "Published offer")):
        offer.title = "Renamed"  # the published version's and the draft's copy
    db.session.commit()
    for viewer in (client, ccg_client):
        page = text_of(viewer.get(url))
        assert "Published offer" in page and "Renamed" not in page
    record_event("tested", None, "A change", system=True)
    db.session.commit()
    assert "Renamed" in text_of(ccg_client.get(url))
