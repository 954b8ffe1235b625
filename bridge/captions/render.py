"""Rendering a route's captions for an item, one per distinct caption among its accounts.

Each account gets the template for its network (the route's per-network override, else the
route's ``template``), its network's UTM-tagged link, and ``fit`` parts shortened to its
network's limit. Accounts whose captions (and first comments) come out identical share one
:class:`CaptionGroup`, which the engine turns into one Postoria post: when the accounts of a
route need different captions, the engine creates one post per distinct caption.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import jinja2
from jinja2.sandbox import SecurityError

from ..sources import Item
from . import fitting
from .context import CaptionContext
from .environment import TemplateCache, create_environment
from .errors import CaptionTemplateError, CaptionTooLongError
from .links import add_utm
from .networks import caption_length, limit_for
from .shorten import tidy_caption

if TYPE_CHECKING:
    from ..config.routes import RouteConfig

# Errors a template can raise while rendering: Jinja's own and those of filters given bad input.
_RENDER_ERRORS = (jinja2.TemplateError, TypeError, ValueError, ArithmeticError, LookupError)


@dataclass(frozen=True)
class AccountRef:
    """A Postoria social account a route posts to, as resolved by the engine."""

    id: int
    name: str
    network: str


@dataclass
class CaptionGroup:
    """One caption and the accounts that get it: one Postoria post.

    ``lengths`` is the caption's length on each network of the group, counted the way that
    network counts.
    """

    caption: str
    accounts: list[AccountRef]
    first_comment: str | None = None
    lengths: dict[str, int] = field(default_factory=dict)


class CaptionRenderer:
    """Renders captions with one sandboxed environment and its compiled-template cache.

    Build one per process (the engine does) and reuse it: templates compile once.
    """

    def __init__(self, env: jinja2.Environment | None = None) -> None:
        self.env = env if env is not None else create_environment()
        self.templates = TemplateCache(self.env)

    def compile(self, source: str, *, route: str, name: str) -> jinja2.Template:
        """Compile ``source`` (cached); a syntax error names the route and template."""
        try:
            return self.templates.get(source)
        except jinja2.TemplateSyntaxError as exc:
            raise CaptionTemplateError(
                f"template syntax error: {exc.message}",
                route=route,
                template=name,
                line=exc.lineno,
            ) from None

    def render(
        self,
        source: str,
        variables: dict[str, Any],
        *,
        route: str,
        name: str,
        network: str | None,
    ) -> str:
        """Render ``source`` with ``variables``, fitting ``fit`` parts to ``network``'s limit."""
        template = self.compile(source, route=route, name=name)
        try:
            with fitting.collecting(network) as parts:
                rendered = template.render(variables)
            return tidy_caption(fitting.fill(tidy_caption(rendered), parts))
        except SecurityError as exc:
            message = f"the template tried something unsafe: {exc}"
            raise CaptionTemplateError(
                message, route=route, network=network, template=name
            ) from None
        except jinja2.UndefinedError as exc:
            message = f"undefined variable: {exc.message}"
            raise CaptionTemplateError(
                message, route=route, network=network, template=name
            ) from None
        except _RENDER_ERRORS as exc:
            message = f"{type(exc).__name__}: {exc}"
            raise CaptionTemplateError(
                message, route=route, network=network, template=name
            ) from None

    def link_for(
        self, route: RouteConfig, context: CaptionContext, variables: dict[str, Any]
    ) -> str:
        """The item's link with the route's UTM parameters rendered for this account."""
        if not route.utm or not context.link:
            return context.link
        values = {
            key: self.render(value, variables, route=route.name, name=f"utm.{key}", network=None)
            for key, value in route.utm.items()
        }
        return add_utm(context.link, **values)

    def render_account(
        self, route: RouteConfig, context: CaptionContext, account: AccountRef
    ) -> tuple[str, str | None]:
        """The caption and first comment for one account."""
        network = account.network
        variables = context.variables(network=network, account=account.name)
        variables["link"] = self.link_for(route, context, variables)
        name = f"templates.{network}" if network in route.templates else "template"
        caption = self.render(
            route.template_for(network), variables, route=route.name, name=name, network=network
        )
        comment = None
        if route.first_comment is not None:
            comment = self.render(
                route.first_comment,
                variables,
                route=route.name,
                name="first_comment",
                network=network,
            )
        return caption, comment

    def render_for_accounts(
        self, route: RouteConfig, item: Item, accounts: list[AccountRef], source_name: str
    ) -> list[CaptionGroup]:
        """Captions for ``accounts``, grouped by identical caption and first comment.

        Raises :class:`CaptionTooLongError` when a caption is over its network's limit even
        after fitting; the error carries the groups that did fit (``groups``) and one error
        per network that did not (``too_long``).
        """
        context = CaptionContext.from_item(item, source_name=source_name, route_name=route.name)
        groups: dict[tuple[str, str | None], CaptionGroup] = {}
        too_long: dict[str, CaptionTooLongError] = {}
        for account in accounts:
            caption, comment = self.render_account(route, context, account)
            length = caption_length(caption, account.network)
            limit = limit_for(account.network)
            if limit is not None and length > limit:
                error = too_long.setdefault(
                    account.network,
                    CaptionTooLongError(
                        network=account.network, length=length, limit=limit, route=route.name
                    ),
                )
                error.accounts.append(account)
                continue
            group = groups.setdefault((caption, comment), CaptionGroup(caption, [], comment))
            group.accounts.append(account)
            group.lengths[account.network] = length
        if too_long:
            errors = list(too_long.values())
            first = errors[0]
            first.groups = list(groups.values())
            first.too_long = errors
            raise first
        return list(groups.values())

    def compile_route(self, route: RouteConfig) -> None:
        """Compile every template of ``route``; raise on the first syntax error."""
        for name, source in route_templates(route):
            self.compile(source, route=route.name, name=name)


def _render_failure(exc: Exception) -> str:
    # SecurityError subclasses TemplateRuntimeError, so it is tested before UndefinedError.
    if isinstance(exc, SecurityError):
        return f"the template tried something unsafe: {exc}"
    if isinstance(exc, jinja2.UndefinedError):
        return f"undefined variable: {exc.message}"
    return f"{type(exc).__name__}: {exc}"


def route_templates(route: RouteConfig) -> list[tuple[str, str]]:
    """Every template of a route, named the way its config keys are."""
    found = [("template", route.template)]
    found += [(f"templates.{network}", source) for network, source in route.templates.items()]
    if route.first_comment is not None:
        found.append(("first_comment", route.first_comment))
    found += [(f"utm.{key}", source) for key, source in (route.utm or {}).items()]
    return found


@functools.cache
def default_renderer() -> CaptionRenderer:
    """A process-wide renderer, created on first use (after plugins have loaded)."""
    return CaptionRenderer()


def render_for_accounts(
    route: RouteConfig,
    item: Item,
    accounts: list[AccountRef],
    source_name: str,
    *,
    renderer: CaptionRenderer | None = None,
) -> list[CaptionGroup]:
    """See :meth:`CaptionRenderer.render_for_accounts`; uses the default renderer unless given."""
    return (renderer or default_renderer()).render_for_accounts(route, item, accounts, source_name)


def compile_route_templates(route: RouteConfig, *, renderer: CaptionRenderer | None = None) -> None:
    """Compile every template of ``route``, raising :class:`CaptionTemplateError` on errors.

    The error names the route and the template (``templates.x``) and the line within it.
    """
    (renderer or default_renderer()).compile_route(route)
