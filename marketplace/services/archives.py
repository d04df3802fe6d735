"""Bounded reading of uploaded zip files (OpenDocument evidence, XLSX workbooks).

A few kilobytes of zip can expand to gigabytes. Before anything opens an upload, its members
are checked against their declared sizes, then read in chunks, counting what actually comes
out, so the work done is bounded by the limits below whatever the file claims: at most
``max_total_bytes`` decompressed, each member no more than ``max_ratio`` times its compressed
size once past a megabyte, no more than ``max_members`` members, no archive inside, nothing
encrypted. Nothing is kept: each chunk is dropped once counted (and, for workbooks, searched
for a DOCTYPE, which XLSX never has and XML entity attacks need).
"""

import io
import zipfile
import zlib
from dataclasses import dataclass

CHUNK = 64 * 1024
RATIO_FLOOR = 1024 * 1024  # small members may compress well without being a bomb
ZIP_SIGNATURE = b"PK\x03\x04"
ENCRYPTED_FLAG = 0x1
DOCTYPE = b"<!DOCTYPE"
XML_SUFFIXES = (".xml", ".rels", ".vml")


@dataclass(frozen=True)
class ArchiveLimits:
    max_members: int
    max_total_bytes: int
    max_ratio: int
    forbid_doctype: bool = False


class ArchiveRefused(ValueError):
    """The upload cannot be read safely; ``message`` says why, for the upload field."""

    def __init__(self, message: str, *, bytes_read: int = 0):
        super().__init__(message)
        self.message = message
        self.bytes_read = bytes_read


@dataclass(frozen=True)
class ArchiveSummary:
    members: int
    bytes_read: int


def _megabytes(size: int) -> str:
    return f"{size // (1024 * 1024)} MB"


DAMAGED = "The file is damaged and cannot be opened. Save it again and upload the new copy."


def check_archive(content: bytes, limits: ArchiveLimits) -> ArchiveSummary:
    """Read every member of a zip within the limits; ArchiveRefused as soon as one is passed."""
    read = 0
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
            _check_declared(members, limits)
            for member in members:
                if member.is_dir():
                    continue
                read = _read_member(archive, member, limits, read)
    except ArchiveRefused as refused:
        refused.bytes_read = max(refused.bytes_read, read)
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError,
            ValueError, KeyError, NotImplementedError, RuntimeError):
        # Bad CRCs, truncated data, overlapping members, unknown compression methods:
        # zipfile's ways of saying the archive is not sound.
        raise ArchiveRefused(DAMAGED, bytes_read=read) from None
    return ArchiveSummary(members=len(members), bytes_read=read)


def _check_declared(members: list[zipfile.ZipInfo], limits: ArchiveLimits) -> None:
    """Refuse on what the archive says about itself, before decompressing anything."""
    if len(members) > limits.max_members:
        raise ArchiveRefused(f"The file holds more than {limits.max_members:,} parts, more "
                             "than any document of this kind would; it cannot be accepted.")
    if any(member.flag_bits & ENCRYPTED_FLAG for member in members):
        raise ArchiveRefused("The file is password-protected. Save a copy without a "
                             "password and upload that.")
    for member in members:
        if member.file_size > RATIO_FLOOR and \
                member.file_size > limits.max_ratio * max(member.compress_size, 1):
            raise _bomb()
    if sum(member.file_size for member in members) > limits.max_total_bytes:
        raise _too_large(limits)


def _read_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo, limits: ArchiveLimits,
                 read: int) -> int:
    out = 0
    tail = b""
    with archive.open(member) as stream:
        while chunk := stream.read(CHUNK):
            if out == 0 and chunk.startswith(ZIP_SIGNATURE):
                raise ArchiveRefused("The file has another compressed file inside it. "
                                     "Remove it and upload the file again.", bytes_read=read)
            out += len(chunk)
            read += len(chunk)
            # The declared sizes were checked; this holds whatever they said.
            if out > member.file_size or read > limits.max_total_bytes:
                raise _too_large(limits, read)
            if out > RATIO_FLOOR and out > limits.max_ratio * max(member.compress_size, 1):
                raise _bomb(read)
            if limits.forbid_doctype and member.filename.lower().endswith(XML_SUFFIXES):
                if DOCTYPE in tail + chunk:
                    raise ArchiveRefused(
                        "The file holds XML that spreadsheet programs do not write (a "
                        "DOCTYPE). Open it in a spreadsheet program, save it as a new .xlsx "
                        "file and upload that.", bytes_read=read)
                tail = chunk[-len(DOCTYPE):]
    return read


def _too_large(limits: ArchiveLimits, read: int = 0) -> ArchiveRefused:
    return ArchiveRefused(f"The file expands to more than {_megabytes(limits.max_total_bytes)} "
                          "when opened. Upload a smaller file.", bytes_read=read)


def _bomb(read: int = 0) -> ArchiveRefused:
    return ArchiveRefused("The file expands to far more than its size when opened, as only a "
                          "file made to do harm would; it cannot be accepted.", bytes_read=read)
