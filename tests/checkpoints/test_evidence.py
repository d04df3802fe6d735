import hashlib
import io
import zipfile

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import EvidenceDocument, User
from marketplace.services.evidence import sniff_content_type

from .. import factories as build
from ..conftest import html

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def odt_bytes(first="mimetype", declared=b"application/vnd.oasis.opendocument.text"):
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        entries = [("mimetype", declared), ("content.xml", b"<office:document-content/>")]
        if first != "mimetype":
            entries.reverse()
        for name, content in entries:
            archive.writestr(name, content, compress_type=zipfile.ZIP_STORED)
    return output.getvalue()


def upload(client, submission, content, name):
    return client.post(f"/assurance/submissions/{submission.id}/evidence",
                       data={"document": (io.BytesIO(content), name)},
                       content_type="multipart/form-data")


def test_a_pdf_is_stored_outside_the_web_root_with_its_hash(css_client, evidence_dir):
    submission = build.submission(2)
    assert upload(css_client, submission, PDF, "plan.pdf").status_code == 302
    document = db.session.scalar(select(EvidenceDocument))
    assert document.content_type == "application/pdf"
    assert document.sha256 == hashlib.sha256(PDF).hexdigest()
    assert (evidence_dir / document.storage_name).read_bytes() == PDF
    download = css_client.get(f"/assurance/evidence/{document.id}")
    assert download.data == PDF and "attachment" in download.headers["Content-Disposition"]


def test_an_opendocument_file_is_read_from_its_mimetype_entry(css_client):
    submission = build.submission(2)
    assert upload(css_client, submission, odt_bytes(), "survey.odt").status_code == 302
    assert db.session.scalar(select(EvidenceDocument)).content_type.endswith("text")


@pytest.mark.parametrize("content, name", [
    (b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200, "report.pdf"),  # a renamed executable
    (odt_bytes(first="content.xml"), "survey.odt"),  # mimetype must come first
    (odt_bytes(declared=b"application/zip"), "survey.odt"),
    (PDF, "report.odt"),  # a PDF claiming to be an ODF file
    (PDF, "report.exe"),
])
def test_an_upload_that_is_not_what_it_claims_is_refused(css_client, content, name):
    submission = build.submission(2)
    response = upload(css_client, submission, content, name)
    assert response.status_code == 400
    assert "PDF or an OpenDocument" in html(response).select_one("#document-error").text
    assert db.session.scalar(select(EvidenceDocument)) is None


def test_over_ten_megabytes_is_refused(css_client):
    submission = build.submission(2)
    response = upload(css_client, submission, PDF + b"0" * (10 * 1024 * 1024), "big.pdf")
    assert response.status_code == 400
    assert "10 MB or smaller" in html(response).select_one("#document-error").text


def test_sniffing_needs_the_content_not_the_name():
    assert sniff_content_type(PDF) == "application/pdf"
    assert sniff_content_type(b"PK\x03\x04broken") is None
    assert sniff_content_type(b"<html>") is None


@pytest.mark.parametrize("email, expected", [
    ("css@demo.test", 200), ("bdu@demo.test", 200), ("bdu2@demo.test", 200),
    ("css2@demo.test", 404), ("peer@demo.test", 404), ("ccg@demo.test", 403),
    ("admin@demo.test", 403),
])
def test_only_the_css_and_its_reviewers_download(css_client, sign_in, email, expected):
    submission = build.submission(2)
    upload(css_client, submission, PDF, "plan.pdf")
    document = db.session.scalar(select(EvidenceDocument))
    assert sign_in(email).get(f"/assurance/evidence/{document.id}").status_code == expected


def test_an_assigned_peer_reviewer_downloads_checkpoint_1_evidence(css_client, sign_in):
    submission = build.submission(1)
    upload(css_client, submission, PDF, "prospectus.pdf")
    document = db.session.scalar(select(EvidenceDocument))
    peer = sign_in("peer@demo.test")
    assert peer.get(f"/assurance/evidence/{document.id}").status_code == 404
    from marketplace.services.reviews import assign_reviewer

    reviewer = db.session.scalar(select(User).where(User.email == "peer@demo.test"))
    assign_reviewer(reviewer, submission, reviewer)
    assert peer.get(f"/assurance/evidence/{document.id}").status_code == 200


@pytest.mark.parametrize("content, name, served", [
    (PDF, "plan.pdf", "application/pdf"),
    (odt_bytes(), "survey.odt", "application/vnd.oasis.opendocument.text"),
    (odt_bytes(declared=b"application/vnd.oasis.opendocument.spreadsheet"), "figures.ods",
     "application/vnd.oasis.opendocument.spreadsheet"),
    # The mimetype entry is the uploader's own text: a type no upload is accepted as is
    # served as plain bytes, never echoed.
    (odt_bytes(declared=b"application/vnd.oasis.opendocument.text-web"), "page.odt",
     "application/octet-stream"),
])
def test_evidence_is_served_as_its_sniffed_type_and_never_stored_by_caches(
        css_client, content, name, served):
    submission = build.submission(2)
    assert upload(css_client, submission, content, name).status_code == 302
    document = db.session.scalar(select(EvidenceDocument))
    download = css_client.get(f"/assurance/evidence/{document.id}")
    assert download.status_code == 200 and download.data == content
    assert download.headers["Content-Type"] == served
    assert download.headers["Cache-Control"] == "private, no-store"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["X-Content-Type-Options"] == "nosniff"


def test_a_stored_type_that_disagrees_with_the_bytes_is_not_served(css_client):
    submission = build.submission(2)
    upload(css_client, submission, PDF, "plan.pdf")
    document = db.session.scalar(select(EvidenceDocument))
    document.content_type = "text/html"  # as a row written by an older version might say
    db.session.commit()
    download = css_client.get(f"/assurance/evidence/{document.id}")
    assert download.headers["Content-Type"] == "application/pdf"
