"""What one fetch of a feed remembers for the next: the engine stores it as opaque JSON.

- ``etag`` and ``last_modified``: the validators of the last answer, for a conditional GET;
- ``digest``: a hash of the last document, since many servers ignore conditional requests
  and send the same bytes again, which means "not modified" all the same;
- ``url``: where a permanent redirect moved the feed (absent while it has not moved);
- ``configured_url``: the configured URL all this belongs to. When the user changes the URL
  in the configuration, everything else is forgotten.

URLs are stored without credentials: the configured URL's user name and password are sent
again (as basic auth) only to the configured URL's origin.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from .download import Download, Validators, redact_url


@dataclass(frozen=True)
class FeedCursor:
    """The saved state of one ``rss`` source."""

    configured_url: str
    url: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    digest: str | None = None

    @classmethod
    def load(cls, saved: dict[str, Any], configured_url: str) -> FeedCursor:
        """Read a saved cursor for ``configured_url``; one saved for another URL is ignored."""
        configured = redact_url(configured_url)
        if saved.get("configured_url", configured) != configured:
            return cls(configured)
        return cls(
            configured_url=configured,
            url=saved.get("url") or None,
            etag=saved.get("etag") or None,
            last_modified=saved.get("last_modified") or None,
            digest=saved.get("digest") or None,
        )

    def request_url(self, configured_url: str) -> str:
        """The URL to fetch: the remembered location (with the configured URL's credentials
        when it shares its origin), else the configured URL as written."""
        if self.url is None:
            return configured_url
        return _with_credentials_of(configured_url, self.url)

    @property
    def validators(self) -> Validators:
        """Validators for a conditional GET."""
        return Validators(self.etag, self.last_modified)

    def after(self, download: Download, digest: str | None = None) -> FeedCursor:
        """The cursor once ``download`` answered (200 with ``digest`` of the body, or 304)."""
        url = download.moved_to or self.url
        validators = download.validators
        if download.status == 304 and not (validators.etag or validators.last_modified):
            validators = self.validators
        return replace(
            self,
            url=url if url != self.configured_url else None,
            etag=validators.etag,
            last_modified=validators.last_modified,
            digest=self.digest if download.status == 304 else digest,
        )

    def dump(self) -> dict[str, Any]:
        """The JSON-serializable form, without empty fields."""
        fields = {
            "configured_url": self.configured_url,
            "url": self.url,
            "etag": self.etag,
            "last_modified": self.last_modified,
            "digest": self.digest,
        }
        return {key: value for key, value in fields.items() if value}


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
