"""Cancelling: intent recorded, then DELETE, then cancelled; recreate when a source asks."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bridge.engine.attempts import transition
from bridge.errors import BridgeError, ConflictError
from bridge.sandbox import FaultRule
from bridge.store import PublicationState as S

from .helpers import World


def test_cancelling_a_scheduled_post_deletes_it(world: World) -> None:
    pid = world.add(mode="schedule", scheduled_time=world.clock.now() + timedelta(days=1))
    world.publisher.step()
    post_id = world.publication(pid).post_id

    world.publisher.cancel(pid)

    publication = world.publication(pid)
    assert publication.state == S.CANCELLED
    assert "cancel_requested_at" in publication.options
    assert world.posts() == []
    assert world.posts(include_deleted=True)[0]["id"] == post_id
    assert [a.endpoint for a in world.attempts(pid)][-1] == "DELETE /workspaces/{ws}/posts/{id}"
    assert world.publisher.pending_count() == 0


def test_cancelling_before_sending_makes_no_request(world: World) -> None:
    pid = world.add(due_in=3600)

    world.publisher.cancel(pid)
    world.run()

    assert world.publication(pid).state == S.CANCELLED
    assert world.server.state.requests() == []


def test_cancel_with_recreate_posts_afresh(world: World) -> None:
    pid = world.add(
        caption="Version 1", mode="schedule", scheduled_time=world.clock.now() + timedelta(days=1)
    )
    world.publisher.step()
    first_post = world.publication(pid).post_id

    world.publisher.cancel(pid, recreate=True)
    assert world.publication(pid).state == S.PENDING
    world.run()

    publication = world.publication(pid)
    assert publication.state == S.POSTED
    assert publication.post_id != first_post
    live = world.posts()
    assert [p["id"] for p in live] == [publication.post_id]
    assert len(world.posts(include_deleted=True)) == 2


def test_a_post_being_published_cannot_be_cancelled(world: World) -> None:
    world.server.config.publish_delay = 600.0
    pid = world.add()
    world.publisher.step()

    with pytest.raises(ConflictError):
        world.publisher.cancel(pid)

    publication = world.publication(pid)
    assert publication.state == S.SUBMITTED
    assert "cancel_requested_at" not in publication.options
    world.run()
    assert world.publication(pid).state == S.POSTED


def test_a_cancel_interrupted_after_the_delete_ends_cancelled(world: World) -> None:
    pid = world.add(mode="schedule", scheduled_time=world.clock.now() + timedelta(hours=1))
    world.publisher.step()
    publication = world.publication(pid)
    # The intent was stored and the DELETE went out, then the process died.
    transition(
        world.db, pid, {S.SUBMITTED}, options={"cancel_requested_at": "2026-01-05T08:00:00Z"}
    )
    world.client.delete_post(publication.workspace_id, publication.post_id or 0)

    world.run()

    assert world.publication(pid).state == S.CANCELLED


def test_a_create_being_reconciled_cannot_be_cancelled(world: World) -> None:
    world.server.faults.add(FaultRule(endpoint="create_post", kind="drop_after_create", count=1))
    pid = world.add()
    world.publisher.step()

    with pytest.raises(BridgeError, match="reconciled"):
        world.publisher.cancel(pid)
    assert world.publication(pid).state == S.UNKNOWN


def test_media_of_a_cancelled_publication_is_not_checked_again(world: World) -> None:
    pid = world.add(media=("https://cdn.example/a.jpg",))
    world.publisher.step()
    assert world.media_rows(pid)[0].state == "processing"

    world.publisher.cancel(pid)
    world.advance(600)
    world.publisher.step()

    assert world.publication(pid).state == S.CANCELLED
    assert world.served("get_media") == []
    assert world.publisher.next_wakeup() is None
