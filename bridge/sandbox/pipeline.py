"""What happens around every request: request ID, auth, rate limit, faults, headers, the log.

Order: the key is checked (401), then the rate window (429, not counted), then fault rules.
Faults that answer instead of the API (``error``, ``rate_limit``, ``html``, ``drop``) stop the
request before any handler runs; the others spoil the answer after the handler did its work.
Admin requests (``/_sandbox``) skip all of it and are not logged.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import socket
import time
from typing import TYPE_CHECKING, Any

from flask import Flask, Response, g, jsonify, request
from werkzeug.exceptions import HTTPException

from ..clock import isoformat_z
from .context import sandbox
from .errors import ApiError

if TYPE_CHECKING:
    from collections.abc import Iterable

    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

DROP_FLAG = "bridge.sandbox.drop_connection"
NOT_PROCESSED = frozenset({"error", "rate_limit", "html", "drop"})
PROXY_PAGES = {
    502: "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad "
    "Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
    503: "<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>"
    "\r\n<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n<hr><center>nginx"
    "</center>\r\n</body>\r\n</html>\r\n",
    200: "<!DOCTYPE html><html><head><title>Sign in to the network</title></head><body><h1>"
    "Welcome</h1><p>Please accept the terms of use to continue.</p></body></html>",
}


def init_app(app: Flask) -> None:
    """Install the pipeline, the error envelope and the connection dropper on ``app``."""
    app.before_request(before_request)
    app.after_request(after_request)
    app.register_error_handler(ApiError, api_error)
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(Exception, unexpected_error)
    app.wsgi_app = ConnectionDropper(app.wsgi_app)  # type: ignore[method-assign]


def area(path: str) -> str:
    """``admin``, ``storage``, ``public`` (the OpenAPI document), ``api`` or ``other``."""
    if path.startswith("/_sandbox"):
        return "admin"
    if path.startswith("/_storage/"):
        return "storage"
    if path == "/v1/openapi.json":
        return "public"
    return "api" if path == "/v1" or path.startswith("/v1/") else "other"


def before_request() -> Response | None:
    """Authenticate, count, and apply any fault rule."""
    g.request_id = "req_" + secrets.token_hex(12)
    g.area = area(request.path)
    g.api_key = None
    g.fault = None
    g.rate_limited = False
    g.started = sandbox().clock.now()
    g.endpoint_name = (request.endpoint or "unknown").rsplit(".", 1)[-1]
    if g.area == "admin":
        return None
    if g.area == "api":
        g.api_key = authenticate()
        count(g.api_key.id)
    if g.area in ("api", "storage"):
        return apply_faults()
    return None


def authenticate() -> Any:
    """The request's key; missing, unknown or revoked keys are a 401 ``invalid_api_key``."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise ApiError(401, "invalid_api_key", "Missing API key: send Authorization: Bearer <key>.")
    key = sandbox().state.key_for_token(token)
    if key is None:
        raise ApiError(401, "invalid_api_key", "Invalid API key.")
    if key.revoked:
        raise ApiError(401, "invalid_api_key", "This API key has been revoked.")
    return key


def count(key_id: int) -> None:
    """Count the request in the key's window, or answer 429."""
    box = sandbox()
    status = box.limiter.acquire(key_id, box.clock.timestamp())
    if not status.allowed:
        g.rate_limited = True
        raise ApiError(
            429,
            "rate_limited",
            f"Rate limit exceeded: {status.limit} requests per {box.limiter.window:g} seconds.",
            headers={"Retry-After": str(status.reset)},
        )


def apply_faults() -> Response | None:
    """Sleep for latency rules; answer for faults that replace the API."""
    box = sandbox()
    latency, rule = box.faults.pick(g.endpoint_name)
    if latency > 0:
        time.sleep(latency)
    if rule is None:
        return None
    g.fault = rule.kind
    if rule.kind == "error":
        status = rule.status or 500
        code = "service_unavailable" if status == 503 else "internal_error"
        raise ApiError(status, code, "The server had an error; try again later.")
    if rule.kind == "rate_limit":
        if g.api_key is not None:
            box.limiter.release(g.api_key.id, box.clock.timestamp())
        g.rate_limited = True
        raise ApiError(
            429,
            "rate_limited",
            "Rate limit exceeded.",
            headers={"Retry-After": str(rule.retry_after)},
        )
    if rule.kind == "html":
        status = rule.status or 502
        return Response(PROXY_PAGES[status], status=status, mimetype="text/html")
    if rule.kind == "drop":
        request.environ[DROP_FLAG] = True
        return Response(b"", status=204)
    return None


def after_request(response: Response) -> Response:
    """Spoil the answer for processed faults, add headers, and log the request."""
    if getattr(g, "area", "admin") == "admin":
        return response
    if g.fault == "invalid_json":
        body = response.get_data()
        response.set_data(body[: max(1, len(body) // 2)])
    elif g.fault == "missing_fields" and response.is_json:
        response.set_data(json.dumps(strip_required(response.get_json())))
    elif g.fault == "drop_after_create":
        request.environ[DROP_FLAG] = True
    response.headers["X-Request-Id"] = g.request_id
    box = sandbox()
    if g.api_key is not None:
        status = box.limiter.status(g.api_key.id, box.clock.timestamp())
        response.headers["X-RateLimit-Limit"] = str(status.limit)
        response.headers["X-RateLimit-Remaining"] = str(status.remaining)
        response.headers["X-RateLimit-Reset"] = str(status.reset)
    box.state.log_request(log_entry(response.status_code))
    return response


def log_entry(status: int) -> dict[str, Any]:
    """One request-log entry: never the key (only its id) and never the query string."""
    return {
        "time": isoformat_z(g.started),
        "key_id": g.api_key.id if g.api_key is not None else None,
        "method": request.method,
        "path": request.path,
        "endpoint": g.endpoint_name,
        "status": status,
        "fault": g.fault,
        "rate_limited": g.rate_limited,
        "processed": not g.rate_limited and g.fault not in NOT_PROCESSED,
        "dropped": bool(request.environ.get(DROP_FLAG)),
        "request_id": g.request_id,
    }


def strip_required(body: Any) -> Any:
    """A 2xx body without the fields a client needs (``id``, ``status``, ``pagination``)."""
    if isinstance(body, dict) and "data" in body:
        return {"data": [strip_required(item) for item in body["data"]]}
    if isinstance(body, dict):
        return {k: v for k, v in body.items() if k not in ("id", "status")}
    return body


def envelope(
    status: int, code: str, message: str, param: str | None = None, details: Any = None
) -> Response:
    """The contract's error envelope."""
    response = jsonify(
        {
            "error": {
                "code": code,
                "message": message,
                "param": param,
                "details": details,
                "request_id": getattr(g, "request_id", None) or "req_" + secrets.token_hex(12),
            }
        }
    )
    response.status_code = status
    return response


def api_error(exc: ApiError) -> Response:
    """Render an :class:`ApiError`."""
    response = envelope(exc.status, exc.code, exc.message, exc.param, exc.details)
    response.headers.update(exc.headers)
    return response


def http_error(exc: HTTPException) -> Response:
    """Routing errors (404, 405, …) in the envelope."""
    code = {404: "not_found", 405: "method_not_allowed"}.get(
        exc.code or 500, (exc.name or "error").lower().replace(" ", "_")
    )
    message = "No such endpoint." if exc.code == 404 else exc.description or exc.name
    response = envelope(exc.code or 500, code, message)
    allow = exc.get_response().headers.get("Allow")
    if allow:
        response.headers["Allow"] = allow
    return response


def unexpected_error(exc: Exception) -> Response:
    """A bug in the sandbox still answers with the envelope (and is logged)."""
    if isinstance(exc, ConnectionError):
        raise exc
    from flask import current_app

    current_app.logger.exception("sandbox error")
    return envelope(500, "internal_error", "The sandbox had an unexpected error.")


class ConnectionDropper:
    """WSGI middleware: after the app has answered, close the socket instead of replying.

    Werkzeug's server treats a ``ConnectionError`` from the app as a dropped connection and
    writes nothing, so the client sees the connection closed with no response at all.
    """

    def __init__(self, app: WSGIApplication) -> None:
        self.app = app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """Run the app; drop the connection when a fault asked for it."""
        result = self.app(environ, start_response)
        if not environ.get(DROP_FLAG):
            return result
        close = getattr(result, "close", None)
        if close is not None:
            close()
        sock = environ.get("werkzeug.socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        raise ConnectionAbortedError("sandbox fault: connection dropped without an answer")
