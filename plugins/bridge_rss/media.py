"""Images and videos an entry offers, as :class:`bridge.MediaCandidate`\\s in preference order.

Feeds put pictures in many places. In order of how deliberately the publisher chose them:
enclosures, ``media:content``, ``media:thumbnail``, the first ``<img>`` of the content or
summary, then non-standard places (``enc:enclosure``, Livemint's ``<bigimage>``, a podcast
episode's ``itunes:image``). Audio and other files are skipped (a podcast's MP3 is not a post
image), as are ``media:content`` elements without a URL (Vimeo and Rutube only give a
player). Relative URLs are resolved against the entry's link, or the document's URL when the
entry has none.
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Iterable, Iterator
from html import unescape
from typing import Any
from urllib.parse import urljoin, urlsplit

from bridge import MediaCandidate

_IMG_TAG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_ATTRIBUTE = re.compile(r"""([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
_KINDS = ("image", "video")


def media_candidates(entry: Any, base: str, bodies: Iterable[str] = ()) -> list[MediaCandidate]:
    """The entry's images and videos, best first, each URL absolute and listed once.

    ``bodies`` are the entry's HTML bodies (content first), searched for an ``<img>`` last.
    """
    found: dict[str, MediaCandidate] = {}
    for candidate in _all_candidates(entry, base, bodies):
        found.setdefault(candidate.url, candidate)
    return list(found.values())


def _all_candidates(entry: Any, base: str, bodies: Iterable[str]) -> Iterator[MediaCandidate]:
    for enclosure in entry.get("enclosures") or ():
        yield from _candidate(
            enclosure.get("href"),
            enclosure.get("type"),
            None,
            base,
            origin="enclosure",
            length=enclosure.get("length"),
        )
    for content in entry.get("media_content") or ():
        yield from _candidate(
            content.get("url"),
            content.get("type"),
            content.get("medium"),
            base,
            origin="media:content",
            width=content.get("width"),
            height=content.get("height"),
            length=content.get("filesize"),
        )
    for thumbnail in entry.get("media_thumbnail") or ():
        yield from _candidate(
            thumbnail.get("url"),
            None,
            "image",
            base,
            origin="media:thumbnail",
            width=thumbnail.get("width"),
            height=thumbnail.get("height"),
        )
    for html in bodies:
        image = first_image(html, base) if html else None
        if image is not None:
            yield image
            break
    yield from _featured(entry, base)


def _featured(entry: Any, base: str) -> Iterator[MediaCandidate]:
    """Pictures in places no standard names: the last resort, marked ``featured``.

    RSS 1.0's ``enc:enclosure`` (Craigslist), bare ``<bigimage>``/``<smallimage>``/
    ``<thumbnail>`` item children (Livemint) and a podcast episode's ``itunes:image``.
    """
    enclosure = entry.get("enc_enclosure")
    if isinstance(enclosure, dict):
        url = enclosure.get("resource") or enclosure.get("url")
        yield from _candidate(url, enclosure.get("type"), None, base, origin="featured")
    for key in ("bigimage", "smallimage", "thumbnail"):
        value = dict.get(entry, key)
        if isinstance(value, str):
            yield from _candidate(value, None, "image", base, origin="featured")
    artwork = dict.get(entry, "image")
    if isinstance(artwork, dict):
        yield from _candidate(artwork.get("href"), None, "image", base, origin="featured")


def _candidate(
    url: str | None,
    mime_type: str | None,
    medium: str | None,
    base: str,
    *,
    origin: str,
    width: Any = None,
    height: Any = None,
    length: Any = None,
) -> Iterator[MediaCandidate]:
    absolute = _absolute(url, base)
    if absolute is None:
        return
    kind = _kind(absolute, mime_type, medium)
    if kind is None:
        return
    yield MediaCandidate(
        url=absolute,
        kind=kind,
        mime_type=mime_type or None,
        width=_int(width),
        height=_int(height),
        length=_int(length) or None,
        origin=origin,
    )


def first_image(html: str, base: str) -> MediaCandidate | None:
    """The first real ``<img>`` in ``html``: not a data URI, not a 1×1 tracking pixel."""
    if "<img" not in html and "<IMG" not in html:
        return None
    for tag in _IMG_TAG.finditer(html):
        attributes = {
            match.group(1).lower(): unescape(
                match.group(2) or match.group(3) or match.group(4) or ""
            )
            for match in _ATTRIBUTE.finditer(tag.group(0))
        }
        src = attributes.get("src")
        width, height = _int(attributes.get("width")), _int(attributes.get("height"))
        if (width is not None and width <= 1) or (height is not None and height <= 1):
            continue
        url = _absolute(src, base)
        if url is None:
            continue
        return MediaCandidate(
            url=url,
            kind="image",
            mime_type=mimetypes.guess_type(urlsplit(url).path)[0],
            width=width,
            height=height,
            alt=attributes.get("alt") or None,
            origin="content",
        )
    return None


def _absolute(url: str | None, base: str) -> str | None:
    if not url:
        return None
    absolute = urljoin(base, url.strip()) if base else url.strip()
    return absolute if absolute[:8].lower().startswith(("http://", "https://")) else None


def _kind(url: str, mime_type: str | None, medium: str | None) -> str | None:
    if medium in _KINDS:
        return medium
    if mime_type:
        major = mime_type.split("/", 1)[0].strip().lower()
        return major if major in _KINDS else None
    if medium:
        return None  # audio, document, executable
    guessed = mimetypes.guess_type(urlsplit(url).path)[0] or ""
    major = guessed.split("/", 1)[0]
    return major if major in _KINDS else None


def _int(value: Any) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if number >= 0 else None
