"""Per-request helpers shared by the views: the sandbox parts, the caller's key, the body."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flask import current_app, g, request

from .errors import ApiError, not_found

if TYPE_CHECKING:
    from .clock import SandboxClock
    from .config import SandboxConfig
    from .faults import FaultSet
    from .ratelimit import RateLimiter
    from .seed import ApiKey, Workspace
    from .state import SandboxState

EXTENSION = "postoria_sandbox"


@dataclass
class Sandbox:
    """The parts of one sandbox app, kept in ``app.extensions["postoria_sandbox"]``."""

    config: SandboxConfig
    clock: SandboxClock
    state: SandboxState
    faults: FaultSet
    limiter: RateLimiter

    def reset(self) -> None:
        """Back to the seed, with no faults and fresh rate windows (the clock stays)."""
        self.state.reset()
        self.faults.clear()
        self.limiter.reset()


def sandbox() -> Sandbox:
    """The sandbox of the current app."""
    return current_app.extensions[EXTENSION]


def caller() -> ApiKey:
    """The authenticated key of this request (set by the auth step)."""
    return g.api_key


def workspace_or_404(workspace_id: int) -> Workspace:
    """The caller's workspace; another profile's workspace is indistinguishable from none."""
    workspace = sandbox().state.workspace_of(caller(), workspace_id)
    if workspace is None:
        raise not_found("workspace")
    return workspace


def json_body(*, allow_empty: bool = False) -> Any:
    """The parsed JSON body; malformed JSON is a 400 ``invalid_json``."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        if allow_empty:
            return {}
        raise ApiError(400, "invalid_json", "The request body must be JSON.")
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(400, "invalid_json", f"The request body is not valid JSON: {exc}.") from exc


def json_object(*, allow_empty: bool = False) -> dict[str, Any]:
    """The JSON body, which must be an object."""
    body = json_body(allow_empty=allow_empty)
    if not isinstance(body, dict):
        raise ApiError(400, "validation_error", "The request body must be a JSON object.")
    return body
