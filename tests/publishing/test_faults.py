"""Many publications through a misbehaving Postoria: every one posted, exactly once."""

from __future__ import annotations

from collections import Counter

from bridge.sandbox import FaultRule
from bridge.store import PublicationState as S

from .helpers import ACME_FACEBOOK, ACME_LINKEDIN, ACME_X, GLOBEX, GLOBEX_FACEBOOK, World

CAPTIONS = 40


def storm(world: World) -> None:
    """Errors on every endpoint, 429 bursts, latency, garbage and lost answers, all at once."""
    rules = [
        FaultRule(endpoint="*", kind="error", status=500, rate=0.08),
        FaultRule(endpoint="*", kind="error", status=503, rate=0.08),
        FaultRule(endpoint="*", kind="rate_limit", rate=0.08, retry_after=2),
        FaultRule(endpoint="*", kind="latency", latency=0.002, rate=0.2),
        FaultRule(endpoint="*", kind="html", status=502, rate=0.05),
        FaultRule(endpoint="*", kind="invalid_json", rate=0.05),
        FaultRule(endpoint="*", kind="missing_fields", rate=0.04),
        FaultRule(endpoint="create_post", kind="drop_after_create", rate=0.25),
        FaultRule(endpoint="create_post", kind="drop", rate=0.1),
        FaultRule(endpoint="list_posts", kind="drop", rate=0.05),
    ]
    for rule in rules:
        world.server.faults.add(rule)


def test_every_publication_is_posted_exactly_once_through_faults(world: World) -> None:
    storm(world)
    ids = []
    for n in range(CAPTIONS):
        if n % 4 == 0:
            ids.append(
                world.add(caption=f"Storm {n}", workspace_id=GLOBEX, accounts=(GLOBEX_FACEBOOK,))
            )
        elif n % 4 == 1:
            ids.append(world.add(caption=f"Storm {n}", accounts=(ACME_FACEBOOK,), due_in=n * 30))
        else:
            ids.append(world.add(caption=f"Storm {n}", accounts=(ACME_X, ACME_LINKEDIN)))

    world.run(max_steps=2000)

    states = Counter(world.publication(p).state for p in ids)
    assert states == {S.POSTED: CAPTIONS}
    every_post = world.posts(include_deleted=True)
    captions = Counter(world.post_record(p["id"]).caption for p in every_post)
    assert captions == {f"Storm {n}": 1 for n in range(CAPTIONS)}
    assert {world.publication(p).post_id for p in ids} == {p["id"] for p in every_post}
    served = world.server.state.requests()
    faults = Counter(e["fault"] for e in served if e["fault"])
    assert faults["drop_after_create"] > 0 and faults["error"] > 0 and faults["rate_limit"] > 0
    for pid in ids:
        publication = world.publication(pid)
        attributed = [a for a in world.attempts(pid) if a.endpoint != "PUT <signed upload URL>"]
        assert publication.requests_spent == len(attributed)
