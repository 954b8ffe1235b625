"""Stable identities for feed items, so nothing is posted twice and nothing is lost.

Each item gets an ``external_id`` and ``aliases``; the engine treats an item as seen when any
of them was seen before:

- ``external_id`` is the entry's guid (``<guid>``, ``<id>``); without one, its normalized
  link; without a link, a hash of its content (``sha256:…``).
- ``aliases`` hold the normalized link and the content hash. So an entry whose guid changes
  (a CMS migration, a feed proxy added) while its link stays the same is still recognised,
  and so is one whose guid and link change while its title, text and date stay the same.
- The content hash covers the title, the text and the publication date, so recurring
  entries that read alike (a status page's "Support System - Up", Tumblr's untitled
  "Photo" posts) remain different entries.
- A link or a hash only identifies an entry when it is that entry's own: one shared by
  several entries of the document, or a link equal to the feed's home page, is not used as
  an alias (nor a link as the ``external_id`` on its own).
- The price of link aliases: a feed that gives each new entry, one at a time, the same link
  that is not its home page would look like one entry whose guid keeps changing.
- Several entries of one document sharing a guid (a broken CMS, or a podcast reusing a file
  URL) stay distinct: each gets ``"<guid> [<hash>]"`` with its content hash, and a warning
  says so. Entries identical in everything are one item.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from bridge import Item, Problem

HASH_PREFIX = "sha256:"
_DEFAULT_PORTS = {"http": 80, "https": 443}
_TRACKING_PARAMETERS = ("utm_",)


def normalize_link(url: str | None) -> str | None:
    """``url`` in a canonical form for comparison: scheme and host lower-cased, default
    port and ``utm_*`` parameters removed, an empty path made ``/``. Fragments are kept:
    some feeds (newsletters, link blogs) tell their entries apart only by fragment."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in _DEFAULT_PORTS or not parts.hostname:
        return url.strip()
    netloc = parts.hostname.lower()
    if parts.port is not None and parts.port != _DEFAULT_PORTS[parts.scheme.lower()]:
        netloc += f":{parts.port}"
    query = parts.query
    if query and "utm_" in query:
        kept = [
            (k, v)
            for k, v in parse_qsl(query, keep_blank_values=True)
            if not k.startswith(_TRACKING_PARAMETERS)
        ]
        query = urlencode(kept)
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", query, parts.fragment))


def content_hash(item: Item) -> str:
    """A hash of what a reader would notice: title, text and publication date, plus the link
    and media when there is no title or text. Whitespace and markup changes do not change it;
    an update date does not either (edits are not new entries)."""
    digest = hashlib.sha256()
    text = item.content_text or item.summary_text
    parts = [item.title, text, item.published.isoformat() if item.published else ""]
    if not (item.title or text):
        parts += [item.link or "", *(m.url for m in item.media)]
    for part in parts:
        digest.update(" ".join(part.split()).encode("utf-8", "replace"))
        digest.update(b"\x00")
    return HASH_PREFIX + digest.hexdigest()[:32]


def assign_identities(
    items: Sequence[Item], guids: Sequence[str | None], home_link: str | None, where: str
) -> list[Problem]:
    """Set ``external_id`` and ``aliases`` on ``items`` (in document order, one guid each).

    Returns warnings about identities the document got wrong (duplicate guids).
    """
    links = [normalize_link(item.link) for item in items]
    link_counts = Counter(link for link in links if link)
    guid_counts = Counter(guid for guid in guids if guid)
    home = normalize_link(home_link)
    problems = [
        Problem(
            f"{count} entries share the guid {guid!r}; told apart by their content",
            level="warning",
            where=where,
        )
        for guid, count in guid_counts.items()
        if count > 1
    ]
    digests = [content_hash(item) for item in items]
    digest_counts = Counter(digests)
    for item, guid, link, digest in zip(items, guids, links, digests, strict=True):
        own_link = link if link and link_counts[link] == 1 and link != home else None
        own_digest = digest if digest_counts[digest] == 1 else None
        if guid and guid_counts[guid] > 1:
            item.external_id = f"{guid} [{digest.removeprefix(HASH_PREFIX)[:16]}]"
        elif guid:
            item.external_id = guid
        elif own_link:
            item.external_id = own_link
        else:
            item.external_id = digest
        item.aliases = [
            alias for alias in (own_link, own_digest) if alias and alias != item.external_id
        ]
    return problems
