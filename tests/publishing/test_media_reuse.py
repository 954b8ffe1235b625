"""One image, one media: publications of a workspace share the media of a file they all carry.

Every test counts the sandbox's own request log, so "one import" means Postoria saw one.
"""

from __future__ import annotations

from collections import Counter

from bridge.engine.attempts import transition
from bridge.engine.media import STALE_STEP
from bridge.engine.media_reuse import REUSE_AGE
from bridge.engine.publisher import Publisher
from bridge.feedserver import FeedServer
from bridge.store import Publication, PublicationMedia
from bridge.store import PublicationState as S

from .helpers import (
    ACME_FACEBOOK,
    ACME_INSTAGRAM,
    ACME_LINKEDIN,
    ACME_X,
    GLOBEX,
    GLOBEX_FACEBOOK,
    JPEG_BYTES,
    World,
)

PHOTO = "https://cdn.example/photo.jpg"
MEDIA_ENDPOINTS = ("import_media", "create_upload", "put_upload", "complete_upload", "get_media")


def sibling(world: World, publication_id: int, variant: str, **changes: object) -> int:
    """Another publication of the same item (another route or caption), with the same media,
    inserted as routing inserts the groups of one item."""
    original = world.publication(publication_id)
    rows = world.media_rows(publication_id)
    with world.db.session() as session:
        fields = original.model_dump(exclude={"id"})
        fields.update(variant=variant, **changes)
        made = Publication(**fields)
        session.add(made)
        session.flush()
        for row in rows:
            session.add(
                PublicationMedia(
                    publication_id=made.id or 0, position=row.position, source_url=row.source_url
                )
            )
        return made.id or 0


def media_requests(world: World) -> Counter[str]:
    """The sandbox's media requests by endpoint."""
    log = world.server.state.requests()
    return Counter(e["endpoint"] for e in log if e["endpoint"] in MEDIA_ENDPOINTS)


def posted_media(world: World, publication_id: int) -> list[int]:
    """The media IDs of the publication's post, as Postoria stored them."""
    return list(world.post_record(world.publication(publication_id).post_id or 0).media_ids)


def test_publications_of_one_item_import_each_image_once(world: World) -> None:
    first = world.add(caption="For X", accounts=(ACME_X,), media=(PHOTO,))
    second = sibling(world, first, "b", caption="For LinkedIn", account_ids=[ACME_LINKEDIN])
    third = sibling(world, first, "c", caption="For Instagram", account_ids=[ACME_INSTAGRAM])

    world.publisher.step()
    assert len(world.served("import_media")) == 1  # the others wait for it in the same step
    world.run()

    ids = (first, second, third)
    assert all(world.publication(p).state == S.POSTED for p in ids)
    assert len(world.served("import_media")) == 1
    shared = posted_media(world, first)
    assert len(shared) == 1
    assert [posted_media(world, p) for p in ids] == [shared] * 3
    assert sorted(world.media_rows(p)[0].method or "" for p in ids) == [
        "import",
        "reused",
        "reused",
    ]
    reused = [r for p in ids for r in world.media_rows(p) if r.method == "reused"]
    assert all(r.file_id and r.state == "ready" and r.requested_at is None for r in reused)
    borrowers = [p for p in ids if world.media_rows(p)[0].method == "reused"]
    spent = [a.endpoint for p in borrowers for a in world.attempts(p)]
    assert spent and not [e for e in spent if "media" in e or "upload" in e]


def test_a_downloaded_file_is_uploaded_once(world: World) -> None:
    with FeedServer() as files:
        files.set("/photo.jpg", JPEG_BYTES, content_type="image/jpeg")
        url = files.url_for("/photo.jpg")
        first = world.add(caption="One", accounts=(ACME_INSTAGRAM,), media=(url,))
        second = sibling(world, first, "b", caption="Two", account_ids=[ACME_FACEBOOK])

        world.run()

        assert files.hits("/photo.jpg").count == 1
    counts = media_requests(world)
    assert counts["create_upload"] == counts["complete_upload"] == 1
    assert counts["import_media"] == 0
    assert world.publication(first).state == world.publication(second).state == S.POSTED
    assert posted_media(world, first) == posted_media(world, second)
    assert world.media_rows(second)[0].content_type == "image/jpeg"


def test_the_same_url_in_another_workspace_is_imported_there(world: World) -> None:
    acme = world.add(accounts=(ACME_FACEBOOK,), media=(PHOTO,))
    globex = world.add(accounts=(GLOBEX_FACEBOOK,), workspace_id=GLOBEX, media=(PHOTO,))

    world.run()

    assert world.publication(acme).state == world.publication(globex).state == S.POSTED
    imports = world.served("import_media")
    assert len(imports) == 2
    assert posted_media(world, acme) != posted_media(world, globex)
    assert [r.method for r in world.media_rows(globex)] == ["import"]


def test_ready_media_is_reused_for_a_day_then_imported_afresh(world: World) -> None:
    first = world.add(caption="Monday", media=(PHOTO,))
    world.run()
    world.advance(3600)
    later = world.add(caption="Monday again", media=(PHOTO,))
    world.run()
    assert len(world.served("import_media")) == 1
    assert posted_media(world, later) == posted_media(world, first)

    world.advance(REUSE_AGE.total_seconds())
    next_day = world.add(caption="Tuesday", media=(PHOTO,))
    world.run()

    assert len(world.served("import_media")) == 2
    assert world.publication(next_day).state == S.POSTED
    assert posted_media(world, next_day) != posted_media(world, first)


def test_a_failed_shared_media_settles_each_publication_by_its_policy(world: World) -> None:
    broken = "https://cdn.example/file.xyz"  # the sandbox cannot process this type
    required = world.add(caption="Needs it", media=(broken,), options={"media": "required"})
    optional = sibling(world, required, "b", caption="Goes anyway", options={"media": "optional"})
    no_caption = sibling(world, required, "c", caption="", options={"media": "optional"})

    world.run()

    assert len(world.served("import_media")) == 1
    failed = world.publication(required)
    assert failed.state == S.FAILED
    assert "unsupported_media_type" in (failed.state_reason or "")
    posted = world.publication(optional)
    assert posted.state == S.POSTED
    assert "posted without media" in (posted.state_reason or "")
    assert "unsupported_media_type" in (posted.state_reason or "")
    assert posted_media(world, optional) == []
    nothing = world.publication(no_caption)
    assert nothing.state == S.FAILED
    assert "unsupported_media_type" in (nothing.state_reason or "")
    assert world.captions_posted() == {"Goes anyway": 1}


def test_a_restart_while_the_shared_media_processes_imports_nothing_again(world: World) -> None:
    first = world.add(caption="One", media=(PHOTO,))
    second = sibling(world, first, "b", caption="Two")
    world.publisher.step()
    rows = [world.media_rows(p)[0] for p in (first, second)]
    assert sorted(r.state for r in rows) == ["pending", "processing"]

    world.restart()
    world.run()

    assert len(world.served("import_media")) == 1
    assert world.publication(first).state == world.publication(second).state == S.POSTED
    assert posted_media(world, first) == posted_media(world, second)


def test_an_import_interrupted_before_its_request_is_taken_over_once(world: World) -> None:
    first = world.add(caption="One", media=(PHOTO,))
    second = sibling(world, first, "b", caption="Two")
    # The process stopped after claiming the import, before the request left.
    transition(world.db, first, {S.PENDING}, state=S.MEDIA)
    with world.db.session() as session:
        row = session.get(PublicationMedia, world.media_rows(first)[0].id)
        assert row is not None
        row.method, row.state, row.requested_at = "import", "importing", world.clock.now()

    publisher = world.restart()
    publisher.step()
    assert world.served("import_media") == []  # the claim may still be live: nobody imports
    assert world.media_rows(second)[0].state == "pending"
    world.advance(STALE_STEP.total_seconds() + 1)
    world.run()

    assert len(world.served("import_media")) == 1
    assert world.publication(first).state == world.publication(second).state == S.POSTED
    assert posted_media(world, first) == posted_media(world, second)


def test_rows_waiting_for_a_cancelled_publication_import_their_own(world: World) -> None:
    first = world.add(caption="One", media=(PHOTO,))
    second = sibling(world, first, "b", caption="Two")
    world.server.config.media_delay = 600.0
    world.publisher.step()
    world.publisher.cancel(first)
    world.server.config.media_delay = 2.0

    world.run()

    assert world.publication(first).state == S.CANCELLED
    assert world.publication(second).state == S.POSTED
    assert len(world.served("import_media")) == 2


def test_two_replicas_share_media_and_post_each_publication_once(
    replicas: tuple[World, Publisher],
) -> None:
    world, other = replicas
    urls = [f"https://cdn.example/shared-{n}.jpg" for n in range(3)]
    ids = [world.add(caption=f"Replica {n}", media=(urls[n % 3],)) for n in range(12)]
    errors = world.run_beside(other, rounds=100, pause=5)

    assert errors == []
    assert Counter(world.publication(p).state for p in ids) == {S.POSTED: 12}
    assert world.captions_posted() == {f"Replica {n}": 1 for n in range(12)}
    # Each replica may import a file once when both start it at the same instant; no more.
    imports = world.served("import_media")
    assert len(imports) <= 6
    for n, pid in enumerate(ids):
        assert len(posted_media(world, pid)) == 1
        assert world.media_rows(pid)[0].source_url == urls[n % 3]
