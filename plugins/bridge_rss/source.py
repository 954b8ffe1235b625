"""The ``rss`` source type: one RSS or Atom feed, polled over HTTP.

Configured as::

    [[sources]]
    name = "acme-blog"
    type = "rss"
    url = "https://acme.example/feed/"
    # timeout = 20            seconds for connecting and for each read
    # max_bytes = 10_000_000  larger documents are refused
    # user_agent = "…"        defaults to the engine's (or postoria-bridge's) user agent
    # headers = { "X-Token" = "…" }

What the cursor remembers is explained in :mod:`bridge_rss.cursor`, item identities in
:mod:`bridge_rss.identity`.
"""

from __future__ import annotations

import hashlib
from importlib import metadata
from typing import Any, ClassVar
from urllib.parse import urlsplit

import httpx
from pydantic import ConfigDict, Field, field_validator

from bridge import FetchResult, Item, Problem, Source, SourceError, SourceOptions

from .cursor import FeedCursor
from .document import NotAFeedError, ParsedFeed, parse_document
from .download import Downloader, default_headers, redact_url
from .entries import build_item
from .identity import assign_identities
from .links import absolute_link


class RssOptions(SourceOptions):
    """Options of an ``rss`` source (the engine keeps interval, backlog and the like)."""

    # A feed URL may carry a password: keep it out of validation messages.
    model_config = ConfigDict(**SourceOptions.model_config, hide_input_in_errors=True)

    url: str
    timeout: float = Field(default=20.0, gt=0, description="Seconds to connect and per read.")
    max_bytes: int = Field(default=10_000_000, gt=0, description="Refuse larger documents.")
    user_agent: str | None = None
    headers: dict[str, str] = Field(default_factory=dict)

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        value = value.strip()
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"must be an http:// or https:// URL, not {redact_url(value)!r}")
        return value


class RssSource(Source):
    """Reads an RSS 0.9x/1.0/2.0 or Atom feed into items, newest first."""

    type_name: ClassVar[str] = "rss"
    Options: ClassVar[type[SourceOptions]] = RssOptions
    options: RssOptions

    _own_client: httpx.Client | None = None

    def describe(self) -> str:
        """The feed URL, without credentials."""
        return redact_url(self.options.url)

    def fetch(self, cursor: dict[str, Any]) -> FetchResult:
        """One conditional GET; the items of the document, or why there are none."""
        state = FeedCursor.load(cursor, self.options.url)
        download = self._downloader().get(state.request_url(self.options.url), state.validators)
        if download.status == 410:
            reason = f"HTTP 410 Gone: {redact_url(download.url)} no longer exists"
            return FetchResult(cursor=dict(cursor), disable_reason=reason)
        if download.status == 304:
            return FetchResult(
                cursor=state.after(download).dump(),
                not_modified=True,
                new_location=download.moved_to,
            )
        digest = hashlib.sha256(download.body).hexdigest()[:32]
        next_cursor = state.after(download, digest).dump()
        if digest == state.digest:
            # Many servers ignore conditional requests: the same bytes mean the same items.
            return FetchResult(
                cursor=next_cursor, not_modified=True, new_location=download.moved_to
            )
        # Without credentials: it is the base of every relative link that ends up in a post.
        document_url = redact_url(download.url)
        try:
            items, problems = self.context.run_cpu_bound(
                parse_items, download.body, download.headers, document_url
            )
        except NotAFeedError as exc:
            raise SourceError(str(exc), source=self.name, location=document_url) from exc
        return FetchResult(
            items=items, cursor=next_cursor, problems=problems, new_location=download.moved_to
        )

    def _downloader(self) -> Downloader:
        client = self.context.http
        if client is None:
            client = self._client()
        return Downloader(
            client,
            source=self.name,
            timeout=self.options.timeout,
            max_bytes=self.options.max_bytes,
            headers=default_headers(self.options),
        )

    def _client(self) -> httpx.Client:
        # Without an engine-provided client, one per source: reused across polls so
        # connections and TLS setup are not paid on every fetch.
        if self._own_client is None:
            self._own_client = httpx.Client(headers={"User-Agent": user_agent()})
        return self._own_client


def parse_items(
    body: bytes, headers: dict[str, str], document_url: str
) -> tuple[list[Item], list[Problem]]:
    """The items and problems of a downloaded document: the CPU-bound half of a fetch.

    A module-level function of plain data, so the engine can run it in a worker process.
    Raises :class:`~bridge_rss.document.NotAFeedError` when nothing could be read.
    """
    parsed = parse_document(body, headers, document_url)
    items, problems = read_items(parsed, document_url)
    return items, parsed.problems + problems


def read_items(parsed: ParsedFeed, document_url: str) -> tuple[list[Item], list[Problem]]:
    """Normalize every entry, set identities, and order the items newest first.

    An entry that cannot be normalized is reported and skipped; the others are kept.
    """
    items: list[Item] = []
    guids: list[str | None] = []
    problems: list[Problem] = []
    for index, entry in enumerate(parsed.entries):
        try:
            item = build_item(entry, document_url)
        except Exception as exc:  # one odd entry must not cost the others
            where = f"{redact_url(document_url)} entry {index + 1}"
            problems.append(Problem(f"entry skipped: {type(exc).__name__}: {exc}", "error", where))
            continue
        items.append(item)
        guids.append(item.extra.get("guid"))
    home = absolute_link(parsed.feed.get("link"), document_url)
    problems += assign_identities(items, guids, home, redact_url(document_url))
    return sorted(_first_of_each(items), key=_newest_first, reverse=True), problems


def _first_of_each(items: list[Item]) -> list[Item]:
    """Entries identical in identity are one item: keep the first of each."""
    seen: set[str] = set()
    unique = []
    for item in items:
        if item.external_id not in seen:
            seen.add(item.external_id)
            unique.append(item)
    return unique


def _newest_first(item: Item) -> float:
    when = item.published or item.updated
    return when.timestamp() if when else float("-inf")


def user_agent() -> str:
    """``postoria-bridge/VERSION (rss)``: who is asking, for the feed's server logs."""
    try:
        version = metadata.version("postoria-bridge")
    except metadata.PackageNotFoundError:
        version = "dev"
    return f"postoria-bridge/{version} (rss)"
