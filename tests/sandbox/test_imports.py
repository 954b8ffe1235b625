from __future__ import annotations

import threading
from collections.abc import Iterator

import httpx
import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from bridge.sandbox import SandboxServer

from .conftest import ACME, client_for, error_of
from .samples import jpeg, mp4

FILES = {"/photo.jpg": jpeg(), "/clip.mp4": mp4(), "/notes.txt": b"hello", "/bad.jpg": jpeg()[:-2]}


@pytest.fixture
def file_server() -> Iterator[str]:
    """A loopback HTTP server with a few files; yields its base URL."""

    @Request.application
    def app(request: Request) -> Response:
        body = FILES.get(request.path)
        return Response(body, 200) if body is not None else Response("missing", 404)

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def import_url(api: httpx.Client, url: object) -> httpx.Response:
    return api.post(f"/workspaces/{ACME}/media/imports", json={"url": url})


@pytest.mark.parametrize(
    "url",
    [
        "https://cdn.example.com/photo.jpg",
        "https://cdn.example.com/a/clip.MP4",
        "https://cdn.example.com/deck.pdf?x=1",
    ],
)
def test_https_import_is_simulated_by_extension(
    api: httpx.Client, server: SandboxServer, url: str
) -> None:
    response = import_url(api, url)
    assert response.status_code == 201
    media = response.json()
    assert media["status"] == "processing"
    server.clock.advance(2)
    media = api.get(f"/workspaces/{ACME}/media/{media['id']}").json()
    assert media["status"] == "ready" and media["file_id"]


def test_https_import_of_an_unknown_type_fails(api: httpx.Client, server: SandboxServer) -> None:
    media = import_url(api, "https://example.com/page.html").json()
    server.clock.advance(2)
    media = api.get(f"/workspaces/{ACME}/media/{media['id']}").json()
    assert (media["status"], media["error_code"]) == ("failed", "unsupported_media_type")


@pytest.mark.parametrize(
    "url",
    [
        "http://cdn.example.com/photo.jpg",
        "ftp://cdn.example.com/photo.jpg",
        "photo.jpg",
        "https://127.0.0.1/photo.jpg",
        "https://10.0.0.8/photo.jpg",
        "",
        42,
    ],
)
def test_import_needs_a_public_https_url(api: httpx.Client, url: object) -> None:
    response = import_url(api, url)
    assert response.status_code == 400
    error = error_of(response)
    assert (error["code"], error["param"]) == ("validation_error", "url")


def test_loopback_http_is_refused_by_default(api: httpx.Client, file_server: str) -> None:
    assert import_url(api, file_server + "/photo.jpg").status_code == 400


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/photo.jpg", "ready", None),
        ("/clip.mp4", "ready", None),
        ("/notes.txt", "failed", "unsupported_media_type"),
        ("/bad.jpg", "failed", "corrupt_file"),
        ("/gone.jpg", "failed", "fetch_failed"),
    ],
)
def test_loopback_http_is_really_fetched_when_allowed(
    make_server, file_server: str, path: str, status: str, code: str | None
) -> None:
    server = make_server(allow_http_imports=True)
    with client_for(server) as api:
        media = import_url(api, file_server + path).json()
        server.clock.advance(2)
        media = api.get(f"/workspaces/{ACME}/media/{media['id']}").json()
    assert (media["status"], media["error_code"]) == (status, code)


def test_allowed_http_still_refuses_non_loopback_hosts(make_server) -> None:
    server = make_server(allow_http_imports=True)
    with client_for(server) as api:
        assert import_url(api, "http://example.com/photo.jpg").status_code == 400
