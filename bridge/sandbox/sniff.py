"""Recognising uploaded files by their bytes, the way a media pipeline does.

Only the head, the tail and (for MP4/MOV) the top-level box headers are read, so a large video
is never loaded into memory. Accepted types are the contract's: JPEG, PNG, WebP, GIF, MP4,
QuickTime MOV and PDF.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import BinaryIO

MIME_KINDS = {
    "image/jpeg": "image",
    "image/png": "image",
    "image/webp": "image",
    "image/gif": "image",
    "video/mp4": "video",
    "video/quicktime": "video",
    "application/pdf": "document",
}
"""Accepted content types and the kind of media each is."""

EXTENSION_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
    ".gif": "image/gif",
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".mov": "video/quicktime",
    ".pdf": "application/pdf",
}


class MediaRejected(Exception):
    """The bytes are not an accepted, intact file; ``code`` becomes the media's error_code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Sniffed:
    """What a file turned out to be."""

    mime: str
    kind: str


def sniff_file(path: str) -> Sniffed:
    """Identify the file at ``path`` or raise :class:`MediaRejected`."""
    size = os.path.getsize(path)
    if size == 0:
        raise MediaRejected("empty_file", "The uploaded file is empty.")
    with open(path, "rb") as fh:
        head = fh.read(32)
        fh.seek(max(0, size - 1024))
        tail = fh.read()
        mime = _identify(head)
        if mime is None:
            raise MediaRejected(
                "unsupported_media_type",
                "The file is not a supported type (JPEG, PNG, WebP, GIF, MP4, MOV or PDF).",
            )
        if not _intact(mime, head, tail, fh, size):
            raise MediaRejected("corrupt_file", f"The file looks like {mime} but is corrupt.")
    return Sniffed(mime=mime, kind=MIME_KINDS[mime])


def _identify(head: bytes) -> str | None:
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head[4:8] == b"ftyp":
        return "video/quicktime" if head[8:12] == b"qt  " else "video/mp4"
    if head[4:8] in (b"moov", b"wide", b"mdat", b"free"):
        return "video/quicktime"
    return None


def _intact(mime: str, head: bytes, tail: bytes, fh: BinaryIO, size: int) -> bool:
    trimmed = tail.rstrip(b"\x00\r\n ")
    if mime == "image/jpeg":
        return trimmed.endswith(b"\xff\xd9")
    if mime == "image/png":
        return head[12:16] == b"IHDR" and b"IEND" in tail[-12:]
    if mime == "image/gif":
        return trimmed.endswith(b";") and size > 13
    if mime == "image/webp":
        return int.from_bytes(head[4:8], "little") + 8 <= size and size > 12
    if mime == "application/pdf":
        return b"%%EOF" in tail
    return _boxes_intact(fh, size)


def _boxes_intact(fh: BinaryIO, size: int) -> bool:
    """Walk the top-level ISO-BMFF boxes: each must fit, and a ``moov`` box must exist."""
    offset = 0
    seen_moov = False
    while offset < size:
        fh.seek(offset)
        header = fh.read(16)
        if len(header) < 8:
            return False
        box_size = int.from_bytes(header[:4], "big")
        if header[4:8] == b"moov":
            seen_moov = True
        if box_size == 1:
            if len(header) < 16:
                return False
            box_size = int.from_bytes(header[8:16], "big")
        elif box_size == 0:
            box_size = size - offset
        if box_size < 8 or offset + box_size > size:
            return False
        offset += box_size
    return seen_moov
