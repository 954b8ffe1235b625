"""After a restart every unfinished publication resumes where it stopped; 429s and slow media."""

from __future__ import annotations

from datetime import timedelta

from bridge.config import EngineSettings
from bridge.engine.attempts import transition
from bridge.engine.media import STALE_STEP
from bridge.feedserver import FeedServer
from bridge.sandbox import FaultRule
from bridge.store import PublicationMedia
from bridge.store import PublicationState as S

from .helpers import ACME, ACME_INSTAGRAM, JPEG_BYTES, World


def test_a_half_done_upload_is_started_again_after_a_restart(world: World) -> None:
    with FeedServer() as files:
        files.set("/photo.jpg", JPEG_BYTES, content_type="image/jpeg")
        pid = world.add(accounts=(ACME_INSTAGRAM,), media=(files.url_for("/photo.jpg"),))
        # The process stopped after opening an upload slot, before sending the bytes.
        slot = world.client.create_upload(ACME, "photo.jpg", "image/jpeg")
        transition(world.db, pid, {S.PENDING}, state=S.MEDIA)
        with world.db.session() as session:
            row = session.get(PublicationMedia, world.media_rows(pid)[0].id)
            assert row is not None
            row.method, row.state, row.media_id = "upload", "uploading", slot.id
            row.requested_at = world.clock.now()

        publisher = world.restart()
        publisher.step()
        assert world.media_rows(pid)[0].state == "uploading"  # another replica might own it
        world.advance(STALE_STEP.total_seconds() + 1)
        world.run()

    publication = world.publication(pid)
    assert publication.state == S.POSTED
    row = world.media_rows(pid)[0]
    assert row.state == "ready" and row.media_id != slot.id
    assert world.post_record(publication.post_id or 0).media_ids == [row.media_id]
    assert len(world.posts()) == 1


def test_processing_media_and_pending_statuses_resume_after_a_restart(world: World) -> None:
    with_media = world.add(media=("https://cdn.example/a.jpg",))
    text = world.add(caption="Text only")
    world.publisher.step()
    assert world.media_rows(with_media)[0].state == "processing"
    assert world.publication(text).state == S.SUBMITTED

    world.restart()
    world.run()

    assert world.publication(with_media).state == S.POSTED
    assert world.publication(text).state == S.POSTED
    assert len(world.served("import_media")) == 1
    assert len(world.served("create_post")) == 2


def test_a_429_burst_on_create_is_waited_out_and_posted_once(world: World) -> None:
    world.server.faults.add(
        FaultRule(endpoint="create_post", kind="rate_limit", count=6, retry_after=30)
    )
    pid = world.add(caption="Patience")

    world.publisher.step()
    publication = world.publication(pid)
    assert publication.state == S.READY
    assert "rate limited" in (publication.state_reason or "")
    world.run()

    assert world.publication(pid).state == S.POSTED
    assert world.captions_posted() == {"Patience": 1}
    processed = [e for e in world.served("create_post") if e["processed"]]
    assert len(processed) == 1


def test_media_that_never_gets_ready_times_out(world: World) -> None:
    world.server.config.media_delay = 3600.0
    world.settings = EngineSettings(
        data_dir=world.settings.data_dir, media_timeout=timedelta(minutes=2)
    )
    world.restart()
    pid = world.add(media=("https://cdn.example/slow.mp4",), options={"media": "required"})

    world.run()

    publication = world.publication(pid)
    assert publication.state == S.FAILED
    assert "not ready after 2 minutes" in (publication.state_reason or "")
    assert world.posts() == []
