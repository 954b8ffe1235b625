"""Keeping API keys and signed upload URLs out of logs, messages and reprs.

The client logs request lines as method and path only, and never builds a message from a
signed URL. As a second line of defence, every secret the client handles is registered here,
and a logging filter installed on the client's logger and on httpx's (which logs full request
URLs at INFO) replaces any registered secret in a record before it is emitted.
"""

from __future__ import annotations

import logging
import threading
from collections import deque

REDACTED = "[redacted]"
SIGNED_URL_PLACEHOLDER = "<signed upload URL>"

_MAX_REMEMBERED = 512
"""Signed URLs remembered for redaction; they expire within minutes, so recent ones suffice."""

_LOGGERS = ("bridge.postoria", "httpx", "httpcore")


class SecretRegistry:
    """The secrets currently in use, so any text can be scrubbed of them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._keys: set[str] = set()
        self._urls: deque[str] = deque(maxlen=_MAX_REMEMBERED)

    def add_key(self, secret: str) -> None:
        """Remember an API key (kept for the life of the process)."""
        if secret:
            with self._lock:
                self._keys.add(secret)

    def add_url(self, url: str) -> None:
        """Remember a signed URL (and its query string, the part that signs it)."""
        if not url:
            return
        with self._lock:
            self._urls.append(url)
            _, _, query = url.partition("?")
            if len(query) >= 16:
                self._urls.append(query)

    def scrub(self, text: str) -> str:
        """``text`` with every registered secret replaced."""
        with self._lock:
            urls = list(self._urls)
            keys = list(self._keys)
        # Longest first, so a whole URL is replaced before its query string.
        for url in sorted(urls, key=len, reverse=True):
            if url in text:
                text = text.replace(url, SIGNED_URL_PLACEHOLDER)
        for key in keys:
            if key in text:
                text = text.replace(key, REDACTED)
        return text


SECRETS = SecretRegistry()


class RedactingFilter(logging.Filter):
    """Rewrite a record's message when it contains a registered secret."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Scrub the formatted message in place; never drops a record."""
        try:
            message = record.getMessage()
        except Exception:  # a broken record is the logging module's problem, not ours
            return True
        clean = SECRETS.scrub(message)
        if clean != message:
            record.msg = clean
            record.args = None
        return True


_install_lock = threading.Lock()
_installed = False


def install_log_filter() -> None:
    """Attach :class:`RedactingFilter` to the client's and httpx's loggers, once per process."""
    global _installed
    with _install_lock:
        if _installed:
            return
        for name in _LOGGERS:
            logging.getLogger(name).addFilter(RedactingFilter())
        _installed = True


def mask_key(api_key: str) -> str:
    """A form of the key safe to show: its kind prefix and, for long keys, the last four
    characters (``pst_live_…a1b2``), enough to tell two keys apart."""
    parts = api_key.split("_")
    prefix = f"{parts[0]}_{parts[1]}_" if len(parts) >= 3 else ""
    suffix = api_key[-4:] if len(api_key) >= 24 else ""
    return f"{prefix}…{suffix}"
