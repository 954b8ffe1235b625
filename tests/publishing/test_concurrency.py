"""Two publishers sharing one PostgreSQL database never send the same publication twice."""

from __future__ import annotations

from collections import Counter

from bridge.engine.publisher import Publisher
from bridge.store import PublicationState as S

from .helpers import World
from .test_faults import storm


def test_two_replicas_post_each_publication_once_through_faults(
    replicas: tuple[World, Publisher],
) -> None:
    world, other = replicas
    storm(world)
    ids = [
        world.add(caption=f"Replica {n}", media=(f"https://cdn.example/{n}.jpg",) * (n % 2))
        for n in range(30)
    ]

    errors = world.run_beside(other, rounds=200, pause=30)

    assert errors == []
    assert world.publisher.next_wakeup() is None
    assert Counter(world.publication(p).state for p in ids) == {S.POSTED: 30}
    captions = Counter(
        world.post_record(p["id"]).caption for p in world.posts(include_deleted=True)
    )
    assert captions == {f"Replica {n}": 1 for n in range(30)}
    creates = [a for a in world.attempts() if a.endpoint == "POST /workspaces/{ws}/posts"]
    assert len(creates) == len(world.served("create_post"))
    imports = [e for e in world.served("import_media") if e["processed"]]
    assert len(imports) >= 15  # a lost import answer is imported again: media are not posts
