"""Fetching a media file from a source so it can be uploaded to Postoria.

Postoria imports only public HTTPS URLs; everything else (an intranet WordPress, a plain-HTTP
feed, a loopback test server) is downloaded here and uploaded through a signed slot. Fetching a
URL that came from a feed on the bridge's own network is a server-side request forgery risk, so
the download is guarded:

- the host is resolved first and every address must be public: private, loopback, link-local,
  multicast, reserved and unspecified addresses are refused (``allow_private_hosts`` lifts this
  for tests and the demo, which serve media on loopback);
- the connection goes to the address that was checked (the host name is kept for ``Host`` and
  TLS SNI), so a second DNS answer cannot swap in a private address; redirects are followed by
  hand, each hop checked the same way;
- the body is streamed to a file and the download stops as soon as it passes ``max_bytes``;
- the content type is sniffed from the first bytes (the client's own sniffer), never trusted
  from headers or extensions.
"""

from __future__ import annotations

import ipaddress
import socket
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

from ..errors import SourceError
from ..postoria import sniff_content_type

MAX_REDIRECTS = 5
SNIFF_BYTES = 64
"""Bytes read from the start of a file to recognise its type (ISO media lists brands)."""
EXTENSIONS = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
    "image/gif": ".gif",
    "video/mp4": ".mp4",
    "video/quicktime": ".mov",
    "application/pdf": ".pdf",
}
"""The content types Postoria accepts for uploads, with the extension given to the file."""

Resolver = Callable[[str, int], list[str]]
"""Resolves a host name and port to IP address strings."""


class DownloadError(SourceError):
    """A media file could not be downloaded (HTTP error, timeout, too large, unknown type)."""

    title = "Media download failed"


class DownloadRefusedError(DownloadError):
    """The URL points at an address the bridge must not fetch (private, loopback, …)."""

    title = "Media download refused"


@dataclass(frozen=True)
class DownloadedFile:
    """A media file on disk with what its bytes say it is; delete it when done."""

    path: Path
    name: str
    content_type: str
    size: int

    def remove(self) -> None:
        """Delete the file (missing is fine)."""
        self.path.unlink(missing_ok=True)


def safe_location(url: str) -> str:
    """The URL without credentials or query string, fit for messages and the database."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return "<invalid URL>"
    if port:
        host = f"{host}:{port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def system_resolver(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (IPv4 and IPv6)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def is_public_address(address: str) -> bool:
    """Whether an IP address is globally routable (an IPv4-mapped IPv6 is judged as IPv4)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    flags = (
        ip.is_private,
        ip.is_loopback,
        ip.is_link_local,
        ip.is_multicast,
        ip.is_reserved,
        ip.is_unspecified,
    )
    return ip.is_global and not any(flags)


def is_public_https(url: str, resolver: Resolver = system_resolver) -> bool:
    """Whether Postoria could import ``url`` itself: HTTPS on a host with public addresses.

    A host that does not resolve from here still counts as public (Postoria fetches from the
    internet, which may see names this machine cannot); a literal or resolved private address
    does not.
    """
    try:
        parts = urlsplit(url)
        port = parts.port or 443
    except ValueError:
        return False  # not a URL Postoria could fetch either; the download reports why
    host = (parts.hostname or "").lower()
    if parts.scheme != "https" or not host or host == "localhost" or host.endswith(".localhost"):
        return False
    if parts.username or parts.password:
        return False
    try:
        return is_public_address(host)
    except ValueError:
        pass
    try:
        addresses = resolver(host, port)
    except OSError:
        return True
    return all(is_public_address(a) for a in addresses)


class Downloader:
    """Downloads media files safely (see the module docstring); one per engine."""

    def __init__(
        self,
        *,
        max_bytes: int,
        timeout: float,
        user_agent: str,
        directory: Path | None = None,
        allow_private_hosts: bool = False,
        resolver: Resolver = system_resolver,
    ) -> None:
        self.max_bytes = max_bytes
        self.timeout = timeout
        self.user_agent = user_agent
        self.directory = directory
        self.allow_private_hosts = allow_private_hosts
        self.resolver = resolver

    def download(self, url: str) -> DownloadedFile:
        """Fetch ``url`` to a temporary file; raise :class:`DownloadError` on any failure."""
        location = safe_location(url)
        try:
            return self._download(url, location)
        except (ValueError, httpx.InvalidURL) as exc:
            raise DownloadError(f"invalid media URL: {exc}", location=location) from exc

    def _download(self, url: str, location: str) -> DownloadedFile:
        with httpx.Client(timeout=self.timeout, follow_redirects=False) as http:
            current = url
            for _ in range(MAX_REDIRECTS + 1):
                with self._open(http, current, location) as response:
                    if response.is_redirect:
                        current = urljoin(current, response.headers.get("location", ""))
                        continue
                    if response.status_code != 200:
                        raise DownloadError(
                            f"HTTP {response.status_code} for the media file", location=location
                        )
                    try:
                        return self._save(response, current, location)
                    except httpx.HTTPError as exc:
                        raise DownloadError(
                            f"the download broke off: {type(exc).__name__}", location=location
                        ) from exc
        raise DownloadError(f"more than {MAX_REDIRECTS} redirects", location=location)

    @contextmanager
    def _open(self, http: httpx.Client, url: str, location: str) -> Iterator[httpx.Response]:
        """The response from the first checked address that accepts a connection."""
        error: httpx.HTTPError | None = None
        for target, extras in self._pin(url, location):
            try:
                response = http.send(http.build_request("GET", target, **extras), stream=True)
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                error = exc  # try the host's next address
                continue
            except httpx.HTTPError as exc:
                raise DownloadError(
                    f"could not fetch the media file: {type(exc).__name__}", location=location
                ) from exc
            try:
                yield response
            finally:
                response.close()
            return
        name = type(error).__name__ if error else "no address"
        raise DownloadError(f"could not connect to the media host: {name}", location=location)

    def _pin(self, url: str, location: str) -> list[tuple[str, dict[str, Any]]]:
        """The URLs to connect to (each checked address in turn) and the request's extras."""
        parts = urlsplit(url)
        host = parts.hostname
        if parts.scheme not in ("http", "https") or not host:
            raise DownloadRefusedError(
                "only http and https media URLs are fetched", location=location
            )
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            addresses = self.resolver(host, port)
        except OSError as exc:
            raise DownloadError(f"cannot resolve {host}: {exc}", location=location) from exc
        if not addresses:
            raise DownloadError(f"{host} has no address", location=location)
        if not self.allow_private_hosts:
            refused = [a for a in addresses if not is_public_address(a)]
            if refused:
                raise DownloadRefusedError(
                    f"{host} resolves to a non-public address ({refused[0]}); media is only "
                    "downloaded from public hosts",
                    location=location,
                )
        host_header = host if parts.port is None else f"{host}:{parts.port}"
        extras: dict[str, Any] = {
            "headers": {"Host": host_header, "User-Agent": self.user_agent, "Accept": "*/*"}
        }
        if parts.scheme == "https":
            extras["extensions"] = {"sni_hostname": host}
        targets = []
        for address in addresses:
            netloc = (f"[{address}]" if ":" in address else address) + f":{port}"
            target = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
            targets.append((target, extras))
        return targets

    def _save(self, response: httpx.Response, url: str, location: str) -> DownloadedFile:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise DownloadError(
                f"the file is {int(declared)} bytes, over the {self.max_bytes}-byte limit",
                location=location,
            )
        handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - kept open across the stream
            prefix="media-", dir=self.directory, delete=False
        )
        path = Path(handle.name)
        size = 0
        head = b""
        try:
            with handle:
                for chunk in response.iter_bytes(1 << 16):
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise DownloadError(
                            f"the file is over the {self.max_bytes}-byte limit", location=location
                        )
                    if len(head) < SNIFF_BYTES:
                        head += chunk[: SNIFF_BYTES - len(head)]
                    handle.write(chunk)
            content_type = sniff_content_type(head)
            if content_type is None:
                raise DownloadError(
                    "the file is not a type Postoria accepts (JPEG, PNG, WebP, GIF, MP4, MOV or "
                    "PDF)",
                    location=location,
                )
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        name = _file_name(url, content_type)
        return DownloadedFile(path=path, name=name, content_type=content_type, size=size)


def _file_name(url: str, content_type: str) -> str:
    """A file name for the upload slot: the URL's last segment with the sniffed extension."""
    stem = Path(urlsplit(url).path).stem or "media"
    stem = "".join(c for c in stem if c.isalnum() or c in "-_")[:80] or "media"
    return stem + EXTENSIONS.get(content_type, "")
