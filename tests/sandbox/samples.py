"""Tiny but well-formed files of every accepted type, made in code (no binary fixtures)."""

from __future__ import annotations

import struct
import zlib


def png() -> bytes:
    """A 1x1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def jpeg() -> bytes:
    """The markers a JPEG starts and ends with, around a JFIF header."""
    header = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    return header + b"\x00" * 32 + b"\xff\xd9"


def gif() -> bytes:
    """A 1x1 GIF89a."""
    return (
        b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
        b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
    )


def webp() -> bytes:
    """A RIFF/WEBP container with a VP8L chunk."""
    payload = b"WEBP" + b"VP8L" + struct.pack("<I", 10) + b"\x2f" + b"\x00" * 9
    return b"RIFF" + struct.pack("<I", len(payload)) + payload


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def mp4() -> bytes:
    """ISO-BMFF boxes: ftyp (isom), moov, mdat."""
    return (
        _box(b"ftyp", b"isom\x00\x00\x02\x00isomiso2mp41")
        + _box(b"moov", _box(b"mvhd", b"\x00" * 100))
        + _box(b"mdat", b"\x00" * 64)
    )


def mov() -> bytes:
    """A QuickTime file: ftyp (qt), moov, mdat."""
    return (
        _box(b"ftyp", b"qt  \x00\x00\x02\x00qt  ")
        + _box(b"moov", _box(b"mvhd", b"\x00" * 100))
        + _box(b"mdat", b"\x00" * 64)
    )


def pdf() -> bytes:
    """A one-page PDF skeleton."""
    return b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


SAMPLES = {
    "image/png": ("photo.png", png),
    "image/jpeg": ("photo.jpg", jpeg),
    "image/gif": ("anim.gif", gif),
    "image/webp": ("photo.webp", webp),
    "video/mp4": ("clip.mp4", mp4),
    "video/quicktime": ("clip.mov", mov),
    "application/pdf": ("deck.pdf", pdf),
}
