"""Uploading files: what type a file really is, and how its bytes are streamed.

The type is read from the file's first bytes (magic numbers), never from its name: a
``photo.jpg`` that is really a HEIC would be rejected by Postoria after the upload, having cost
the slot, the transfer and a status poll. Bodies are streamed in chunks with an explicit
``Content-Length``, so a 2 GB video costs a chunk of memory, not 2 GB.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from ..errors import PostoriaValidationError
from ._types import UploadBody

CHUNK_SIZE = 1024 * 1024
SNIFF_BYTES = 64

JPEG = "image/jpeg"
PNG = "image/png"
WEBP = "image/webp"
GIF = "image/gif"
MP4 = "video/mp4"
QUICKTIME = "video/quicktime"
PDF = "application/pdf"

ACCEPTED_UPLOAD_TYPES = frozenset({JPEG, PNG, WEBP, GIF, MP4, QUICKTIME, PDF})
"""The content types Postoria accepts for uploads."""

_MP4_BRANDS = frozenset(
    {"isom", "iso2", "iso3", "iso4", "iso5", "iso6", "mp41", "mp42", "avc1", "dash", "mmp4"}
    | {"M4V ", "M4VH", "M4VP", "MSNV", "XAVC", "f4v "}
)
_QUICKTIME_ATOMS = frozenset({b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"})


def sniff_content_type(head: bytes) -> str | None:
    """The accepted content type that ``head`` (a file's first bytes) starts, else ``None``."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"%PDF-"):
        return PDF
    return _sniff_iso_media(head)


def _sniff_iso_media(head: bytes) -> str | None:
    box = head[4:8]
    if box == b"ftyp":
        size = int.from_bytes(head[:4], "big")
        brands = [head[8:12]] + [head[i : i + 4] for i in range(16, min(size, len(head)), 4)]
        names = [brand.decode("latin-1") for brand in brands if len(brand) == 4]
        if names and names[0] == "qt  ":
            return QUICKTIME
        if any(name in _MP4_BRANDS for name in names):
            return MP4
        return None
    # Older QuickTime files start straight with an atom instead of a file-type box.
    return QUICKTIME if box in _QUICKTIME_ATOMS else None


def describe_head(head: bytes) -> str:
    """A short, safe description of unrecognised bytes for an error message."""
    if head[4:8] == b"ftyp":
        return f"an ISO media file of brand {head[8:12].decode('latin-1')!r}"
    if not head:
        return "an empty file"
    return f"bytes starting {head[:8].hex(' ')}"


def sniff_file(path: Path) -> tuple[str, int]:
    """The content type and size of the file at ``path``, or a validation error naming it."""
    try:
        with path.open("rb") as file:
            size = os.fstat(file.fileno()).st_size
            head = file.read(SNIFF_BYTES)
    except OSError as exc:
        raise PostoriaValidationError(f"cannot read {path}: {exc.strerror}", param="file") from None
    content_type = sniff_content_type(head)
    if content_type is None:
        raise PostoriaValidationError(
            f"{path.name} is {describe_head(head)}, not a type Postoria accepts "
            "(JPEG, PNG, WebP, GIF, MP4, MOV, PDF)",
            param="file",
        )
    return content_type, size


def file_chunks(path: Path, chunk_size: int = CHUNK_SIZE) -> Iterator[bytes]:
    """The bytes of ``path`` in chunks, opening it when iteration starts."""
    with path.open("rb") as file:
        while chunk := file.read(chunk_size):
            yield chunk


@dataclass(frozen=True)
class PreparedBody:
    """An upload body ready to send: how to produce its bytes, and its length when known.

    ``replayable`` bodies can be produced again, so a failed PUT may be retried.
    """

    produce: Callable[[], bytes | Iterable[bytes]]
    length: int | None
    replayable: bool


def prepare_body(body: UploadBody, content_length: int | None = None) -> PreparedBody:
    """Normalise what ``put_upload`` was given into a :class:`PreparedBody`."""
    if isinstance(body, bytes | bytearray | memoryview):
        data = bytes(body)
        return PreparedBody(lambda: data, len(data), replayable=True)
    if isinstance(body, str):
        raise TypeError("an upload body is bytes, a binary file or an iterable of bytes, not str")
    if hasattr(body, "read"):
        return _prepare_file(body, content_length)  # type: ignore[arg-type]
    chunks = iter(body)
    return PreparedBody(lambda: chunks, content_length, replayable=False)


def _prepare_file(file: IO[bytes], content_length: int | None) -> PreparedBody:
    seekable = file.seekable()
    start = file.tell() if seekable else 0
    if content_length is None and seekable:
        content_length = file.seek(0, os.SEEK_END) - start
        file.seek(start)

    def produce() -> Iterator[bytes]:
        if seekable:
            file.seek(start)
        while chunk := file.read(CHUNK_SIZE):
            yield chunk

    return PreparedBody(produce, content_length, replayable=seekable)


def path_body(path: Path, size: int) -> PreparedBody:
    """A body that streams ``path`` afresh each time it is produced (so retries are safe)."""
    return PreparedBody(lambda: file_chunks(path), size, replayable=True)
