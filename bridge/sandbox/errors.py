"""The sandbox's own error: raised anywhere in a request, rendered as the contract's envelope."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An error answer: HTTP status, ``code``, message, offending ``param`` and ``details``."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        param: str | None = None,
        details: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.param = param
        self.details = details
        self.headers = headers or {}


def validation(message: str, param: str | None, status: int = 400) -> ApiError:
    """A 400 (or 422) ``validation_error`` about ``param``."""
    code = "validation_error" if status == 400 else "unprocessable_entity"
    return ApiError(status, code, message, param=param)


def not_found(what: str) -> ApiError:
    """A 404 ``not_found`` for ``what`` ("workspace", "post", …)."""
    return ApiError(404, "not_found", f"No such {what}.")
