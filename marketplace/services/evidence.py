"""Evidence documents: PDF or OpenDocument only, at most 10 MB, stored outside the web root.

The type is read from the content, never from the name or the browser's Content-Type: a PDF
starts with "%PDF-"; an OpenDocument file is a zip whose first entry, "mimetype", holds
application/vnd.oasis.opendocument.*, and whose members stay within ODF_LIMITS when read
(services/archives.py). Files are stored under a random name in EVIDENCE_DIR.
"""

import hashlib
import io
import os
import re
import struct
import uuid
import zipfile
import zlib
from pathlib import Path

from flask import current_app

from marketplace import policies
from marketplace.extensions import db
from marketplace.models import BusinessPlan, EvidenceDocument, Submission, User
from marketplace.policies.people import leader_of

from .archives import ZIP_SIGNATURE, ArchiveLimits, ArchiveRefused, check_archive
from .audit import record_event
from .errors import PermissionDenied, ServiceError
from .transaction import on_rollback, transactional

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
ODF_PREFIX = "application/vnd.oasis.opendocument."
EXTENSIONS = {
    ".pdf": "application/pdf",
    ".odt": ODF_PREFIX + "text",
    ".ods": ODF_PREFIX + "spreadsheet",
    ".odp": ODF_PREFIX + "presentation",
    ".odg": ODF_PREFIX + "graphics",
}
MAX_MIMETYPE_BYTES = 100  # the longest ODF type is under 60 characters
# application/vnd.oasis.opendocument.text, ...spreadsheet-template, ...text-master ...
ODF_TYPE = re.compile(re.escape(ODF_PREFIX) + r"[a-z]+(-[a-z]+){0,3}")
# An OpenDocument file of 10 MB holding this much is a document; past it, a trap.
ODF_LIMITS = ArchiveLimits(max_members=1000, max_total_bytes=100 * 1024 * 1024, max_ratio=100)
NOT_ALLOWED = "The file must be a PDF or an OpenDocument file (.odt, .ods, .odp or .odg)"
SERVED_TYPES = frozenset(EXTENSIONS.values())
UNKNOWN_TYPE = "application/octet-stream"
# signature, version, flags, method, time, date, CRC, sizes, name and extra field lengths
_ZIP_LOCAL_HEADER = struct.Struct("<4sHHHHHIIIHH")


def evidence_dir() -> Path:
    configured = current_app.config.get("EVIDENCE_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "evidence"


def _opendocument_type(content: bytes) -> str | None:
    """The type an OpenDocument file's first entry declares, reading at most a few bytes of
    it: a deflated "mimetype" entry can expand to gigabytes."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        first = archive.infolist()[0]
        if first.filename != "mimetype" or first.file_size > MAX_MIMETYPE_BYTES:
            return None
        with archive.open(first) as entry:
            declared = entry.read(MAX_MIMETYPE_BYTES + 1)
    if len(declared) > MAX_MIMETYPE_BYTES:
        return None
    declared = declared.decode("ascii").strip()
    # The whole entry must be one type name: it is stored (at most 100 characters) and sent
    # back as the Content-Type header, where a newline or NUL would be refused or injected.
    return declared if ODF_TYPE.fullmatch(declared) else None


def sniff_content_type(content: bytes) -> str | None:
    """The content type the bytes themselves show, or None for anything else."""
    if content.startswith(b"%PDF-"):
        return "application/pdf"
    if content.startswith(ZIP_SIGNATURE):
        try:
            return _opendocument_type(content)
        except (zipfile.BadZipFile, IndexError, UnicodeDecodeError, KeyError, RuntimeError,
                NotImplementedError, EOFError, OSError, zlib.error):
            return None
    return None


def check_upload(filename: str, content: bytes) -> str:
    """The content type of an acceptable upload; ServiceError naming the field otherwise."""
    if not content:
        raise ServiceError("The selected file is empty", field="document")
    if len(content) > MAX_EVIDENCE_BYTES:
        raise ServiceError("The file must be 10 MB or smaller", field="document")
    extension = os.path.splitext(filename or "")[1].lower()
    if extension not in EXTENSIONS:
        raise ServiceError(NOT_ALLOWED, field="document")
    if content.startswith(ZIP_SIGNATURE):
        # Nothing here opens the document beyond its "mimetype" entry, but reviewers'
        # programs will: refuse what would expand without bound or hide another archive.
        try:
            check_archive(content, ODF_LIMITS)
        except ArchiveRefused as refused:
            raise ServiceError(refused.message, field="document") from None
    sniffed = sniff_content_type(content)
    # An ODF spreadsheet saved as .odt is still an ODF file, but a name that claims PDF or ODF
    # over other bytes (a renamed executable) is refused.
    if sniffed is None or (extension == ".pdf") != (sniffed == "application/pdf"):
        raise ServiceError(f"The file is not what its name says. {NOT_ALLOWED}",
                           field="document")
    return sniffed


def _check_uploader(actor: User, organisation_id: int) -> None:
    if not leader_of(actor, organisation_id):
        raise PermissionDenied("Only a leader of this CSS can add its evidence")


@transactional
def add_evidence(actor: User, *, filename: str, content: bytes,
                 submission: Submission | None = None,
                 plan: BusinessPlan | None = None) -> EvidenceDocument:
    parent = submission or plan
    _check_uploader(actor, parent.organisation_id)
    if submission is not None and submission.review and submission.review.is_signed_off:
        raise ServiceError("The review is signed off; no more evidence can be added",
                           field="document")
    if plan is not None and plan.is_submitted:
        raise ServiceError("This plan version was submitted and cannot change",
                           field="document")
    content_type = check_upload(filename, content)
    safe_name = os.path.basename(filename.replace("\\", "/"))[:255]
    storage_name = uuid.uuid4().hex
    folder = evidence_dir()
    folder.mkdir(parents=True, exist_ok=True)
    document = EvidenceDocument(
        organisation_id=parent.organisation_id, submission=submission, business_plan=plan,
        filename=safe_name, content_type=content_type, size_bytes=len(content),
        sha256=hashlib.sha256(content).hexdigest(), storage_name=storage_name,
        uploaded_by_id=actor.id,
    )
    db.session.add(document)
    record_event("evidence.uploaded", document,
                 f"{actor.full_name} uploaded {safe_name}", actor=actor,
                 changes={"sha256": document.sha256, "size_bytes": len(content)})
    path = folder / storage_name
    path.write_bytes(content)
    on_rollback(lambda: path.unlink(missing_ok=True))
    return document


def may_download(user: User, document: EvidenceDocument) -> bool:
    """The CSS's own leaders, and the reviewers of what the document is evidence for."""
    return policies.may(user, "view", document)


def path_of(document: EvidenceDocument) -> Path:
    return evidence_dir() / document.storage_name


def served_content_type(document: EvidenceDocument) -> str:
    """The Content-Type a download is served with: read again from the stored bytes, and only
    ever one of the types uploads are accepted as, never text the uploader wrote (an
    OpenDocument file's mimetype entry says whatever its maker put there)."""
    with path_of(document).open("rb") as stored:
        head = stored.read(512)
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    # OpenDocument (part 3, section 3.3) stores its "mimetype" entry first and uncompressed,
    # so the type is in the first bytes; anything else is served as plain bytes.
    if len(head) < _ZIP_LOCAL_HEADER.size:
        return UNKNOWN_TYPE
    (signature, _version, _flags, method, _time, _date, _crc, _compressed, size,
     name_length, extra_length) = _ZIP_LOCAL_HEADER.unpack_from(head)
    start = _ZIP_LOCAL_HEADER.size
    name = head[start:start + name_length]
    if signature != b"PK\x03\x04" or method != 0 or name != b"mimetype":
        return UNKNOWN_TYPE
    data = start + name_length + extra_length
    declared = head[data:data + size].decode("ascii", "replace")
    return declared if declared in SERVED_TYPES else UNKNOWN_TYPE
