"""Every error the bridge raises on purpose, in one hierarchy.

Errors carry a message meant for the person running the bridge: what went wrong and where
(file and key, source and URL, endpoint and request ID). They never carry secrets: API keys,
passwords and signed upload URLs are redacted before they reach a message.

The hierarchy::

    BridgeError
    ├── ConfigError                      (file, line, key)
    ├── SourceError                      (source, location)
    │   └── SourceGoneError              (HTTP 410: the source disables itself)
    ├── PluginError                      (plugin name)
    ├── CaptionError                     (route, network)
    ├── StoreError
    └── PostoriaError
        ├── PostoriaTransportError       the request never reached Postoria, or no answer came
        │   └── OutcomeUnknownError      create sent, answer lost: reconcile first
        ├── PostoriaProtocolError        answer outside the contract (HTML, bad JSON…)
        ├── PostoriaValidationError      rejected locally before sending (the contract forbids it)
        └── PostoriaAPIError             error envelope (status, code, param, request_id)
            ├── InvalidRequestError      400 / 422
            ├── AuthenticationError      401
            ├── PermissionDeniedError    403
            ├── NotFoundError            404
            ├── ConflictError            409
            ├── RateLimitedError         429 (retry_after)
            └── ServerError              5xx

"Failed" and "unknown outcome" are different types on purpose: the engine may retry the first,
and must reconcile with Postoria before doing anything about the second.
"""

from __future__ import annotations

from typing import Any


class BridgeError(Exception):
    """Root of every error the bridge raises on purpose.

    ``title`` is a short heading for the CLI and dashboard; ``str(error)`` is the full message.
    """

    title = "Error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ConfigError(BridgeError):
    """The configuration file is missing, unreadable or invalid.

    The message names the file, the line when known, and the dotted key (``routes[0].mode``).
    """

    title = "Configuration error"

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        key: str | None = None,
    ) -> None:
        self.file = file
        self.line = line
        self.key = key
        where = ""
        if file:
            where = file + (f":{line}" if line else "")
        if key:
            where = f"{where}: {key}" if where else key
        super().__init__(f"{where}: {message}" if where else message)
        self.reason = message


class SourceError(BridgeError):
    """A source could not be read: network failure, bad document, bad folder.

    ``source`` is the configured source name and ``location`` the URL or path (with any
    credentials removed).
    """

    title = "Source error"

    def __init__(
        self, message: str, *, source: str | None = None, location: str | None = None
    ) -> None:
        self.source = source
        self.location = location
        prefix = ""
        if source:
            prefix = f"source {source!r}"
            if location:
                prefix += f" ({location})"
            prefix += ": "
        elif location:
            prefix = f"{location}: "
        super().__init__(prefix + message)
        self.reason = message


class SourceGoneError(SourceError):
    """The source answered 410 Gone: it is disabled until someone re-enables it."""

    title = "Source gone"


class PluginError(BridgeError):
    """A plugin failed to load or misbehaved; the other plugins keep working."""

    title = "Plugin error"

    def __init__(self, message: str, *, plugin: str | None = None) -> None:
        self.plugin = plugin
        super().__init__(f"plugin {plugin!r}: {message}" if plugin else message)


class CaptionError(BridgeError):
    """A caption template failed to render, or its result cannot fit the network's limit."""

    title = "Caption error"


class StoreError(BridgeError):
    """The database could not be opened, migrated or written."""

    title = "Database error"


class PostoriaError(BridgeError):
    """Anything that went wrong talking to Postoria.

    ``method`` and ``path`` describe the request (never a signed URL or a key).
    """

    title = "Postoria error"

    def __init__(self, message: str, *, method: str | None = None, path: str | None = None) -> None:
        self.method = method
        self.path = path
        super().__init__(message)

    @property
    def request_line(self) -> str:
        """``POST /workspaces/1/posts`` or an empty string when unknown."""
        if self.method and self.path:
            return f"{self.method} {self.path}"
        return ""


class PostoriaTransportError(PostoriaError):
    """The request could not be sent or no answer came back (DNS, refused, timeout, reset).

    For a read this is safe to retry. For a create see :class:`OutcomeUnknownError`.
    """

    title = "Postoria unreachable"


class OutcomeUnknownError(PostoriaTransportError):
    """A create was sent but its answer was lost: the post may or may not exist.

    Never resend blindly: reconcile with the posts list first.
    """

    title = "Outcome unknown"


class PostoriaProtocolError(PostoriaError):
    """Postoria (or something in between) answered outside the contract.

    An HTML page from a proxy, a body that is not JSON, a resource missing required fields.
    """

    title = "Unexpected answer from Postoria"


class PostoriaValidationError(PostoriaError):
    """The request breaks the contract and was not sent (checked locally).

    ``param`` names the offending field, as Postoria's own validation errors do.
    """

    title = "Invalid request"

    def __init__(self, message: str, *, param: str | None = None) -> None:
        self.param = param
        super().__init__(f"{param}: {message}" if param else message)


class PostoriaAPIError(PostoriaError):
    """Postoria answered with an error envelope.

    Attributes mirror the envelope: ``status`` (HTTP), ``code`` (open string), ``message``,
    ``param``, ``details`` and ``request_id`` (show it to the user with the error).
    """

    def __init__(
        self,
        message: str,
        *,
        status: int,
        code: str | None = None,
        param: str | None = None,
        details: Any = None,
        request_id: str | None = None,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        self.status = status
        self.code = code
        self.param = param
        self.details = details
        self.request_id = request_id
        self.api_message = message
        parts = [f"HTTP {status}"]
        if code:
            parts.append(code)
        text = f"{' '.join(parts)}: {message}"
        if param:
            text += f" (param: {param})"
        if method and path:
            text += f" [{method} {path}]"
        if request_id:
            text += f" (request_id: {request_id})"
        super().__init__(text, method=method, path=path)


class InvalidRequestError(PostoriaAPIError):
    """400 or 422: Postoria rejected the request's content."""

    title = "Rejected by Postoria"


class AuthenticationError(PostoriaAPIError):
    """401: the API key is missing, invalid or revoked."""

    title = "Invalid API key"


class PermissionDeniedError(PostoriaAPIError):
    """403: the key may not do this (plan, workspace or account permissions)."""

    title = "Not allowed"


class NotFoundError(PostoriaAPIError):
    """404: the workspace, account, media or post does not exist (or was deleted)."""

    title = "Not found"


class ConflictError(PostoriaAPIError):
    """409: the resource is in a state that forbids the request."""

    title = "Conflict"


class RateLimitedError(PostoriaAPIError):
    """429: the key's budget is spent; ``retry_after`` is the wait in seconds, when known."""

    title = "Rate limited"

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        self.retry_after = retry_after
        super().__init__(message, **kwargs)


class ServerError(PostoriaAPIError):
    """5xx: a failure on Postoria's side, usually transient."""

    title = "Postoria server error"


def api_error_class(status: int) -> type[PostoriaAPIError]:
    """The exception class for an HTTP error status, branching on the status first."""
    if status in (400, 422):
        return InvalidRequestError
    if status == 401:
        return AuthenticationError
    if status == 403:
        return PermissionDeniedError
    if status == 404:
        return NotFoundError
    if status == 409:
        return ConflictError
    if status == 429:
        return RateLimitedError
    if status >= 500:
        return ServerError
    return InvalidRequestError if 400 <= status < 500 else PostoriaAPIError
