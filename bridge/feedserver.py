"""A small HTTP server on loopback that serves feeds, for tests, benchmarks and the demo.

Real connectors should be tested against a real server: conditional requests, redirects,
410 Gone, slow answers and size limits all travel through actual sockets here, so the code
under test runs exactly as it does against a blog. Only the standard library is used, so the
server can start anywhere the bridge runs::

    with FeedServer() as server:
        server.set("/feed.xml", body)
        fetch(server.url + "/feed.xml")
        assert server.hits("/feed.xml").count == 1

Every document gets an ``ETag`` (a hash of its body) and a ``Last-Modified`` (when it was set),
and a matching ``If-None-Match`` or ``If-Modified-Since`` gets ``304 Not Modified``, as a
well-behaved blog would answer.
"""

from __future__ import annotations

import contextlib
import hashlib
import mimetypes
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit


@dataclass(frozen=True)
class RecordedRequest:
    """One request the server received: its method and headers (names lower-cased)."""

    method: str
    headers: Mapping[str, str]


@dataclass(frozen=True)
class Hits:
    """The requests made for one path, oldest first."""

    requests: tuple[RecordedRequest, ...] = ()

    @property
    def count(self) -> int:
        """How many requests were made."""
        return len(self.requests)

    @property
    def if_none_match(self) -> list[str | None]:
        """The ``If-None-Match`` header of each request (``None`` when absent)."""
        return [r.headers.get("if-none-match") for r in self.requests]

    @property
    def if_modified_since(self) -> list[str | None]:
        """The ``If-Modified-Since`` header of each request (``None`` when absent)."""
        return [r.headers.get("if-modified-since") for r in self.requests]

    @property
    def last(self) -> RecordedRequest | None:
        """The most recent request, if any."""
        return self.requests[-1] if self.requests else None


@dataclass
class _Response:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None
    delay: float = 0.0
    chunked: bool = False


class FeedServer:
    """A threaded HTTP server on ``127.0.0.1`` with documents set by the test.

    Start it with ``with FeedServer() as server`` (or :meth:`start` and :meth:`stop`); it binds
    a free port, so several can run at once. ``delay`` slows every answer by that many seconds
    (per path with ``set(..., delay=)``); a stopping server cuts delays short. ``static_dir``
    serves the files of a directory under ``/static/`` (images for media tests).
    """

    STATIC_PREFIX = "/static/"

    def __init__(self, *, static_dir: str | Path | None = None, delay: float = 0.0) -> None:
        self.static_dir = Path(static_dir) if static_dir is not None else None
        self.delay = delay
        self._routes: dict[str, _Response] = {}
        self._hits: dict[str, list[RecordedRequest]] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ---- lifecycle -------------------------------------------------------------------------

    def start(self) -> FeedServer:
        """Bind a free port on loopback and serve in a background thread."""
        if self._httpd is not None:
            return self
        handler = type("FeedRequestHandler", (_Handler,), {"feed_server": self})
        httpd = _Server(("127.0.0.1", 0), handler)
        httpd.daemon_threads = True
        httpd.block_on_close = False
        self._httpd = httpd
        self._stopping.clear()
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port; slow answers in flight are cut short."""
        if self._httpd is None:
            return
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join()
        self._httpd = None
        self._thread = None

    def __enter__(self) -> FeedServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The bound port (the server must be started)."""
        if self._httpd is None:
            raise RuntimeError("the FeedServer is not started")
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``, without a trailing slash."""
        return f"http://127.0.0.1:{self.port}"

    def url_for(self, path: str) -> str:
        """The absolute URL of ``path`` on this server."""
        return self.url + _normalize_path(path)

    # ---- what to serve ---------------------------------------------------------------------

    def set(
        self,
        path: str,
        body: bytes,
        content_type: str = "application/rss+xml",
        status: int = 200,
        headers: Mapping[str, str] | None = None,
        *,
        conditional: bool = True,
        delay: float | None = None,
        chunked: bool = False,
    ) -> None:
        """Serve ``body`` at ``path`` from now on.

        ``conditional`` adds ``ETag`` and ``Last-Modified`` and answers 304 to matching
        conditional requests. ``headers`` are sent as given and override the defaults.
        ``chunked`` sends the body with chunked transfer encoding and no ``Content-Length``,
        as streaming servers do. Setting a new body changes the ETag and the date.
        """
        response = _Response(status=status, body=body, delay=self.delay if delay is None else delay)
        response.headers["Content-Type"] = content_type
        if conditional and status == 200:
            response.etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
            response.last_modified = formatdate(usegmt=True)
        response.headers.update(headers or {})
        response.chunked = chunked
        self._put(path, response)

    def redirect(
        self, path: str, to: str, permanent: bool = True, *, status: int | None = None
    ) -> None:
        """Redirect ``path`` to ``to`` (a path on this server or a URL): 301, or 302 if not
        ``permanent``; ``status`` picks another code (307, 308)."""
        code = status or (301 if permanent else 302)
        self._put(path, _Response(status=code, headers={"Location": to}))

    def gone(self, path: str) -> None:
        """Answer ``410 Gone`` at ``path``."""
        self._put(path, _Response(status=410, body=b"gone", headers={"Content-Type": "text/plain"}))

    def remove(self, path: str) -> None:
        """Stop serving ``path`` (it answers 404 again)."""
        with self._lock:
            self._routes.pop(_normalize_path(path), None)

    def hits(self, path: str) -> Hits:
        """The requests received for ``path`` so far (query strings included in the path)."""
        with self._lock:
            return Hits(tuple(self._hits.get(_normalize_path(path), ())))

    def reset_hits(self) -> None:
        """Forget every recorded request."""
        with self._lock:
            self._hits.clear()

    # ---- used by the handler -----------------------------------------------------------------

    def _put(self, path: str, response: _Response) -> None:
        with self._lock:
            self._routes[_normalize_path(path)] = response

    def _record(self, path: str, request: RecordedRequest) -> None:
        with self._lock:
            self._hits.setdefault(path, []).append(request)

    def _route(self, path: str) -> _Response | None:
        with self._lock:
            found = self._routes.get(path)
            if found is None:
                found = self._routes.get(urlsplit(path).path)
        if found is None:
            found = self._static(urlsplit(path).path)
        return found

    def _static(self, path: str) -> _Response | None:
        if self.static_dir is None or not path.startswith(self.STATIC_PREFIX):
            return None
        root = self.static_dir.resolve()
        candidate = (root / path[len(self.STATIC_PREFIX) :]).resolve()
        if not candidate.is_relative_to(root) or not candidate.is_file():
            return None
        content_type = mimetypes.guess_type(candidate.name)[0] or "application/octet-stream"
        body = candidate.read_bytes()
        response = _Response(body=body, delay=self.delay, headers={"Content-Type": content_type})
        response.etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        return response

    def _wait(self, seconds: float) -> None:
        if seconds > 0:
            self._stopping.wait(seconds)


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """Ignore clients hanging up (a size cap or timeout doing its job); report the rest."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


def _normalize_path(path: str) -> str:
    return path if path.startswith("/") else "/" + path


def _not_modified(response: _Response, headers: Mapping[str, str]) -> bool:
    """Whether a conditional request matches, following RFC 9110 (ETag wins over the date)."""
    if_none_match = headers.get("if-none-match")
    if if_none_match is not None:
        if response.etag is None:
            return False
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or response.etag in tags
    since = headers.get("if-modified-since")
    if since is None or response.last_modified is None:
        return False
    try:
        return parsedate_to_datetime(since) >= parsedate_to_datetime(response.last_modified)
    except (TypeError, ValueError):
        return False


class _Handler(BaseHTTPRequestHandler):
    feed_server: FeedServer
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; without this, Nagle's algorithm and the
    # client's delayed ACK add tens of milliseconds to every answer.
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def log_message(self, format: str, *args: object) -> None:
        """Stay quiet: tests read hits, not logs."""

    def _answer(self, send_body: bool) -> None:
        server = self.feed_server
        headers = {name.lower(): value for name, value in self.headers.items()}
        server._record(self.path, RecordedRequest(self.command, headers))
        response = server._route(self.path)
        if response is None:
            response = _Response(404, b"not found", {"Content-Type": "text/plain"})
        server._wait(response.delay)
        if _not_modified(response, headers):
            self.send_response(304)
            self._send_validators(response)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(response.status)
        self._send_validators(response)
        for name, value in response.headers.items():
            self.send_header(name, value)
        if response.chunked:
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            if send_body:
                self._send_chunked(response.body)
            return
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if send_body:
            # The client may stop reading early (a size cap doing its job).
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(response.body)

    def _send_validators(self, response: _Response) -> None:
        if response.etag and "ETag" not in response.headers:
            self.send_header("ETag", response.etag)
        if response.last_modified and "Last-Modified" not in response.headers:
            self.send_header("Last-Modified", response.last_modified)

    def _send_chunked(self, body: bytes, chunk_size: int = 64 * 1024) -> None:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            for start in range(0, len(body), chunk_size):
                chunk = body[start : start + chunk_size]
                self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
