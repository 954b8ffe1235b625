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

The cursor remembers the validators of the last answer (``etag``, ``last_modified``) for a
conditional GET, a digest of the last document (servers that ignore conditional requests
send the same bytes again: that is "not modified" too), and the URL a permanent redirect
moved the feed to (``url``, valid while the configured URL stays the same). Item identities
are explained in :mod:`bridge_rss.identity`.
"""

from __future__ import annotations

import hashlib
from importlib import metadata
from typing import Any, ClassVar
from urllib.parse import urlsplit, urlunsplit

import httpx
from pydantic import ConfigDict, Field, field_validator

from bridge import FetchResult, Item, Problem, Source, SourceError, SourceOptions

from .document import NotAFeedError, ParsedFeed, parse_document
from .download import Download, Downloader, Validators, default_headers, redact_url
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
        url = self._current_url(cursor)
        download = self._downloader().get(url, _validators(cursor, url, self.options.url))
        next_cursor = self._next_cursor(cursor, download)
        if download.status == 304:
            return FetchResult(
                cursor=next_cursor, not_modified=True, new_location=download.moved_to
            )
        if download.status == 410:
            reason = f"HTTP 410 Gone: {redact_url(download.url)} no longer exists"
            return FetchResult(cursor=dict(cursor), disable_reason=reason)
        next_cursor["digest"] = hashlib.sha256(download.body).hexdigest()[:32]
        if cursor.get("digest") == next_cursor["digest"] and self._same_configuration(cursor):
            # Many servers ignore conditional requests: the same bytes mean the same items.
            return FetchResult(
                cursor=next_cursor, not_modified=True, new_location=download.moved_to
            )
        # Without credentials: it is the base of every relative link that ends up in a post.
        document_url = redact_url(download.url)
        try:
            parsed = parse_document(download.body, download.headers, document_url)
        except NotAFeedError as exc:
            raise SourceError(str(exc), source=self.name, location=document_url) from exc
        items, problems = read_items(parsed, document_url)
        return FetchResult(
            items=items,
            cursor=next_cursor,
            problems=parsed.problems + problems,
            new_location=download.moved_to,
        )

    def _same_configuration(self, cursor: dict[str, Any]) -> bool:
        return cursor.get("configured_url", self.options.url) == self.options.url

    def _current_url(self, cursor: dict[str, Any]) -> str:
        # A remembered permanent redirect applies only while the configured URL is unchanged.
        # It is stored without credentials; they are sent again only to the same origin.
        if cursor.get("url") and cursor.get("configured_url") == self.options.url:
            return _with_credentials_of(self.options.url, str(cursor["url"]))
        return self.options.url

    def _next_cursor(self, cursor: dict[str, Any], download: Download) -> dict[str, Any]:
        """Validators and location for next time; a 304 keeps the previous document's digest."""
        url = download.moved_to or redact_url(self._current_url(cursor))
        validators = download.validators
        if download.status == 304 and not (validators.etag or validators.last_modified):
            validators = _validators(cursor, url, self.options.url)
        state: dict[str, Any] = {"configured_url": self.options.url}
        if url != redact_url(self.options.url):
            state["url"] = url
        if validators.etag:
            state["etag"] = validators.etag
        if validators.last_modified:
            state["last_modified"] = validators.last_modified
        if download.status == 304 and cursor.get("digest"):
            state["digest"] = cursor["digest"]
        return state

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


def _with_credentials_of(configured: str, url: str) -> str:
    """``url`` with the configured URL's user information when both share an origin."""
    source, target = urlsplit(configured), urlsplit(url)
    if source.username is None or target.username is not None:
        return url
    if (source.scheme, source.hostname, source.port) != (
        target.scheme,
        target.hostname,
        target.port,
    ):
        return url
    userinfo = source.netloc.rpartition("@")[0]
    return urlunsplit(target._replace(netloc=f"{userinfo}@{target.netloc}"))


def _validators(cursor: dict[str, Any], url: str, configured_url: str) -> Validators:
    if cursor.get("configured_url", configured_url) != configured_url:
        return Validators()  # the user changed the URL: ask afresh
    return Validators(cursor.get("etag"), cursor.get("last_modified"))


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
