"""``bridge`` for the SIGKILL test: the real CLI, with two safety waits shortened.

Two waits exist for work another process may still be doing:

- after a create whose answer was lost, the engine waits ``reconcile.settle_time()`` (the
  client's timeouts plus a minute, at least 90 s) before listing Postoria's posts, because
  against the real service a request may still be travelling when the bridge gives up on it;
- a media step (import, upload) started and not finished is taken over after
  ``media.STALE_STEP`` (5 min), because another replica sharing the database may still be on it.

The sandbox runs in the test process and handles a request the moment it arrives, and only one
bridge runs at a time here, so a step interrupted by SIGKILL is known dead at once and two
seconds settle it just as surely. Nothing else differs from ``bridge``: run it as
``python killable_bridge.py run -c FILE``.
"""

from __future__ import annotations

from datetime import timedelta

TEST_SETTLE = timedelta(seconds=2)


def main() -> None:
    """Shorten both waits (see the module docstring), then run the CLI."""
    from bridge.cli import main as bridge_main
    from bridge.engine import media, reconcile

    # Fail loudly if these names change, rather than let the test crawl at the real waits.
    defaults = reconcile.Reconciler.__init__.__kwdefaults__
    assert defaults is not None and "settle" in defaults, "Reconciler lost its settle option"
    assert hasattr(reconcile, "settle_time"), "reconcile lost settle_time()"
    assert hasattr(media, "STALE_STEP"), "media steps lost their takeover delay"
    defaults["settle"] = TEST_SETTLE
    reconcile.settle_time = lambda client: TEST_SETTLE  # type: ignore[assignment]
    media.STALE_STEP = TEST_SETTLE
    bridge_main()


if __name__ == "__main__":
    main()
