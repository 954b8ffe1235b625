"""File types from their bytes, streamed bodies, and a large upload in bounded memory."""

from __future__ import annotations

import io
import tracemalloc
from pathlib import Path

import pytest

from bridge.errors import PostoriaValidationError
from bridge.postoria import PostoriaClient, sniff_content_type
from bridge.postoria.uploads import prepare_body
from bridge.sandbox import SandboxServer

from .helpers import ACME, JPEG_BYTES, PNG_HEAD, served

MIB = 1024 * 1024


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (JPEG_BYTES, "image/jpeg"),
        (PNG_HEAD, "image/png"),
        (b"GIF89a\x01\x00", "image/gif"),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"%PDF-1.7\n", "application/pdf"),
        (b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom", "video/mp4"),
        (b"\x00\x00\x00\x14ftypqt  \x00\x00\x02\x00qt  ", "video/quicktime"),
        (b"\x00\x00\x00\x08wide\x00\x00\x00\x00mdat", "video/quicktime"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", None),
        (b"\x00\x00\x00\x18ftypM4A \x00\x00\x00\x00M4A mp42", "video/mp4"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", None),
        (b"", None),
    ],
)
def test_sniffing_reads_magic_numbers(head: bytes, expected: str | None) -> None:
    assert sniff_content_type(head) == expected


def test_unsupported_file_is_refused_before_any_request(
    client: PostoriaClient, sandbox: SandboxServer, tmp_path: Path
) -> None:
    photo = tmp_path / "photo.jpg"  # the name lies: the bytes are a HEIC image
    photo.write_bytes(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 100)
    with pytest.raises(PostoriaValidationError) as caught:
        client.upload_file(ACME, photo)
    assert caught.value.param == "file"
    assert "'heic'" in str(caught.value)
    assert sandbox.state.requests() == []


def test_missing_file_is_a_validation_error(client: PostoriaClient, tmp_path: Path) -> None:
    with pytest.raises(PostoriaValidationError, match="cannot read"):
        client.upload_file(ACME, tmp_path / "gone.jpg")


def test_bodies_of_every_shape_are_prepared() -> None:
    assert list(_chunks(prepare_body(b"abc").produce())) == [b"abc"]
    file = io.BytesIO(b"skip-me|payload")
    file.seek(8)
    body = prepare_body(file)
    assert (body.length, body.replayable) == (7, True)
    assert b"".join(_chunks(body.produce())) == b"payload"
    assert b"".join(_chunks(body.produce())) == b"payload"  # replayed from the same start
    chunks = prepare_body(iter([b"a", b"b"]), content_length=2)
    assert (chunks.length, chunks.replayable) == (2, False)
    with pytest.raises(TypeError):
        prepare_body("text")  # type: ignore[arg-type]


def _chunks(produced: bytes | object) -> list[bytes]:
    return [produced] if isinstance(produced, bytes) else list(produced)  # type: ignore[call-overload]


def _sparse_pdf(path: Path, size: int) -> None:
    with path.open("wb") as file:
        file.write(b"%PDF-1.4\n")
        file.seek(size - 6)
        file.write(b"%%EOF\n")


def test_large_file_streams_in_bounded_memory(
    client: PostoriaClient, sandbox: SandboxServer, tmp_path: Path
) -> None:
    size = 64 * MIB
    path = tmp_path / "brochure.pdf"
    _sparse_pdf(path, size)
    tracemalloc.start()
    try:
        media = client.upload_file(ACME, path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # The peak counts this process's Python allocations, the sandbox receiving the body
    # included: a few 1 MiB chunks on each side at a time (about 10 MiB whatever the file
    # size), never the file.
    assert peak < size // 4
    [put] = served(sandbox, "put_upload")
    assert put["status"] < 300
    ready = client.wait_for_media(ACME, media.id)
    assert ready.is_ready
