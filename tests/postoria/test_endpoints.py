"""Every endpoint against the sandbox, through the real client and loopback HTTP."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from bridge.clock import ManualClock
from bridge.errors import NotFoundError, PostoriaProtocolError
from bridge.postoria import (
    CreatePost,
    MediaFailedError,
    MediaStatus,
    MediaTimeoutError,
    PostoriaClient,
    PostStatus,
    Repost,
    TikTokOptions,
    YouTubeOptions,
)
from bridge.sandbox import SandboxConfig, SandboxServer

from .helpers import ACME, ACME_LINKEDIN, ACME_X, JPEG_BYTES, MAIN_QUEUE, served


def test_list_workspaces(client: PostoriaClient) -> None:
    workspaces = client.list_workspaces()
    acme = next(w for w in workspaces if w.id == ACME)
    assert (acme.name, acme.timezone) == ("Acme Corp", "America/New_York")


def test_list_social_accounts_and_queues(client: PostoriaClient) -> None:
    accounts = {a.id: a for a in client.list_social_accounts(ACME)}
    assert accounts[ACME_X].network == "x"
    assert accounts[ACME_X].name == "Acme on X"
    queues = {q.name: q for q in client.list_queues(ACME)}
    assert queues["Main"].is_paused is False
    assert queues["Evergreen"].is_paused is True


def test_upload_put_complete_and_wait(client: PostoriaClient, clock: ManualClock) -> None:
    upload = client.create_upload(ACME, "photo.jpg", "image/jpeg")
    assert upload.status == MediaStatus.WAITING_FOR_UPLOAD
    client.put_upload(upload, JPEG_BYTES, "image/jpeg")
    media = client.complete_upload(ACME, upload.id)
    assert media.status == MediaStatus.PROCESSING
    before = clock.monotonic()
    ready = client.wait_for_media(ACME, media.id, first_check=1.0)
    assert ready.is_ready and ready.file_id
    assert clock.monotonic() - before >= 2.0  # the sandbox's processing delay, simulated


def test_upload_file_sniffs_type_from_bytes(
    client: PostoriaClient, sandbox: SandboxServer, jpeg_file: Path
) -> None:
    media = client.upload_file(ACME, jpeg_file)
    [put] = served(sandbox, "put_upload")
    assert put["status"] in (200, 201, 204)
    stored = next(m for m in sandbox.state.media(ACME) if m["id"] == media.id)
    assert stored["status"] in (MediaStatus.PROCESSING, MediaStatus.READY)
    record = sandbox.state.media_records[media.id]
    assert (record.name, record.content_type) == ("photo.png", "image/jpeg")  # bytes, not name
    assert client.wait_for_media(ACME, media.id).is_ready
    creates = served(sandbox, "create_upload")
    assert len(creates) == 1


def test_upload_file_accepts_a_file_object(client: PostoriaClient, jpeg_file: Path) -> None:
    upload = client.create_upload(ACME, "photo.jpg", "image/jpeg")
    with jpeg_file.open("rb") as file:
        client.put_upload(upload, file, "image/jpeg")
    media = client.complete_upload(ACME, upload.id)
    assert client.wait_for_media(ACME, media.id).is_ready


def test_wait_for_media_raises_the_media_error(client: PostoriaClient) -> None:
    upload = client.create_upload(ACME, "photo.jpg", "image/jpeg")
    media = client.complete_upload(ACME, upload.id)  # nothing was PUT
    with pytest.raises(MediaFailedError) as caught:
        client.wait_for_media(ACME, media.id)
    assert caught.value.media_id == media.id
    assert caught.value.error_code == "upload_missing"
    assert caught.value.error_message


def test_wait_for_media_times_out_on_the_clock(clock: ManualClock) -> None:
    with (
        SandboxServer(SandboxConfig(clock=clock, media_delay=3600.0)) as slow,
        PostoriaClient(slow.api_key, slow.url, clock=clock) as client,
    ):
        upload = client.create_upload(ACME, "photo.jpg", "image/jpeg")
        client.put_upload(upload, JPEG_BYTES, "image/jpeg")
        media = client.complete_upload(ACME, upload.id)
        start = clock.monotonic()
        with pytest.raises(MediaTimeoutError) as caught:
            client.wait_for_media(ACME, media.id, timeout=60.0)
        assert clock.monotonic() - start == pytest.approx(60.0)
        assert caught.value.status == MediaStatus.PROCESSING
        assert caught.value.media_id == media.id


def test_import_media(client: PostoriaClient) -> None:
    media = client.import_media(ACME, "https://cdn.example.com/pictures/launch.jpg")
    assert media.status in (MediaStatus.PROCESSING, MediaStatus.READY)
    assert client.wait_for_media(ACME, media.id).is_ready


def test_create_get_list_delete_post(client: PostoriaClient, clock: ManualClock) -> None:
    when = clock.now() + timedelta(days=2)
    post = client.create_post(
        ACME,
        CreatePost(
            publish_mode="schedule",
            social_account_ids=[ACME_X, ACME_LINKEDIN],
            caption="Launch day",
            scheduled_time=when,
            first_comment="More soon",
            comment_delay=5,
            link_url="https://acme.example.com/launch",
            repost=Repost(frequency="every7_day", until=when + timedelta(days=30)),
        ),
    )
    assert post.status == PostStatus.SCHEDULED
    assert post.date == when.replace(microsecond=0)
    assert client.get_post(ACME, post.id).id == post.id
    assert [p.id for p in client.list_posts(ACME).data] == [post.id]
    client.delete_post(ACME, post.id)
    with pytest.raises(NotFoundError):
        client.get_post(ACME, post.id)


def test_publish_now_reaches_posted_with_results(
    client: PostoriaClient, clock: ManualClock
) -> None:
    post = client.create_post(
        ACME, CreatePost(publish_mode="publish_now", social_account_ids=[ACME_X], caption="Hi")
    )
    clock.advance(30)
    done = client.get_post(ACME, post.id)
    assert done.status == PostStatus.POSTED
    result = done.result_for(ACME_X)
    assert result is not None and result.link_to_post and result.error_text is None


def test_queue_post_and_network_options(client: PostoriaClient) -> None:
    queue = client.resolve_queue(ACME, "main")
    media = client.import_media(ACME, "https://cdn.example.com/clips/teaser.mp4")
    client.wait_for_media(ACME, media.id)
    post = client.create_post(
        ACME,
        CreatePost(
            publish_mode="queue",
            queue_id=queue.id,
            social_account_ids=[107, 105],
            content_type="video",
            media_ids=[media.id],
            caption="Teaser",
            youtube=YouTubeOptions(title="Teaser", visibility="public", made_for_kids=False),
            tiktok=TikTokOptions(who_can_watch="public_to_everyone", allow_comments=True),
        ),
    )
    assert post.queue_id == MAIN_QUEUE
    assert post.status == PostStatus.QUEUED


def test_iter_posts_follows_cursors_across_pages(
    client: PostoriaClient, sandbox: SandboxServer
) -> None:
    created = [
        client.create_post(
            ACME,
            CreatePost(publish_mode="publish_now", social_account_ids=[ACME_X], caption=f"n{n}"),
        ).id
        for n in range(7)
    ]
    pages_before = len(served(sandbox, "list_posts"))
    seen = [post.id for post in client.iter_posts(ACME, limit=3, account_ids=[ACME_X])]
    assert sorted(seen) == sorted(created)
    assert len(seen) == len(set(seen))
    assert len(served(sandbox, "list_posts")) - pages_before == 3  # 3 + 3 + 1


def test_list_posts_filters_are_sent(client: PostoriaClient, clock: ManualClock) -> None:
    client.create_post(
        ACME, CreatePost(publish_mode="publish_now", social_account_ids=[ACME_X], caption="x")
    )
    client.create_post(
        ACME,
        CreatePost(publish_mode="publish_now", social_account_ids=[ACME_LINKEDIN], caption="li"),
    )
    only_linkedin = client.list_posts(ACME, networks=["linkedin"], limit=10)
    assert [p.results[0].account_id for p in only_linkedin.data] == [ACME_LINKEDIN]
    both = client.list_posts(
        ACME,
        account_ids=[ACME_X, ACME_LINKEDIN],
        date_from=clock.now() - timedelta(hours=1),
        date_to=clock.now() + timedelta(hours=1),
    )
    assert len(both.data) == 2


def test_iter_posts_stops_when_a_cursor_repeats(clock: ManualClock) -> None:
    # No real server hands out the same cursor twice on demand, so this answer is simulated.
    def same_cursor_forever(request: httpx.Request) -> httpx.Response:
        pagination = {"has_more": True, "next_cursor": "c1"}
        return httpx.Response(
            200, json={"data": [{"id": 1, "status": "posted"}], "pagination": pagination}
        )

    transport = httpx.MockTransport(same_cursor_forever)
    url = "http://postoria.invalid/v1"
    with PostoriaClient("pst_test_loop_key", url, clock=clock, transport=transport) as client:
        posts = client.iter_posts(ACME)
        assert next(posts).id == 1
        assert next(posts).id == 1  # the second page, reached through cursor c1
        with pytest.raises(PostoriaProtocolError, match="cursor twice"):
            next(posts)
