"""Waiting for media to be processed, polling with backoff on the client's clock.

Postoria's own clients poll every 5 seconds. Polls spend the shared budget, so this waits a
little at first (small images are ready within seconds) and then backs off, up to a ceiling.
"""

from __future__ import annotations

from collections.abc import Callable

from ..clock import Clock
from ..errors import PostoriaError
from .models import Media

DEFAULT_FIRST_CHECK = 2.0
BACKOFF_FACTOR = 1.5
MAX_INTERVAL = 15.0
_DEADLINE_SLACK = 0.001
"""A deadline this close counts as reached (clocks round; a sliver must not cost a poll)."""


class MediaFailedError(PostoriaError):
    """Postoria could not process a media item; ``error_code``/``error_message`` say why."""

    title = "Media processing failed"

    def __init__(self, media: Media) -> None:
        self.media_id = media.id
        self.error_code = media.error_code
        self.error_message = media.error_message
        reason = media.error_message or "no reason given"
        code = f" ({media.error_code})" if media.error_code else ""
        super().__init__(f"media {media.id} failed to process: {reason}{code}")


class MediaTimeoutError(PostoriaError):
    """A media item was still not ready when the wait ran out."""

    title = "Media not ready"

    def __init__(self, media: Media, waited: float) -> None:
        self.media_id = media.id
        self.status = media.status
        self.waited = waited
        super().__init__(
            f"media {media.id} still {media.status!r} after {waited:.0f}s; it may finish later"
        )


def wait_for_media(
    fetch: Callable[[], Media],
    clock: Clock,
    *,
    timeout: float = 600.0,
    first_check: float | None = None,
) -> Media:
    """Poll ``fetch`` until the media is ready; raise when it fails or ``timeout`` passes.

    The first poll happens after ``first_check`` seconds (default 2), later ones back off by
    half again each time up to 15 seconds. The last poll happens at the deadline, so a media
    ready just in time is not reported as late.
    """
    start = clock.monotonic()
    deadline = start + timeout
    delay = DEFAULT_FIRST_CHECK if first_check is None else max(0.0, first_check)
    while True:
        clock.sleep(max(0.0, min(delay, deadline - clock.monotonic())))
        media = fetch()
        if media.is_ready:
            return media
        if media.is_failed:
            raise MediaFailedError(media)
        if clock.monotonic() >= deadline - _DEADLINE_SLACK:
            raise MediaTimeoutError(media, clock.monotonic() - start)
        delay = min(max(delay, 0.5) * BACKOFF_FACTOR, MAX_INTERVAL)
