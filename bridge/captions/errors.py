"""Caption errors with the place they came from: route, network and which template.

Both subclass :class:`bridge.errors.CaptionError`, so callers that only care that a caption
failed catch that; the engine looks at :class:`CaptionTooLongError` to record a skip reason.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import CaptionError

if TYPE_CHECKING:
    from .render import AccountRef, CaptionGroup


def _where(route: str | None, network: str | None, template: str | None) -> str:
    parts = []
    if route:
        parts.append(f"route {route!r}")
    if template:
        parts.append(template)
    if network:
        parts.append(f"network {network!r}")
    return ", ".join(parts)


class CaptionTemplateError(CaptionError):
    """A caption template cannot be compiled or rendered.

    ``template`` names the template within the route (``template``, ``templates.x``,
    ``first_comment``, ``utm.medium``); ``line`` is the line inside that template when known.
    """

    def __init__(
        self,
        message: str,
        *,
        route: str | None = None,
        network: str | None = None,
        template: str | None = None,
        line: int | None = None,
    ) -> None:
        self.route = route
        self.network = network
        self.template = template
        self.line = line
        self.reason = message
        where = _where(route, network, template)
        if line:
            where += f" line {line}" if where else f"line {line}"
        super().__init__(f"{where}: {message}" if where else message)


class CaptionTooLongError(CaptionError):
    """A caption is longer than its network allows, even after fitting.

    ``length`` is counted the way the network counts (see :mod:`bridge.captions.networks`).
    ``accounts`` are the accounts that cannot get this caption; ``groups`` are the captions
    that did fit the route's other accounts, so the engine can post those and record this
    error as the skip reason for the rest.
    """

    title = "Caption too long"

    def __init__(
        self,
        *,
        network: str,
        length: int,
        limit: int,
        route: str | None = None,
        accounts: list[AccountRef] | None = None,
        groups: list[CaptionGroup] | None = None,
    ) -> None:
        self.network = network
        self.length = length
        self.limit = limit
        self.route = route
        self.accounts = accounts or []
        self.groups = groups or []
        self.too_long: list[CaptionTooLongError] = [self]
        where = _where(route, network, None)
        message = f"caption is {length} characters long, over the limit of {limit} for {network}"
        super().__init__(f"{where}: {message}" if where else message)
