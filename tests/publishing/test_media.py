"""Media: imported when public HTTPS, else downloaded safely and uploaded; ready before posting."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bridge.feedserver import FeedServer
from bridge.store import PublicationState as S

from .helpers import ACME_INSTAGRAM, ACME_X, JPEG_BYTES, PNG_BYTES, World


@pytest.fixture
def files() -> Iterator[FeedServer]:
    """A loopback web server holding media files."""
    with FeedServer() as server:
        server.set("/photo.jpg", JPEG_BYTES, content_type="image/jpeg")
        server.set("/wrongly-named.jpg", PNG_BYTES, content_type="image/jpeg")
        server.set("/page.html", b"<html>not an image</html>", content_type="text/html")
        server.set("/huge.jpg", JPEG_BYTES + b"\x00" * 1_200_000, content_type="image/jpeg")
        big = JPEG_BYTES + b"\x00" * 1_200_000
        server.set("/streamed.jpg", big, content_type="image/jpeg", chunked=True)
        yield server


def test_public_https_media_is_imported_and_posted(world: World) -> None:
    pid = world.add(
        accounts=(ACME_X, ACME_INSTAGRAM),
        media=("https://cdn.example/a.jpg", "https://cdn.example/b.png"),
        options={"media": "required"},
    )

    world.run()

    publication = world.publication(pid)
    assert publication.state == S.POSTED
    rows = world.media_rows(pid)
    assert [r.method for r in rows] == ["import", "import"]
    assert all(r.state == "ready" and r.file_id for r in rows)
    record = world.post_record(publication.post_id or 0)
    assert record.media_ids == [r.media_id for r in rows]
    assert record.content_type == "carousel"
    assert len(world.served("import_media")) == 2


def test_loopback_media_is_downloaded_and_uploaded_with_the_opt_in(
    world: World, files: FeedServer
) -> None:
    pid = world.add(
        accounts=(ACME_INSTAGRAM,),
        media=(files.url_for("/photo.jpg"), files.url_for("/wrongly-named.jpg")),
    )

    world.run()

    publication = world.publication(pid)
    assert publication.state == S.POSTED
    rows = world.media_rows(pid)
    assert [r.method for r in rows] == ["upload", "upload"]
    assert [r.content_type for r in rows] == ["image/jpeg", "image/png"]
    assert rows[0].size == len(JPEG_BYTES)
    assert world.post_record(publication.post_id or 0).media_ids == [r.media_id for r in rows]
    assert len(world.served("complete_upload")) == 2
    assert world.settings.data_dir is not None
    assert list(world.settings.data_dir.rglob("media-*")) == []  # temporary files removed


def test_loopback_media_is_refused_without_the_opt_in(world: World, files: FeedServer) -> None:
    world.allow_private = False
    world.restart()
    required = world.add(media=(files.url_for("/photo.jpg"),), options={"media": "required"})
    optional = world.add(caption="Text still goes", media=(files.url_for("/photo.jpg"),))

    world.run()

    failed = world.publication(required)
    assert failed.state == S.FAILED
    assert "non-public address (127.0.0.1)" in (failed.state_reason or "")
    assert files.hits("/photo.jpg").count == 0
    posted = world.publication(optional)
    assert posted.state == S.POSTED
    assert "posted without media" in (posted.state_reason or "")
    assert world.post_record(posted.post_id or 0).media_ids == []
    assert len(world.posts()) == 1


def test_oversized_and_unknown_files_fail_with_the_reason(world: World, files: FeedServer) -> None:
    declared = world.add(media=(files.url_for("/huge.jpg"),), options={"media": "required"})
    streamed = world.add(media=(files.url_for("/streamed.jpg"),), options={"media": "required"})
    html = world.add(media=(files.url_for("/page.html"),), options={"media": "required"})

    world.run()

    assert "1000000-byte limit" in (world.publication(declared).state_reason or "")
    assert "1000000-byte limit" in (world.publication(streamed).state_reason or "")
    assert "not a type Postoria accepts" in (world.publication(html).state_reason or "")
    assert all(world.publication(p).state == S.FAILED for p in (declared, streamed, html))
    assert world.posts() == []
    assert world.served("create_upload") == []


def test_media_postoria_cannot_process_fails_a_required_publication(world: World) -> None:
    pid = world.add(media=("https://cdn.example/file.xyz",), options={"media": "required"})

    world.run()

    publication = world.publication(pid)
    assert publication.state == S.FAILED
    assert "unsupported_media_type" in (publication.state_reason or "")
    assert world.posts() == []


def test_media_checks_are_timed_from_what_processing_usually_takes(world: World) -> None:
    world.server.config.media_delay = 30.0
    first = world.add(media=("https://cdn.example/one.jpg",))
    assert world.publisher.step().as_dict() == {
        "reconciled": 0,
        "media_started": 1,
        "submitted": 0,
        "media_checked": 0,
        "polled": 0,
    }
    assert world.publisher.step().total == 0  # processing; nothing is due yet
    world.run()
    checks_first = len(world.served("get_media"))

    second = world.add(media=("https://cdn.example/two.jpg",))
    world.run()
    checks_second = len(world.served("get_media")) - checks_first

    assert world.publication(first).state == S.POSTED
    assert world.publication(second).state == S.POSTED
    assert checks_first >= 3
    assert checks_second == 1
