"""Turning decoded JSON into models, with every failure reported as a protocol error.

A pydantic ``ValidationError`` must not leak, and neither may the offending values: a response
could carry a signed URL. Messages name the endpoint, the status and the failing fields only.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ..errors import PostoriaProtocolError
from .endpoints import Call
from .models import Post, PostPage

ModelT = TypeVar("ModelT", bound=BaseModel)

_MAX_FIELDS_NAMED = 5


def protocol_error(call: Call, status: int | None, problem: str) -> PostoriaProtocolError:
    """A :class:`PostoriaProtocolError` naming the call, its status and the problem."""
    answered = f" answered HTTP {status}" if status is not None else ""
    return PostoriaProtocolError(
        f"{call.endpoint.label}{answered}: {problem}",
        method=call.endpoint.method,
        path=call.safe_path,
    )


def describe_validation_error(error: ValidationError) -> str:
    """The failing fields and why, without their values."""
    problems = []
    for item in error.errors(include_input=False, include_url=False)[:_MAX_FIELDS_NAMED]:
        where = ".".join(str(part) for part in item["loc"]) or "body"
        problems.append(f"{where} ({item['type']})")
    more = error.error_count() - len(problems)
    suffix = f" and {more} more" if more > 0 else ""
    return ", ".join(problems) + suffix


def parse_model(model: type[ModelT], data: Any, call: Call, status: int) -> ModelT:
    """``data`` as ``model``, or a protocol error when it does not fit the contract."""
    if not isinstance(data, dict):
        raise protocol_error(call, status, f"expected a JSON object, got {_kind(data)}")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        detail = describe_validation_error(exc)
        raise protocol_error(call, status, f"invalid {model.__name__}: {detail}") from None


def parse_list(model: type[ModelT], data: Any, call: Call, status: int) -> list[ModelT]:
    """The ``data`` array of a list response, each item as ``model``."""
    return parse_page(model, data, call, status)[0]


def parse_page(
    model: type[ModelT], data: Any, call: Call, status: int
) -> tuple[list[ModelT], bool, str | None]:
    """Items, ``has_more`` and ``next_cursor`` of a list response.

    A missing ``pagination`` object means a single page (the contract has it for forward
    compatibility); a missing or non-array ``data`` is a protocol error.
    """
    if not isinstance(data, dict) or not isinstance(data.get("data"), list):
        raise protocol_error(call, status, "expected a list response with a 'data' array")
    items = []
    for index, item in enumerate(data["data"]):
        if not isinstance(item, dict):
            raise protocol_error(call, status, f"data.{index} is {_kind(item)}, not an object")
        try:
            items.append(model.model_validate(item))
        except ValidationError as exc:
            detail = describe_validation_error(exc)
            raise protocol_error(call, status, f"data.{index}: {detail}") from None
    pagination = data.get("pagination") or {}
    if not isinstance(pagination, dict):
        raise protocol_error(call, status, "'pagination' is not an object")
    has_more = bool(pagination.get("has_more", False))
    cursor = pagination.get("next_cursor")
    if cursor is not None and not isinstance(cursor, str | int):
        raise protocol_error(call, status, "'pagination.next_cursor' is not a string")
    return items, has_more, None if cursor is None else str(cursor)


def parse_post_page(data: Any, call: Call, status: int) -> PostPage:
    """A page of the posts list."""
    items, has_more, cursor = parse_page(Post, data, call, status)
    return PostPage(data=items, has_more=has_more, next_cursor=cursor)


def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__
