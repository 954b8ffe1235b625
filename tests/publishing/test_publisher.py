"""Creating posts once, with every option, and following them to a final state."""

from __future__ import annotations

from datetime import timedelta

from bridge.store import PublicationState as S

from .helpers import (
    ACME_FACEBOOK,
    ACME_INSTAGRAM,
    ACME_LINKEDIN,
    ACME_TIKTOK,
    ACME_X,
    ACME_YOUTUBE,
    MAIN_QUEUE,
    World,
)


def test_text_post_is_created_once_with_every_option(world: World) -> None:
    pid = world.add(
        caption="Launch day",
        accounts=(ACME_X, ACME_LINKEDIN),
        link_url="https://blog.example/launch",
        first_comment="More on the blog",
        options={
            "comment_delay": 5,
            "content_type": "link",
            "repost": {"frequency": "every7_day"},
            "media": "optional",
        },
    )

    world.run()

    publication = world.publication(pid)
    assert publication.state == S.POSTED
    assert len(world.posts()) == 1
    record = world.post_record(publication.post_id or 0)
    assert record.caption == "Launch day"
    assert record.account_ids == [ACME_X, ACME_LINKEDIN]
    assert record.publish_mode == "publish_now"
    assert record.link_url == "https://blog.example/launch"
    assert record.first_comment == "More on the blog"
    assert record.comment_delay == 5
    assert record.content_type == "link"
    assert record.repost == {"frequency": "every7_day", "until": None}
    results = world.results(pid)
    assert set(results) == {ACME_X, ACME_LINKEDIN}
    assert all(r.link and r.error is None for r in results.values())
    assert results[ACME_X].network == "x"
    assert publication.fingerprint and len(publication.fingerprint) == 64
    assert publication.final_at is not None and publication.next_check_at is None


def test_scheduled_post_keeps_its_time_and_is_not_polled_before_it(world: World) -> None:
    when = (world.clock.now() + timedelta(hours=3)).replace(microsecond=0)
    pid = world.add(mode="schedule", scheduled_time=when)

    world.publisher.step()
    publication = world.publication(pid)
    assert publication.state == S.SUBMITTED
    assert world.post_record(publication.post_id or 0).date == when
    assert publication.next_check_at is not None and publication.next_check_at > when
    world.advance(3 * 3600 - 60)
    world.publisher.step()
    assert world.served("list_posts") == [] and world.served("get_post") == []

    world.run()
    assert world.publication(pid).state == S.POSTED
    assert len(world.posts()) == 1


def test_a_scheduled_time_already_past_moves_forward_minimally(world: World) -> None:
    past = world.clock.now() - timedelta(minutes=30)
    pid = world.add(mode="schedule", scheduled_time=past)

    world.publisher.step()

    publication = world.publication(pid)
    assert publication.state == S.SUBMITTED
    sent = world.post_record(publication.post_id or 0).date
    assert timedelta(0) < sent - world.clock.now() <= timedelta(minutes=2)
    assert publication.scheduled_time == sent


def test_queued_post_goes_to_the_queue(world: World) -> None:
    pid = world.add(mode="queue", queue_id=MAIN_QUEUE, accounts=(ACME_FACEBOOK,))

    world.run()

    publication = world.publication(pid)
    assert publication.state == S.POSTED
    record = world.post_record(publication.post_id or 0)
    assert record.publish_mode == "queue" and record.queue_id == MAIN_QUEUE


def test_text_post_to_instagram_is_partial(world: World) -> None:
    pid = world.add(accounts=(ACME_X, ACME_INSTAGRAM))

    world.run()

    publication = world.publication(pid)
    assert publication.state == S.PARTIAL
    results = world.results(pid)
    assert results[ACME_X].link and results[ACME_X].error is None
    assert results[ACME_INSTAGRAM].link is None
    assert "Instagram requires" in (results[ACME_INSTAGRAM].error or "")
    assert "Instagram requires" in (publication.state_reason or "")


def test_every_account_failing_is_failed(world: World) -> None:
    pid = world.add(accounts=(ACME_INSTAGRAM,))

    world.run()

    assert world.publication(pid).state == S.FAILED


def test_rejected_create_fails_with_postoria_message_and_request_id(world: World) -> None:
    pid = world.add(accounts=(999,))

    world.run()

    publication = world.publication(pid)
    assert publication.state == S.FAILED
    assert "999" in (publication.state_reason or "")
    assert "request_id" in (publication.state_reason or "")
    assert world.posts() == []


def test_attempts_and_requests_spent_are_recorded(world: World) -> None:
    pid = world.add()

    world.run()

    publication = world.publication(pid)
    attempts = world.attempts(pid)
    endpoints = [a.endpoint for a in attempts]
    assert endpoints[0] == "POST /workspaces/{ws}/posts"
    assert all(a.outcome == "ok" and a.status_code for a in attempts)
    assert publication.requests_spent == len(attempts)
    unattributed = world.attempts()[len(attempts) :]
    assert all(a.endpoint == "GET /workspaces/{ws}/posts" for a in unattributed)


def test_unapproved_publications_wait(world: World) -> None:
    pid = world.add(approval="pending")

    world.publisher.step()

    assert world.publication(pid).state == S.PENDING
    assert world.publisher.pending_count() == 0
    assert world.publisher.next_wakeup() is None


def test_video_post_carries_youtube_and_tiktok_options(world: World) -> None:
    youtube = {
        "title": "Launch",
        "visibility": "unlisted",
        "tags": ["acme"],
        "made_for_kids": False,
    }
    tiktok = {"who_can_watch": "public_to_everyone", "allow_comments": True, "allow_duet": False}
    pid = world.add(
        caption="Watch this",
        accounts=(ACME_YOUTUBE, ACME_TIKTOK),
        media=("https://cdn.example/clip.mp4",),
        options={
            "media": "required",
            "content_type": "video",
            "youtube": youtube,
            "tiktok": tiktok,
            "repost": {"frequency": "every1_month", "until": "2026-06-01T00:00:00Z"},
        },
    )

    world.run()

    publication = world.publication(pid)
    assert publication.state == S.POSTED
    record = world.post_record(publication.post_id or 0)
    assert record.content_type == "video"
    assert record.youtube == youtube
    assert record.tiktok == tiktok
    assert record.repost == {"frequency": "every1_month", "until": "2026-06-01T00:00:00Z"}
    assert record.media_ids == [world.media_rows(pid)[0].media_id]
