"""Issued review PDFs: what they say, that they never change, and the bad input they survive."""

import hashlib
import logging
import time

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import AuditEvent, IssuedDocument, ReviewStatus
from marketplace.reports import storage
from marketplace.services.errors import ServiceError
from marketplace.services.review_document_render import render_review_pdf, review_html

from .. import factories as build
from ..conftest import html, text_of
from ..factories import drafted_review, sign_off
from .documents import metadata, pages_text, text


def test_sign_off_issues_a_pdf_that_says_what_the_review_says(app_context):
    review = sign_off(drafted_review(2))
    document = storage.latest(review.id)
    content = storage.read(document)
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    assert document.size_bytes == len(content) and document.version == 1
    pages = pages_text(content)
    words = " ".join(pages)
    for expected in (build.ARDEN, "Checkpoint 2: Outline business plan", review.outcome_label,
                     "Good progress", "Marginal", "Failed", review.reference,
                     "Helen Carter", "David Evans",  # the reviewer and the signatory
                     "Appoint a permanent managing director.", "Chair of the CSS board",
                     "31 July 2012", "Revise the financial model by 30 June 2012.",
                     "Income and expenditure", "Income by customer", "Market share"):
        assert expected in words, expected
    for criterion in review.submission.checkpoint.criteria:
        assert criterion.name in words
    for number, page in enumerate(pages, start=1):  # running header and footer
        assert f"Page {number} of {len(pages)}" in page
        assert f"Reference {review.reference} version 1" in page
    dates = metadata(content)
    expected_date = "D:" + review.signed_off_at.strftime("%Y%m%d%H%M%S") + "Z"
    assert dates["/CreationDate"] == dates["/ModDate"] == expected_date
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "review.signed_off"))
    assert event.changes["sha256"] == document.sha256


def test_issued_bytes_never_change_and_rendering_again_gives_the_same_bytes(sign_in):
    review = sign_off(drafted_review(2))
    stored = storage.read(storage.latest(review.id))
    downloads = [sign_in(email).get(f"/review-documents/{review.id}/issued.pdf")
                 for email in ("css@demo.test", "bdu@demo.test", "css@demo.test")]
    for response in downloads:
        assert response.status_code == 200
        assert response.mimetype == "application/pdf"
        assert response.get_data() == stored
        assert response.headers["X-Content-SHA256"] == hashlib.sha256(stored).hexdigest()
    time.sleep(1.1)  # a timestamp taken at render time would now differ
    assert render_review_pdf(review) == stored
    assert db.session.scalar(select(func.count(IssuedDocument.id))) == 1


def test_the_sha256_is_shown_beside_the_download_link(sign_in):
    review = sign_off(drafted_review(2))
    document = storage.latest(review.id)
    for email, page in (("css@demo.test", f"/assurance/submissions/{review.submission_id}"),
                        ("bdu@demo.test", f"/reviews/submissions/{review.submission_id}")):
        soup = BeautifulSoup(sign_in(email).get(page).get_data(as_text=True), "html.parser")
        links = soup.select_one(".review-document-links")
        assert links.select_one(f'a[href="/review-documents/{review.id}/issued.pdf"]')
        assert document.sha256 in links.get_text()


def test_a_draft_preview_says_draft_on_every_page_and_is_not_stored(bdu_client):
    review = drafted_review(2, commentary={"leadership": "Long enough to run on. " * 900})
    response = bdu_client.get(f"/review-documents/{review.id}/draft.pdf")
    assert response.status_code == 200
    pages = pages_text(response.get_data())
    assert len(pages) > 3
    assert all("DRAFT" in page for page in pages)
    assert db.session.scalar(select(func.count(IssuedDocument.id))) == 0
    assert bdu_client.get(f"/review-documents/{review.id}/issued.pdf").status_code == 404


def test_the_on_screen_document_and_the_pdf_share_one_template(bdu_client):
    review = drafted_review(2)
    page = BeautifulSoup(bdu_client.get(f"/review-documents/{review.id}").get_data(as_text=True),
                         "html.parser")
    printed = BeautifulSoup(review_html(review), "html.parser")
    on_screen = page.select_one("article.review-document")
    assert on_screen is not None
    assert on_screen.get_text(" ", strip=True) == \
        printed.select_one("article.review-document").get_text(" ", strip=True)


def test_commentary_with_html_is_shown_as_text(app_context):
    attack = '<script>alert("x")</script><img src="http://example.com/track.png">'
    review = drafted_review(2, commentary={"leadership": attack})
    html = review_html(review)
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find("script") is None
    assert soup.find("img") is None
    content = storage.read(storage.latest(sign_off(review).id))
    assert '<script>alert("x")</script>' in text(content)


def test_very_long_commentary_breaks_across_pages_without_losing_text(app_context):
    long_text = ("The board has not yet agreed its approach to customer account management. "
                 * 280)[:19_980] + " END-MARKER"
    unbroken = "x" * 3000 + "UNBROKEN-END"  # no spaces at all: must still wrap, not vanish
    review = drafted_review(2, commentary={"leadership": long_text,
                                           "business_plan": unbroken})
    content = storage.read(storage.latest(sign_off(review).id))
    pages = pages_text(content)
    assert len(pages) >= 8
    words = "".join(pages).replace(" ", "")
    assert "END-MARKER" in words
    assert "UNBROKEN-END" in words
    assert words.count("customeraccountmanagement") == long_text.count("customer account")


def test_a_review_without_a_financial_model_renders_and_says_so(app_context):
    review = sign_off(drafted_review(1), signer="peer2@demo.test")  # a prospectus
    words = text(storage.read(storage.latest(review.id)))
    assert "No financial model" in words
    assert "Checkpoint 1" in words and review.reference in words

    plan_review = drafted_review(2)
    plan = plan_review.submission.business_plan
    db.session.execute(plan.__table__.update().where(plan.__table__.c.id == plan.id)
                       .values(financial_model=None))  # as if submitted without one
    db.session.expire_all()
    assert "No financial model" in text(render_review_pdf(plan_review))


def test_a_failed_render_leaves_the_review_unsigned_and_nothing_stored(app, app_context,
                                                                      tmp_path):
    review = drafted_review(2)
    original = app.config["PDF_FONT_DIR"]
    app.config["PDF_FONT_DIR"] = str(tmp_path)  # the font is missing
    try:
        with pytest.raises(ServiceError, match="could not be rendered"):
            sign_off(review)
    finally:
        app.config["PDF_FONT_DIR"] = original
    db.session.expire_all()
    assert review.status == ReviewStatus.DRAFT and review.signed_off_at is None
    assert db.session.scalar(select(func.count(IssuedDocument.id))) == 0
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == "review.signed_off")) == 0


def test_an_issued_document_cannot_be_changed(app_context):
    from marketplace.models import FrozenRecordError

    document = storage.latest(sign_off(drafted_review(2)).id)
    document.content = b"%PDF-forged"
    with pytest.raises(FrozenRecordError):
        db.session.flush()
    db.session.rollback()


PASTED_FROM_WORD = ("Strong leadership 👍🏽\x0bThe board meets monthly 👨‍👩‍👧 "
                    "and its minutes \ue000 are published.")


def test_a_review_with_emoji_and_a_vertical_tab_renders_signs_off_and_the_reviewer_is_told(
        bdu_client, sign_in):
    review = drafted_review(2, commentary={"leadership": PASTED_FROM_WORD})
    page = bdu_client.get(f"/reviews/submissions/{review.submission_id}")
    callout = html(page).select_one(".nhsuk-card--warning")
    assert callout is not None, "the author is told before sign-off"
    told = " ".join(callout.get_text(" ").split())
    assert "vertical tab (Word's line break) (U+000B), printed as a new line" in told
    assert "(U+E000), printed as �" in told
    assert "1F44D" not in told  # the emoji print, so they are not mentioned

    signer = sign_in("bdu2@demo.test")
    assert "Some characters print differently" in text_of(
        signer.get(f"/reviews/submissions/{review.submission_id}"))
    response = signer.post(f"/reviews/{review.id}/sign-off",
                           data={"lock_version": review.lock_version})
    assert response.status_code == 302
    after = text_of(signer.get(response.headers["Location"]))
    assert "The issued PDF shows some characters differently" in after
    db.session.expire_all()
    assert review.status == ReviewStatus.SIGNED_OFF
    words = text(storage.read(storage.latest(review.id)))
    assert "Strong leadership" in words and "The board meets monthly" in words
    assert "are published" in words and "\ufffd" in words


def test_without_harfbuzz_subset_a_review_still_previews_and_signs_off(
        bdu_client, sign_in, monkeypatch):
    # The fresh machine of issue 14: WeasyPrint warns that it subsets with fontTools.
    monkeypatch.setattr("weasyprint.pdf.fonts.harfbuzz_subset", None)
    review = drafted_review(2)
    draft = bdu_client.get(f"/review-documents/{review.id}/draft.pdf")
    assert draft.status_code == 200 and draft.get_data().startswith(b"%PDF")
    response = sign_in("bdu2@demo.test").post(f"/reviews/{review.id}/sign-off",
                                              data={"lock_version": review.lock_version})
    assert response.status_code == 302
    assert storage.latest(review.id) is not None


def test_without_the_emoji_font_nothing_is_signed_off(app, app_context, tmp_path):
    review = drafted_review(2)
    original = app.config["PDF_EMOJI_FONT"]
    app.config["PDF_EMOJI_FONT"] = str(tmp_path / "noto-emoji.woff")
    try:
        with pytest.raises(ServiceError, match="noto-emoji.woff does not exist"):
            sign_off(review)
    finally:
        app.config["PDF_EMOJI_FONT"] = original
    db.session.rollback()
    db.session.expire_all()
    assert review.status == ReviewStatus.DRAFT


def test_weasyprint_has_nothing_to_say_about_the_review_layout(app_context, monkeypatch,
                                                                caplog):
    # Notices do not stop a render, so a stylesheet rule WeasyPrint ignores is caught here.
    from marketplace.reports import pdf

    monkeypatch.setattr(pdf, "_noticed", set())
    caplog.set_level(logging.WARNING, logger=pdf.__name__)
    render_review_pdf(drafted_review(2, commentary={"leadership": PASTED_FROM_WORD}))
    said = [record.getMessage() for record in caplog.records]
    assert [message for message in said if "HarfBuzz-Subset" not in message] == []
