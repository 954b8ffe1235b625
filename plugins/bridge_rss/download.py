"""Fetching a feed document over HTTP, politely and within limits.

One GET per poll: conditional (``If-None-Match`` / ``If-Modified-Since`` from the cursor), with
a timeout, a size cap enforced while the body streams in, and redirects followed. Only an
unbroken chain of permanent redirects (301, 308) from the configured URL is worth
remembering; a temporary one (302, 303, 307) anywhere in the chain means "ask the old URL
again next time". Every failure becomes a :class:`bridge.SourceError` that names the source
and the URL, with any credentials in the URL removed.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

import httpx

from bridge import SourceError

PERMANENT_REDIRECTS = frozenset({301, 308})
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.8, text/xml;q=0.8, */*;q=0.5"
)


@dataclass(frozen=True)
class Validators:
    """What the server said about the version it sent, to ask "changed since?" next time."""

    etag: str | None = None
    last_modified: str | None = None

    def request_headers(self) -> dict[str, str]:
        """The conditional request headers these validators allow."""
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers


@dataclass(frozen=True)
class Download:
    """The outcome of one GET.

    ``status`` is the final status (200, 304 or 410); ``url`` the URL that answered;
    ``moved_to`` the URL reached through permanent redirects only, when it differs from the
    requested one. ``headers`` have lower-cased names, as feedparser expects.
    """

    status: int
    url: str
    body: bytes
    headers: dict[str, str]
    validators: Validators
    moved_to: str | None = None


def redact_url(url: str) -> str:
    """``url`` without the user name and password it may carry."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{parts.port}" if parts.port is not None else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def basic_auth(url: str) -> httpx.BasicAuth | None:
    """HTTP basic credentials from the URL's user information, if it has any."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return None
    return httpx.BasicAuth(unquote(parts.username or ""), unquote(parts.password or ""))


class Downloader:
    """Performs the GET for one source with the given client and limits."""

    def __init__(
        self,
        client: httpx.Client,
        *,
        source: str,
        timeout: float,
        max_bytes: int,
        headers: dict[str, str],
    ) -> None:
        self.client = client
        self.source = source
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.headers = headers

    def get(self, url: str, validators: Validators) -> Download:
        """GET ``url``, conditionally; raise :class:`SourceError` for anything but 2xx/304/410.

        Credentials in ``url`` travel as an ``Authorization`` header only: the request URL,
        and so every URL in the answer (the redirect target, the base for relative links),
        never carries them.
        """
        headers = {"Accept": ACCEPT, **self.headers, **validators.request_headers()}
        extra: dict[str, Any] = {}
        credentials = basic_auth(url)
        if credentials is not None:
            extra["auth"] = credentials
            url = redact_url(url)
        try:
            with self.client.stream(
                "GET", url, headers=headers, timeout=self.timeout, follow_redirects=True, **extra
            ) as response:
                return self._read(url, response)
        except httpx.TimeoutException as exc:
            raise self._error(url, f"timed out after {self.timeout:g} s ({_kind(exc)})") from exc
        except httpx.TooManyRedirects as exc:
            raise self._error(url, "too many redirects") from exc
        except httpx.InvalidURL as exc:
            raise self._error(url, f"invalid URL: {exc}") from exc
        except httpx.ConnectError as exc:
            raise self._error(url, f"could not connect: {_describe(exc, url)}") from exc
        except httpx.TransportError as exc:
            raise self._error(url, f"the connection failed: {_describe(exc, url)}") from exc
        except httpx.HTTPError as exc:
            raise self._error(url, f"HTTP request failed: {_describe(exc, url)}") from exc

    def _read(self, url: str, response: httpx.Response) -> Download:
        moved_to = _permanent_location(url, response)
        final_url = str(response.url)
        headers = {name.lower(): value for name, value in response.headers.items()}
        validators = Validators(headers.get("etag"), headers.get("last-modified"))
        status = response.status_code
        if status in (304, 410):
            return Download(status, final_url, b"", headers, validators, moved_to)
        if not 200 <= status < 300:  # includes a 3xx without a Location to follow
            reason = response.reason_phrase or ""
            raise self._error(final_url, f"HTTP {status} {reason}".rstrip())
        return Download(
            status, final_url, self._body(final_url, response), headers, validators, moved_to
        )

    def _body(self, url: str, response: httpx.Response) -> bytes:
        """The decoded body, refused past ``max_bytes``: announced, or counted as it streams.

        The cap applies to the decompressed bytes, so a small gzip bomb cannot fill memory.
        """
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise self._error(url, self._too_large(f"{int(declared):,} bytes announced"))
        chunks: list[bytes] = []
        received = 0
        for chunk in response.iter_bytes():
            received += len(chunk)
            if received > self.max_bytes:
                raise self._error(url, self._too_large(f"more than {self.max_bytes:,} bytes"))
            chunks.append(chunk)
        return b"".join(chunks)

    def _too_large(self, what: str) -> str:
        return f"the document is too large ({what}; the limit is max_bytes = {self.max_bytes:,})"

    def _error(self, url: str, message: str) -> SourceError:
        return SourceError(message, source=self.source, location=redact_url(url))


def _permanent_location(requested: str, response: httpx.Response) -> str | None:
    """The URL reached through 301/308 redirects alone, if the chain starts with one."""
    location = None
    hops = [*response.history, response]
    for redirect, following in itertools.pairwise(hops):
        if redirect.status_code not in PERMANENT_REDIRECTS:
            break
        location = str(following.url)
    return location if location and location != requested else None


def _kind(exc: httpx.TimeoutException) -> str:
    names = {
        httpx.ConnectTimeout: "connecting",
        httpx.ReadTimeout: "waiting for data",
        httpx.WriteTimeout: "sending",
        httpx.PoolTimeout: "waiting for a connection",
    }
    return names.get(type(exc), "timeout")


def _describe(exc: Exception, url: str) -> str:
    # Some messages quote the URL; never let its credentials through.
    text = (str(exc) or type(exc).__name__).replace(url, redact_url(url))
    return text if len(text) < 300 else text[:300] + "…"


def default_headers(options: Any) -> dict[str, str]:
    """Request headers from the source options: the user agent and any extra headers."""
    headers: dict[str, str] = {}
    if options.user_agent:
        headers["User-Agent"] = options.user_agent
    headers.update(options.headers)
    return headers
