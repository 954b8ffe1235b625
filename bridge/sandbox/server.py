"""``SandboxServer``: the sandbox on a real loopback port, in a daemon thread.

Tests, benchmarks and demos use it as a context manager::

    with SandboxServer(SandboxConfig(clock=ManualClock())) as server:
        httpx.get(server.url + "/workspaces", headers={"Authorization": f"Bearer {server.api_key}"})
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from .app import create_app
from .config import SandboxConfig
from .context import EXTENSION, Sandbox

if TYPE_CHECKING:
    from types import TracebackType

    from flask import Flask

    from .clock import SandboxClock
    from .faults import FaultSet
    from .state import SandboxState

MAIN_KEY = "pst_test_agency_key"


class RedactingRequestHandler(WSGIRequestHandler):
    """Werkzeug's handler, but access logs never show query strings (signed URLs are secrets)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Log the request line with the query string cut off."""
        path = self.path.split("?", 1)[0]
        self.log("info", '"%s %s %s" %s %s', self.command, path, self.request_version, code, size)


class SandboxServer:
    """A threaded werkzeug server for one sandbox app on ``host`` (loopback) and a free port."""

    def __init__(
        self, config: SandboxConfig | None = None, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self.config = config or SandboxConfig()
        self.app: Flask = create_app(self.config)
        self._host = host
        self._port = port
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def sandbox(self) -> Sandbox:
        """The app's parts."""
        return self.app.extensions[EXTENSION]

    @property
    def state(self) -> SandboxState:
        """The in-process state (thread-safe)."""
        return self.sandbox.state

    @property
    def clock(self) -> SandboxClock:
        """The sandbox clock: ``now()``, ``advance(seconds)``, ``set(when)``."""
        return self.sandbox.clock

    @property
    def faults(self) -> FaultSet:
        """The fault rules: ``add(FaultRule(...))``, ``clear()``."""
        return self.sandbox.faults

    @property
    def api_key(self) -> str:
        """The main seeded key (a public sandbox fixture)."""
        return MAIN_KEY

    @property
    def port(self) -> int:
        """The port actually bound."""
        if self._server is None:
            raise RuntimeError("the sandbox server is not started")
        return self._server.server_port

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://{self._host}:{self.port}"

    @property
    def url(self) -> str:
        """The API base URL, ``http://127.0.0.1:PORT/v1``."""
        return self.base_url + "/v1"

    @property
    def admin_url(self) -> str:
        """The admin API, ``http://127.0.0.1:PORT/_sandbox``."""
        return self.base_url + "/_sandbox"

    def reset(self) -> None:
        """Back to the seed (state, faults, rate windows)."""
        self.sandbox.reset()

    def bind(self) -> SandboxServer:
        """Bind the port (without serving yet), so ``url`` is known."""
        if self._server is None:
            self._server = make_server(
                self._host,
                self._port,
                self.app,
                threaded=True,
                request_handler=RedactingRequestHandler,
            )
            self._server.daemon_threads = True
        return self

    def start(self) -> SandboxServer:
        """Bind and serve in a daemon thread."""
        server = self.bind()._server
        assert server is not None
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},  # so stop() returns quickly
            name="postoria-sandbox",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and remove uploaded bytes."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.state.close()

    def serve_forever(self) -> None:
        """Serve in the calling thread until interrupted (the CLI)."""
        server = self.bind()._server
        assert server is not None
        try:
            server.serve_forever()
        finally:
            server.server_close()
            self.state.close()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = self.base_url if self._server else "not started"
        return f"<SandboxServer {where}>"
