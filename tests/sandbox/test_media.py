from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest

from bridge.sandbox import SandboxServer

from .conftest import ACME, PLAIN, client_for, error_of
from .samples import SAMPLES, jpeg, png


def new_slot(api: httpx.Client, content_type: str = "image/png", name: str = "a.png") -> dict:
    response = api.post(
        f"/workspaces/{ACME}/media/uploads", json={"name": name, "content_type": content_type}
    )
    assert response.status_code == 201, response.text
    return response.json()


def with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query.update(changes)
    return parts._replace(query=urlencode(query)).geturl()


@pytest.mark.parametrize("content_type", sorted(SAMPLES))
def test_every_accepted_type_becomes_ready(upload, content_type: str) -> None:
    media = upload(content_type)
    assert media["status"] == "ready"
    assert media["file_id"]
    assert media["error_code"] is None and media["error_message"] is None


def test_upload_slot_shape_and_processing_follows_the_clock(
    api: httpx.Client, server: SandboxServer
) -> None:
    slot = new_slot(api)
    assert set(slot) == {"id", "status", "upload"}
    assert slot["status"] == "waiting_for_upload"
    assert "/_storage/" in slot["upload"]["url"] and "signature=" in slot["upload"]["url"]
    waiting = api.get(f"/workspaces/{ACME}/media/{slot['id']}").json()
    assert waiting["status"] == "waiting_for_upload"
    put = PLAIN.put(slot["upload"]["url"], content=png(), headers={"Content-Type": "image/png"})
    assert put.status_code == 200
    media = api.post(f"/workspaces/{ACME}/media/{slot['id']}/complete").json()
    assert media["status"] == "processing" and media["file_id"] is None
    server.clock.advance(1.9)
    assert api.get(f"/workspaces/{ACME}/media/{slot['id']}").json()["status"] == "processing"
    server.clock.advance(0.1)
    ready = api.get(f"/workspaces/{ACME}/media/{slot['id']}").json()
    assert ready["status"] == "ready" and ready["file_id"]


def test_expired_upload_url_is_refused(api: httpx.Client, server: SandboxServer) -> None:
    slot = new_slot(api)
    server.clock.advance(server.config.upload_url_ttl + 1)
    put = PLAIN.put(slot["upload"]["url"], content=png(), headers={"Content-Type": "image/png"})
    assert put.status_code == 403
    assert "<Code>AccessDenied</Code>" in put.text and "expired" in put.text


@pytest.mark.parametrize(
    "change",
    [{"signature": "0" * 64}, {"expires": "4102444800"}],
    ids=["signature", "expires"],
)
def test_tampered_upload_url_is_refused(api: httpx.Client, change: dict[str, str]) -> None:
    url = with_query(new_slot(api)["upload"]["url"], **change)
    put = PLAIN.put(url, content=png(), headers={"Content-Type": "image/png"})
    assert put.status_code == 403
    assert put.headers["Content-Type"].startswith("application/xml")
    assert "<Code>SignatureDoesNotMatch</Code>" in put.text


def test_unsigned_upload_url_is_refused(api: httpx.Client) -> None:
    url = new_slot(api)["upload"]["url"].split("?")[0]
    put = PLAIN.put(url, content=png(), headers={"Content-Type": "image/png"})
    assert put.status_code == 403


def test_upload_needs_the_signed_content_type(api: httpx.Client) -> None:
    slot = new_slot(api)
    put = PLAIN.put(slot["upload"]["url"], content=png(), headers={"Content-Type": "image/jpeg"})
    assert put.status_code == 403


def test_upload_is_streamed_and_capped(make_server) -> None:
    server = make_server(max_upload_bytes=3 * 1024 * 1024)
    with client_for(server) as api:
        slot = new_slot(api, "video/mp4", "big.mp4")

        def chunks() -> Iterator[bytes]:
            for _ in range(8):
                yield b"\x00" * (512 * 1024)

        put = PLAIN.put(
            slot["upload"]["url"], content=chunks(), headers={"Content-Type": "video/mp4"}
        )
        assert put.status_code == 413
        assert "<Code>EntityTooLarge</Code>" in put.text
        sized = PLAIN.put(
            slot["upload"]["url"],
            content=b"\x00" * (4 * 1024 * 1024),
            headers={"Content-Type": "video/mp4"},
        )
        assert sized.status_code == 413


def test_large_chunked_upload_is_stored(api: httpx.Client, server: SandboxServer) -> None:
    from .samples import _box

    slot = new_slot(api, "video/mp4", "clip.mp4")
    head = _box(b"ftyp", b"isom\x00\x00\x02\x00isom") + _box(b"moov", b"\x00" * 8)
    size = 6 * 1024 * 1024
    mdat_header = (size + 8).to_bytes(4, "big") + b"mdat"

    def body() -> Iterator[bytes]:
        yield head + mdat_header
        for _ in range(6):
            yield b"\x00" * (1024 * 1024)

    put = PLAIN.put(slot["upload"]["url"], content=body(), headers={"Content-Type": "video/mp4"})
    assert put.status_code == 200
    api.post(f"/workspaces/{ACME}/media/{slot['id']}/complete")
    server.clock.advance(2)
    assert api.get(f"/workspaces/{ACME}/media/{slot['id']}").json()["status"] == "ready"


@pytest.mark.parametrize(
    ("content_type", "body", "code"),
    [
        ("image/png", b"just some text, not an image", "unsupported_media_type"),
        ("image/png", b"", "empty_file"),
        ("image/jpeg", jpeg()[:-2], "corrupt_file"),
        ("image/png", png()[:-12], "corrupt_file"),
        ("video/mp4", SAMPLES["video/mp4"][1]()[:-10], "corrupt_file"),
        ("application/pdf", b"%PDF-1.4\n1 0 obj", "corrupt_file"),
    ],
    ids=["text", "empty", "truncated-jpeg", "truncated-png", "truncated-mp4", "truncated-pdf"],
)
def test_bad_bytes_fail_processing(upload, content_type: str, body: bytes, code: str) -> None:
    media = upload(content_type, body=body)
    assert media["status"] == "failed"
    assert media["error_code"] == code
    assert media["error_message"]
    assert media["file_id"] is None


def test_completing_without_upload_fails(api: httpx.Client, server: SandboxServer) -> None:
    slot = new_slot(api)
    assert api.post(f"/workspaces/{ACME}/media/{slot['id']}/complete").status_code == 200
    server.clock.advance(2)
    media = api.get(f"/workspaces/{ACME}/media/{slot['id']}").json()
    assert (media["status"], media["error_code"]) == ("failed", "upload_missing")


def test_completing_twice_is_a_conflict(api: httpx.Client, upload) -> None:
    media = upload()
    response = api.post(f"/workspaces/{ACME}/media/{media['id']}/complete")
    assert response.status_code == 409
    assert error_of(response)["code"] == "conflict"


def test_put_after_complete_is_refused(api: httpx.Client) -> None:
    slot = new_slot(api)
    api.post(f"/workspaces/{ACME}/media/{slot['id']}/complete")
    put = PLAIN.put(slot["upload"]["url"], content=png(), headers={"Content-Type": "image/png"})
    assert put.status_code == 409


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"content_type": "image/png"}, "name"),
        ({"name": "a.png"}, "content_type"),
        ({"name": "a.txt", "content_type": "text/plain"}, "content_type"),
        ({"name": 3, "content_type": "image/png"}, "name"),
    ],
)
def test_upload_slot_validation(api: httpx.Client, body: dict, param: str) -> None:
    response = api.post(f"/workspaces/{ACME}/media/uploads", json=body)
    assert response.status_code == 400
    error = error_of(response)
    assert (error["code"], error["param"]) == ("validation_error", param)


def test_upload_slot_bad_json(api: httpx.Client) -> None:
    response = api.post(f"/workspaces/{ACME}/media/uploads", content=b"{nope")
    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid_json"


def test_media_of_another_workspace_is_404(api: httpx.Client, upload) -> None:
    media = upload()
    assert api.get(f"/workspaces/2/media/{media['id']}").status_code == 404
    assert api.get(f"/workspaces/{ACME}/media/999999").status_code == 404
    assert api.post(f"/workspaces/2/media/{media['id']}/complete").status_code == 404


def test_upload_url_needs_no_bearer_and_ignores_one(api: httpx.Client) -> None:
    slot = new_slot(api)
    put = PLAIN.put(
        slot["upload"]["url"],
        content=png(),
        headers={"Content-Type": "image/png", "Authorization": "Bearer wrong"},
    )
    assert put.status_code == 200


def test_signed_url_never_reaches_the_request_log(api: httpx.Client, server: SandboxServer) -> None:
    slot = new_slot(api)
    PLAIN.put(slot["upload"]["url"], content=png(), headers={"Content-Type": "image/png"})
    signature = parse_qs(urlsplit(slot["upload"]["url"]).query)["signature"][0]
    entries = server.state.requests()
    assert any(e["endpoint"] == "put_upload" and e["status"] == 200 for e in entries)
    assert signature not in repr(entries)
