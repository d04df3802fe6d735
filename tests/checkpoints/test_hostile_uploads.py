"""Small uploads that would make unbounded work: zip bombs, a value in row 1,048,576, XML
entity tricks, malformed XML and formulas without saved values. Each is built here, refused
with a message at the upload field, saves nothing, and is shown to stop at its bound (bytes
decompressed, memory traced), not timed."""

import io
import random
import re
import struct
import tracemalloc
import zipfile
import zlib

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import BusinessPlan, EvidenceDocument
from marketplace.services import archives, plan_workbook
from marketplace.services.archives import ArchiveRefused, check_archive
from marketplace.services.business_plans import PlanInvalid
from marketplace.services.errors import ServiceError
from marketplace.services.evidence import ODF_LIMITS, check_upload

from .. import factories as build
from ..conftest import html

ODT_TYPE = b"application/vnd.oasis.opendocument.text"
MB = 1024 * 1024


# Building hostile zips ----------------------------------------------------------------------


def _deflated(*segments: tuple[bytes, int]) -> tuple[bytes, int, int]:
    """A raw deflate stream of each (bytes, times) segment repeated, without deflating it all:
    after a full flush a compressor starts afresh, so one compressed block can be repeated.
    Returns (stream, size when inflated, CRC-32 of that)."""
    stream, size, crc = b"", 0, 0
    for chunk, times in segments:
        compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
        stream += (compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)) * times
        size += len(chunk) * times
        for _ in range(times):
            crc = zlib.crc32(chunk, crc)
    stream += zlib.compressobj(9, zlib.DEFLATED, -15).flush()  # the final, empty block
    return stream, size, crc


def handmade_zip(members: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip of already deflated members: (name, deflate stream, inflated size, CRC-32)."""
    local, central = b"", b""
    for name, stream, size, crc in members:
        encoded = name.encode()
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, crc,
                               len(stream), size, len(encoded), 0, 0, 0, 0, 0,
                               len(local)) + encoded
        local += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(stream),
                             size, len(encoded), 0) + encoded + stream
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members),
                      len(central), len(local), 0)
    return local + central + end


def odt_bomb() -> bytes:
    """The issue's .odt: its deflated "mimetype" entry expands to 256 MB (of spaces, which
    the old check stripped away before reading the type)."""
    stream, size, crc = _deflated((ODT_TYPE, 1), (b" " * MB, 256))
    return handmade_zip([("mimetype", stream, size, crc)])


def zip_of(*members: tuple[str, bytes], compress=zipfile.ZIP_STORED) -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        for name, content in members:
            archive.writestr(name, content, compress_type=compress)
    return output.getvalue()


def odt(*extra: tuple[str, bytes], compress=zipfile.ZIP_DEFLATED) -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        archive.writestr("mimetype", ODT_TYPE, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", b"<office:document-content/>")
        for name, content in extra:
            archive.writestr(name, content, compress_type=compress)
    return output.getvalue()


def with_declared_size(content: bytes, name: str, declared: int) -> bytes:
    """The zip with one member claiming to be ``declared`` bytes when inflated."""
    data = bytearray(content)
    encoded = name.encode()
    for signature, size_at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        for match in re.finditer(re.escape(signature), bytes(data)):
            name_at = match.start() + (30 if signature == b"PK\x03\x04" else 46)
            if bytes(data[name_at:name_at + len(encoded)]) == encoded:
                data[match.start() + size_at:match.start() + size_at + 4] = \
                    struct.pack("<I", declared)
    return bytes(data)


def with_flag(content: bytes, flag: int) -> bytes:
    """The zip with a general-purpose flag set on every member (bit 0: encrypted)."""
    data = bytearray(content)
    for signature, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        for match in re.finditer(re.escape(signature), bytes(data)):
            at = match.start() + flag_at
            data[at:at + 2] = struct.pack("<H", struct.unpack("<H", data[at:at + 2])[0] | flag)
    return bytes(data)


def peak_memory(action) -> int:
    """Bytes allocated at the peak while ``action`` runs (tracemalloc: counted, not timed)."""
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


# Evidence -----------------------------------------------------------------------------------


def upload_evidence(client, submission, content, name):
    return client.post(f"/assurance/submissions/{submission.id}/evidence",
                       data={"document": (io.BytesIO(content), name)},
                       content_type="multipart/form-data")


def evidence_error(response) -> str:
    assert response.status_code == 400
    element = html(response).select_one("#document-error")
    return element.get_text(" ", strip=True) if element else ""


def test_the_issues_odt_bomb_is_refused_before_anything_is_inflated(css_client, evidence_dir):
    bomb = odt_bomb()
    assert len(bomb) < 300 * 1024
    submission = build.submission(2)
    response = upload_evidence(css_client, submission, bomb, "survey.odt")
    assert "expands to far more than its size" in evidence_error(response)
    assert db.session.scalar(select(EvidenceDocument)) is None
    assert not evidence_dir.exists() or not any(evidence_dir.iterdir())

    with pytest.raises(ArchiveRefused) as refused:
        check_archive(bomb, ODF_LIMITS)
    assert refused.value.bytes_read == 0  # the declared sizes were enough
    # It cost +460 MB when the entry was inflated whole.
    assert peak_memory(lambda: pytest.raises(ServiceError, check_upload, "survey.odt", bomb)) \
        < 4 * MB


def test_a_member_that_understates_its_size_is_read_no_further_than_it_says(css_client):
    stream, size, crc = _deflated((b"\0" * MB, 64))
    lying = handmade_zip([("mimetype", *_deflated((ODT_TYPE, 1))),
                          ("content.xml", stream, 1000, crc)])
    with pytest.raises(ArchiveRefused, match="damaged") as refused:
        check_archive(lying, ODF_LIMITS)
    assert refused.value.bytes_read <= 1000 + len(ODT_TYPE)

    submission = build.submission(2)
    assert "damaged" in evidence_error(upload_evidence(css_client, submission, lying, "a.odt"))
    assert db.session.scalar(select(EvidenceDocument)) is None
    assert size == 64 * MB


def test_the_uncompressed_total_is_capped_even_when_each_part_compresses_modestly():
    # 120 parts of 1 MB, each a 20 KB random block repeated, about 37 to 1: no single
    # part looks like a bomb, but together they would expand to 120 MB.
    block = random.Random(14).randbytes(20 * 1024)
    part = (block * 52)[:MB]
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    stream = compressor.compress(part) + compressor.flush()
    assert 20 < MB / len(stream) < 100
    parts = handmade_zip([("mimetype", *_deflated((ODT_TYPE, 1)))] + [
        (f"Pictures/{n}.bin", stream, MB, zlib.crc32(part)) for n in range(120)])
    assert len(parts) < 10 * MB
    with pytest.raises(ArchiveRefused, match="expands to more than 100 MB") as refused:
        check_archive(parts, ODF_LIMITS)
    assert refused.value.bytes_read == 0


@pytest.mark.parametrize("case, content, message", [
    ("too many parts", zip_of(("mimetype", ODT_TYPE),
                              *((f"p/{n}.xml", b"<p/>") for n in range(1000))),
     "more than 1,000 parts"),
    ("an archive inside", odt(("Object 1/inner.zip", zip_of(("a.txt", b"hello")))),
     "another compressed file inside it"),
    ("password-protected", with_flag(odt(), 0x1), "password-protected"),
    ("truncated", odt()[:-40], "damaged"),
])
def test_other_hostile_opendocument_files_are_refused_at_the_field(css_client, case, content,
                                                                   message):
    submission = build.submission(2)
    assert message in evidence_error(upload_evidence(css_client, submission, content, "a.odt"))
    assert db.session.scalar(select(EvidenceDocument)) is None


def test_an_ordinary_opendocument_file_with_pictures_is_still_accepted(css_client):
    submission = build.submission(2)
    content = odt(("Pictures/photo.jpg", bytes(range(256)) * 4000, ), compress=zipfile.ZIP_STORED)
    response = upload_evidence(css_client, submission, content, "visit.odt")
    assert response.status_code == 302
    assert db.session.scalar(select(EvidenceDocument)).filename == "visit.odt"


# Workbooks ----------------------------------------------------------------------------------


def template_bytes(css_client, plan) -> bytes:
    response = css_client.get(f"/assurance/financial-model-template.xlsx?plan_id={plan.id}")
    assert response.status_code == 200
    return response.data


def saved(book) -> bytes:
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def replace_part(content: bytes, name: str, change) -> bytes:
    """The workbook with one of its XML parts rewritten by ``change(text) -> text``."""
    source = zipfile.ZipFile(io.BytesIO(content))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            data = source.read(member)
            if member.filename == name:
                data = change(data.decode()).encode()
            target.writestr(member.filename, data)
    return output.getvalue()


def sheet_part(content: bytes, title: str) -> str:
    """The zip member holding the sheet called ``title``."""
    book = load_workbook(io.BytesIO(content))
    return f"xl/worksheets/sheet{book.sheetnames.index(title) + 1}.xml"


def upload_workbook(client, plan, content):
    return client.post(f"/assurance/plans/{plan.id}/financial-model/upload",
                       data={"workbook": (io.BytesIO(content), "model.xlsx")},
                       content_type="multipart/form-data")


def workbook_errors(response) -> str:
    assert response.status_code == 400
    element = html(response).select_one("#workbook-error")
    return element.get_text(" ", strip=True) if element else ""


@pytest.fixture
def plan_and_template(css_client):
    plan = build.plan()
    return plan, template_bytes(css_client, plan)


def unchanged(plan, before) -> bool:
    db.session.expire_all()
    return db.session.get(BusinessPlan, plan.id).financial_model == before


def test_one_value_in_row_1048576_is_refused_without_reading_down_to_it(css_client,
                                                                        plan_and_template):
    plan, template = plan_and_template
    before = plan.financial_model
    book = load_workbook(io.BytesIO(template))
    book["Income by customer"]["C1048576"] = 1
    content = saved(book)
    assert len(content) < 32 * 1024  # a small file (the hidden lists of codes included)

    peak = peak_memory(lambda: pytest.raises(PlanInvalid, plan_workbook.read_upload, content))
    assert peak < 16 * MB  # it was 1.35 GB, kept

    errors = workbook_errors(upload_workbook(css_client, plan, content))
    assert "Income by customer!A1048576: the sheet runs to row 1,048,576" in errors
    assert "read from rows 1 to 300 only" in errors
    assert unchanged(plan, before)


def test_a_sheet_that_does_not_record_its_size_is_read_to_the_bound_and_no_further(
        css_client, plan_and_template):
    plan, template = plan_and_template
    book = load_workbook(io.BytesIO(template))
    sheet = book["Income by customer"]
    sheet["A301"] = "05A"
    sheet["C1048576"] = 1
    part = sheet_part(template, "Income by customer")
    content = replace_part(saved(book), part, lambda xml: re.sub(r"<dimension [^>]*/>", "", xml))

    errors = workbook_errors(upload_workbook(css_client, plan, content))
    assert "Income by customer!A301: the sheet runs to row 301" in errors
    assert "1048576" not in errors and "1,048,576" not in errors  # never reached
    with pytest.raises(PlanInvalid):
        plan_workbook.read_upload(content)
    sheets = plan_workbook._read_range(content, data_only=True, problems=[])
    assert max(row for row, _ in sheets["Income by customer"].values) <= plan_workbook.MAX_ROWS


XXE = ('<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>')
LAUGHS = ('<!DOCTYPE worksheet [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
          '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;">]>')


def _with_doctype(doctype: str, entity: str):
    def change(xml: str) -> str:
        # After the XML declaration if there is one (openpyxl writes none).
        declaration = re.match(r"<\?xml[^>]*\?>", xml)
        at = declaration.end() if declaration else 0
        xml = xml[:at] + doctype + xml[at:]
        return re.sub(r'<c r="B2"[^>]*>.*?</c>',
                      f'<c r="B2" t="inlineStr"><is><t>&{entity};</t></is></c>', xml, count=1)
    return change


@pytest.mark.parametrize("case, doctype, entity", [("XXE", XXE, "xxe"),
                                                    ("billion laughs", LAUGHS, "d")])
def test_a_doctype_is_refused_at_the_field(css_client, plan_and_template, case, doctype, entity):
    plan, template = plan_and_template
    before = plan.financial_model
    part = sheet_part(template, "Income by customer")
    content = replace_part(template, part, _with_doctype(doctype, entity))
    errors = workbook_errors(upload_workbook(css_client, plan, content))
    assert "holds XML that spreadsheet programs do not write (a DOCTYPE)" in errors
    assert unchanged(plan, before)


@pytest.mark.parametrize("case, doctype, entity", [("XXE", XXE, "xxe"),
                                                    ("billion laughs", LAUGHS, "d")])
def test_behind_the_doctype_check_openpyxl_parses_with_defusedxml(plan_and_template, monkeypatch,
                                                                  case, doctype, entity):
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML  # installed with the app (setup.cfg), so openpyxl uses it
    plan, template = plan_and_template
    monkeypatch.setattr(plan_workbook, "WORKBOOK_LIMITS",
                        archives.ArchiveLimits(max_members=500, max_total_bytes=20 * MB,
                                               max_ratio=100, forbid_doctype=False))
    part = sheet_part(template, "Income by customer")
    content = replace_part(template, part, _with_doctype(doctype, entity))
    with pytest.raises(PlanInvalid) as invalid:
        plan_workbook.read_upload(content)
    assert invalid.value.messages() == [plan_workbook.UNREADABLE]


@pytest.mark.parametrize("case, change", [
    ("cut short", lambda xml: xml[: len(xml) // 2]),
    ("unclosed cell", lambda xml: xml.replace("</c>", "", 1)),
    ("not XML at all", lambda xml: "this is not XML"),
])
def test_malformed_xml_is_refused_at_the_field(css_client, plan_and_template, case, change):
    plan, template = plan_and_template
    before = plan.financial_model
    content = replace_part(template, sheet_part(template, "Expenditure"), change)
    errors = workbook_errors(upload_workbook(css_client, plan, content))
    assert "The workbook cannot be read" in errors
    assert unchanged(plan, before)


def test_a_formula_without_a_saved_value_is_refused_naming_its_cell(css_client,
                                                                    plan_and_template):
    plan, template = plan_and_template
    before = plan.financial_model
    book = load_workbook(io.BytesIO(template))
    book["Income by customer"]["C5"] = "=1000+1000"  # openpyxl saves no value for it
    errors = workbook_errors(upload_workbook(css_client, plan, saved(book)))
    assert ("Income by customer!C5: holds a formula with no saved value: open the workbook in a "
            "spreadsheet program, save it, and upload it again") in errors
    assert unchanged(plan, before)


def test_a_formula_with_its_saved_value_is_read_as_that_value(css_client, plan_and_template):
    plan, template = plan_and_template
    book = load_workbook(io.BytesIO(template))
    sheet = book["Workforce"]
    sheet["F2"] = 120  # replaced below by a formula whose saved result is 123.5
    part = sheet_part(template, "Workforce")
    content = replace_part(saved(book), part, lambda xml: re.sub(
        r'<c r="F2"([^>]*)><v>120</v></c>', r'<c r="F2"\1><f>100+23.5</f><v>123.5</v></c>', xml))
    assert "<f>100+23.5</f>" in zipfile.ZipFile(io.BytesIO(content)).read(part).decode()
    response = upload_workbook(css_client, plan, content)
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(BusinessPlan, plan.id).financial_model["wte"]["2016/17"] == "123.5"


def test_a_workbook_bomb_is_refused_before_openpyxl_opens_it(css_client, plan_and_template):
    plan, _ = plan_and_template
    stream, size, crc = _deflated((b"<row/>" * 10000, 2000))
    bomb = handmade_zip([("xl/worksheets/sheet1.xml", stream, size, crc)])
    errors = workbook_errors(upload_workbook(css_client, plan, bomb))
    assert "expands to" in errors


def test_a_text_cell_that_starts_with_an_equals_sign_is_text_not_a_formula(plan_and_template):
    _, template = plan_and_template
    book = load_workbook(io.BytesIO(template))
    cell = book["Income by service line"]["B2"]
    cell.value = "=not a formula"
    cell.data_type = "s"
    raw = plan_workbook.read_upload(saved(book))
    assert raw["years"][0] == "2013/14"
