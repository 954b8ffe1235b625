"""Media imports: which URLs are accepted, and what fetching them ends in.

This machine has no internet, so in the default ``simulate`` mode an HTTPS URL is not fetched:
its outcome is decided from the path's extension (``.jpg``, ``.png``, ``.mp4``, … succeed; an
unknown extension fails with ``unsupported_media_type``). With ``allow_http_imports``, an
``http://`` URL on a loopback host is really fetched with httpx and its bytes sniffed, so tests
can import from a local file server.
"""

from __future__ import annotations

import hashlib
import ipaddress
import os
import posixpath
import tempfile
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

import httpx

from .errors import validation
from .records import failed, ready
from .sniff import EXTENSION_TYPES, MIME_KINDS, MediaRejected, sniff_file

if TYPE_CHECKING:
    from .config import SandboxConfig

LOOPBACK_NAMES = ("localhost",)


def fetch_outcome(config: SandboxConfig, url: str, tmpdir: str) -> dict[str, Any]:
    """The processing outcome of importing ``url``; a refused URL raises a 400."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        raise validation("`url` must be an absolute public HTTPS URL.", "url")
    if parts.scheme == "http":
        if config.allow_http_imports and _is_loopback(host):
            return _fetch(config, url, tmpdir)
        raise validation("`url` must use HTTPS: only public HTTPS URLs can be imported.", "url")
    if _is_loopback(host) or _is_private(host):
        raise validation("`url` must be a public HTTPS URL, not a local address.", "url")
    extension = posixpath.splitext(unquote(parts.path))[1].lower()
    mime = EXTENSION_TYPES.get(extension)
    if mime is None:
        return failed(
            "unsupported_media_type",
            "The file at the URL is not a supported type (JPEG, PNG, WebP, GIF, MP4, MOV or PDF).",
        )
    digest = hashlib.sha256(url.encode()).hexdigest()
    return ready(digest, mime, MIME_KINDS[mime])


def _fetch(config: SandboxConfig, url: str, tmpdir: str) -> dict[str, Any]:
    fd, path = tempfile.mkstemp(dir=tmpdir, prefix="import-")
    sha = hashlib.sha256()
    try:
        with (
            os.fdopen(fd, "wb") as fh,
            httpx.stream(
                "GET", url, timeout=config.import_timeout, follow_redirects=True
            ) as response,
        ):
            if response.status_code != 200:
                return failed("fetch_failed", f"The URL answered HTTP {response.status_code}.")
            size = 0
            for chunk in response.iter_bytes(1 << 20):
                size += len(chunk)
                if size > config.max_upload_bytes:
                    return failed("file_too_large", "The file at the URL is too large.")
                sha.update(chunk)
                fh.write(chunk)
        sniffed = sniff_file(path)
    except httpx.HTTPError as exc:
        return failed("fetch_failed", f"The URL could not be fetched: {type(exc).__name__}.")
    except MediaRejected as exc:
        return failed(exc.code, exc.message)
    finally:
        os.unlink(path)
    return ready(sha.hexdigest(), sniffed.mime, sniffed.kind)


def _is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _is_private(host: str) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_private or address.is_link_local or address.is_unspecified
