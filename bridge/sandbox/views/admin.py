"""The admin API under ``/_sandbox``: state, request log, clock, faults, reset.

It needs no key: the sandbox is meant to listen on loopback only, for tests and dry runs.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from ...clock import isoformat_z
from ..clock import ClockError
from ..context import json_object, sandbox
from ..errors import ApiError, not_found
from ..faults import FaultRule
from ..validation import parse_time

bp = Blueprint("admin", __name__, url_prefix="/_sandbox")


@bp.get("/state")
def state() -> dict[str, Any]:
    """Everything the sandbox holds, deleted posts included (flagged ``deleted``)."""
    return sandbox().state.snapshot()


@bp.get("/requests")
def requests() -> dict[str, Any]:
    """Every request served, oldest first."""
    return {"data": sandbox().state.requests()}


@bp.get("/clock")
def get_clock() -> dict[str, Any]:
    """The sandbox time."""
    return {"now": isoformat_z(sandbox().clock.now())}


@bp.post("/clock")
def set_clock() -> dict[str, Any]:
    """``{"advance": seconds}`` or ``{"set": "2026-08-01T09:00:00Z"}``; never backwards."""
    body = json_object()
    clock = sandbox().clock
    try:
        if "advance" in body:
            seconds = body["advance"]
            if not isinstance(seconds, int | float) or isinstance(seconds, bool):
                raise ApiError(
                    400, "validation_error", "`advance` must be seconds.", param="advance"
                )
            clock.advance(float(seconds))
        elif "set" in body:
            clock.set(parse_time(body["set"], "set"))
        else:
            raise ApiError(400, "validation_error", "Send `advance` or `set`.", param="advance")
    except ClockError as exc:
        raise ApiError(400, "validation_error", str(exc), param="set") from exc
    return {"now": isoformat_z(clock.now())}


@bp.get("/faults")
def list_faults() -> dict[str, Any]:
    """The active fault rules."""
    return {"data": [r.to_dict() for r in sandbox().faults.rules()]}


@bp.post("/faults")
def add_fault() -> tuple[dict[str, Any], int]:
    """Add a fault rule (see :class:`bridge.sandbox.FaultRule`)."""
    try:
        rule = FaultRule.from_dict(json_object())
    except (TypeError, ValueError) as exc:
        raise ApiError(400, "validation_error", str(exc)) from exc
    return sandbox().faults.add(rule).to_dict(), 201


@bp.delete("/faults")
def clear_faults() -> tuple[str, int]:
    """Remove every fault rule."""
    sandbox().faults.clear()
    return "", 204


@bp.delete("/faults/<int:rule_id>")
def remove_fault(rule_id: int) -> tuple[str, int]:
    """Remove one fault rule."""
    if not sandbox().faults.remove(rule_id):
        raise not_found("fault rule")
    return "", 204


@bp.post("/queues/<int:queue_id>")
def update_queue(queue_id: int) -> dict[str, Any]:
    """``{"is_paused": bool}``: pause or resume a queue."""
    body = json_object()
    paused = body.get("is_paused")
    if not isinstance(paused, bool):
        raise ApiError(
            400, "validation_error", "`is_paused` must be true or false.", param="is_paused"
        )
    state = sandbox().state
    try:
        state.set_queue_paused(queue_id, paused)
    except KeyError as exc:
        raise not_found("queue") from exc
    return state.queue_json(state.queues[queue_id])


@bp.post("/reset")
def reset() -> dict[str, Any]:
    """Back to the seed: no media, posts, faults or request log; the clock keeps its time."""
    sandbox().reset()
    return {"now": isoformat_z(sandbox().clock.now())}
