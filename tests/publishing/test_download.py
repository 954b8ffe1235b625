"""The download guard: only public addresses, size-capped, typed by the bytes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bridge.engine.download import (
    Downloader,
    DownloadError,
    DownloadRefusedError,
    Resolver,
    is_public_address,
    is_public_https,
    safe_location,
    system_resolver,
)
from bridge.feedserver import FeedServer

from .helpers import JPEG_BYTES


@pytest.fixture
def files() -> Iterator[FeedServer]:
    """A loopback server with one image and a redirect to it."""
    with FeedServer() as server:
        server.set("/photo.jpg", JPEG_BYTES, content_type="application/octet-stream")
        server.redirect("/moved.jpg", "/photo.jpg")
        server.set("/missing.jpg", b"no", content_type="text/plain", status=404)
        yield server


def resolving_to(address: str) -> Resolver:
    """A resolver that answers ``address`` for every host."""
    return lambda host, port: [address]


def downloader(
    tmp_path: Path, *, private: bool = False, resolver: Resolver = system_resolver
) -> Downloader:
    return Downloader(
        max_bytes=10_000,
        timeout=5.0,
        user_agent="test",
        directory=tmp_path,
        allow_private_hosts=private,
        resolver=resolver,
    )


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.9",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "224.0.0.1",
        "240.0.0.1",
        "0.0.0.0",
        "::1",
        "fe80::1",
        "fc00::5",
        "ff02::1",
        "::ffff:127.0.0.1",
    ],
)
def test_non_public_addresses_are_refused_after_resolution(tmp_path: Path, address: str) -> None:
    guard = downloader(tmp_path, resolver=resolving_to(address))
    assert not is_public_address(address)
    with pytest.raises(DownloadRefusedError, match="non-public address"):
        guard.download("https://media.example/photo.jpg")


def test_public_addresses_pass_the_check() -> None:
    assert is_public_address("93.184.216.34")
    assert is_public_address("2606:2800:220:1:248:1893:25c8:1946")


def test_what_postoria_may_import_itself() -> None:
    assert is_public_https("https://cdn.example/a.jpg", resolving_to("93.184.216.34"))
    assert not is_public_https("https://cdn.example/a.jpg", resolving_to("10.0.0.1"))
    assert not is_public_https("http://cdn.example/a.jpg")
    assert not is_public_https("https://127.0.0.1/a.jpg")
    assert not is_public_https("https://localhost/a.jpg")
    assert not is_public_https("https://user:pw@cdn.example/a.jpg")


def test_loopback_download_with_the_opt_in_follows_redirects(
    tmp_path: Path, files: FeedServer
) -> None:
    got = downloader(tmp_path, private=True).download(files.url_for("/moved.jpg"))
    try:
        assert got.content_type == "image/jpeg"
        assert got.path.read_bytes() == JPEG_BYTES
        assert got.name == "photo.jpg"
    finally:
        got.remove()


def test_loopback_download_without_the_opt_in_is_refused(tmp_path: Path, files: FeedServer) -> None:
    with pytest.raises(DownloadRefusedError, match=r"127\.0\.0\.1"):
        downloader(tmp_path).download(files.url_for("/photo.jpg"))
    assert files.hits("/photo.jpg").count == 0


def test_http_errors_name_the_location_without_secrets(tmp_path: Path, files: FeedServer) -> None:
    url = files.url_for("/missing.jpg").replace("http://", "http://user:secret@") + "?token=abc"
    with pytest.raises(DownloadError) as caught:
        downloader(tmp_path, private=True).download(url)
    message = str(caught.value)
    assert "HTTP 404" in message and "/missing.jpg" in message
    assert "secret" not in message and "token" not in message
    assert list(tmp_path.iterdir()) == []


def test_safe_location_drops_credentials_and_query() -> None:
    assert safe_location("https://u:p@host.example:8443/a/b.jpg?sig=1#x") == (
        "https://host.example:8443/a/b.jpg"
    )


def test_malformed_urls_are_refused_with_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DownloadError, match="invalid media URL"):
        downloader(tmp_path, private=True).download("http://host.example:notaport/a.jpg")
    assert not is_public_https("https://host.example:notaport/a.jpg")
    assert safe_location("http://host.example:notaport/a.jpg") == "<invalid URL>"
    with pytest.raises(DownloadRefusedError, match="only http and https"):
        downloader(tmp_path, private=True).download("ftp://host.example/a.jpg")


def test_the_next_address_is_tried_when_one_refuses(tmp_path: Path, files: FeedServer) -> None:
    dead_port_host = "127.0.0.2"  # loopback, nothing listens there on this port
    guard = downloader(
        tmp_path, private=True, resolver=lambda host, port: [dead_port_host, "127.0.0.1"]
    )
    got = guard.download(files.url_for("/photo.jpg"))
    try:
        assert got.path.read_bytes() == JPEG_BYTES
    finally:
        got.remove()
