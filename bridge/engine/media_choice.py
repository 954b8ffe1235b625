"""Which of an item's media candidates a publication carries, under the route's media policy.

Connectors offer candidates in their own order; the choice here prefers where a candidate was
found (an enclosure or ``media:content`` is the publisher's own pick, a thumbnail is a
fallback, an ``<img>`` in the text may be a tracking pixel or an avatar), keeps only what
Postoria accepts, and takes one image, or one video when a network of the route needs video.

The policy: ``none`` sends no media; ``optional`` sends the best candidate if there is one;
``required`` skips the item when there is none. Some networks refuse posts without media
(Instagram, TikTok, Pinterest) or without a video (YouTube): :func:`network_problem` says so,
so routing skips those accounts with the reason instead of sending a post bound to fail.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from collections.abc import Iterable

    from ..sources import MediaCandidate

ORIGIN_PREFERENCE = ("enclosure", "media:content", "featured", "file", "media:thumbnail", "content")
"""Where a candidate was found, best first; unknown origins come last."""

ACCEPTED_TYPES = {
    "image": {"image/jpeg", "image/png", "image/webp", "image/gif"},
    "video": {"video/mp4", "video/quicktime"},
}
"""Media types Postoria accepts; a candidate of another declared type is not chosen."""

NEEDS_VIDEO = frozenset({"youtube"})
NEEDS_MEDIA = frozenset({"instagram", "tiktok", "pinterest"})

MISSING_MEDIA_REASON = "route requires media and the item has none"


@dataclass(frozen=True)
class ChosenMedia:
    """One media file to attach, in order."""

    url: str
    kind: str
    mime_type: str | None = None
    alt: str | None = None
    origin: str = ""


@dataclass(frozen=True)
class MediaChoice:
    """The media chosen, or why the item cannot go out on this route at all."""

    media: list[ChosenMedia]
    skip_reason: str | None = None


def usable(candidate: MediaCandidate) -> bool:
    """Whether Postoria could take this candidate: absolute URL, accepted kind and type."""
    scheme = urlsplit(candidate.url).scheme.lower()
    if scheme not in ("http", "https", "file"):
        return False
    accepted = ACCEPTED_TYPES.get(candidate.kind)
    if accepted is None:
        return False
    mime = (candidate.mime_type or "").split(";")[0].strip().lower()
    return not mime or mime in accepted


def _rank(candidate: MediaCandidate) -> int:
    try:
        return ORIGIN_PREFERENCE.index(candidate.origin)
    except ValueError:
        return len(ORIGIN_PREFERENCE)


def choose_media(
    policy: str, candidates: Iterable[MediaCandidate], networks: Iterable[str] = ()
) -> MediaChoice:
    """The media for a publication of a route with ``policy`` posting to ``networks``."""
    if policy == "none":
        return MediaChoice([])
    ranked = sorted((c for c in candidates if usable(c)), key=_rank)  # stable: connector order
    videos = [c for c in ranked if c.kind == "video"]
    images = [c for c in ranked if c.kind == "image"]
    wants_video = any(network in NEEDS_VIDEO for network in networks)
    pick = (videos or images) if wants_video else (images or videos)
    if not pick:
        return MediaChoice([], MISSING_MEDIA_REASON if policy == "required" else None)
    best = pick[0]
    return MediaChoice([ChosenMedia(best.url, best.kind, best.mime_type, best.alt, best.origin)])


def network_problem(network: str, media: list[ChosenMedia]) -> str | None:
    """Why ``network`` cannot take a post with ``media``, or ``None`` when it can."""
    if network in NEEDS_VIDEO and not any(m.kind == "video" for m in media):
        return f"{network} needs a video and the item has none"
    if network in NEEDS_MEDIA and not media:
        return f"{network} needs an image or a video and the item has none"
    return None
