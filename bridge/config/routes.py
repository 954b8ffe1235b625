"""The ``[[routes]]`` tables: which items go to which accounts, when, and with what caption."""

from __future__ import annotations

import difflib
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from ..captions.networks import KNOWN_NETWORKS
from .matchers import ItemRule, accepts
from .rules import RuleCollector
from .types import Duration, DurationOrZero, Name, SlotTime

if TYPE_CHECKING:
    from ..sources import Item

PublishMode = Literal["publish_now", "schedule", "queue"]
MediaPolicy = Literal["required", "optional", "none"]
ContentType = Literal["text", "image", "video", "carousel", "link", "reel", "story"]
UTM_KEYS = ("source", "medium", "campaign", "term", "content")
REPOST_FREQUENCIES: tuple[str, ...] = (
    *(f"every{days}_day" for days in range(1, 61)),
    *(f"every{months}_month" for months in (1, 2, 3, 4, 6)),
    "every1_year",
)
# Names people reach for that Postoria spells differently.
_NETWORK_ALIASES = {
    "twitter": "x",
    "google": "google_business_profile",
    "gbp": "google_business_profile",
}


def check_network_name(name: str) -> str:
    """Accept any plausible network name, but catch typos of the ones we know.

    Postoria's network list is open, so an unknown name is allowed unless it looks like a
    slip (``"twiter"``, ``"linkedln"``) or an alias (``"twitter"``); those would otherwise
    be silently ignored.
    """
    if name in KNOWN_NETWORKS:
        return name
    if name in _NETWORK_ALIASES:
        raise ValueError(f"network {name!r} is called {_NETWORK_ALIASES[name]!r} in Postoria")
    candidates = sorted(KNOWN_NETWORKS | set(_NETWORK_ALIASES))
    close = difflib.get_close_matches(name.lower(), candidates, n=1, cutoff=0.75)
    if close:
        meant = _NETWORK_ALIASES.get(close[0], close[0])
        raise ValueError(f"unknown network {name!r}: did you mean {meant!r}?")
    if not name or not name.replace("_", "").isalnum() or name != name.lower():
        raise ValueError(f"{name!r} is not a network name (like 'linkedin' or 'x')")
    return name


def _check_account(selector: str) -> str:
    selector = selector.strip()
    if not selector:
        raise ValueError("an account selector is empty")
    if selector.startswith("network:"):
        check_network_name(selector.removeprefix("network:").strip())
    return selector


def _check_rule(text: str) -> str:
    ItemRule.compile(text)
    return text


def _check_utm(utm: dict[str, str] | None) -> dict[str, str] | None:
    if utm is None:
        return None
    unknown = sorted(set(utm) - set(UTM_KEYS))
    if unknown:
        raise ValueError(f"unknown UTM parameter {unknown[0]!r}; use {', '.join(UTM_KEYS)}")
    return utm


def _check_templates(templates: dict[str, str]) -> dict[str, str]:
    for network in templates:
        check_network_name(network)
    return templates


AccountSelector = Annotated[str, AfterValidator(_check_account)]
Rule = Annotated[str, AfterValidator(_check_rule)]


class RepostConfig(BaseModel):
    """Postoria's repeat-posting option: ``repost = { frequency = "every7_day", until = … }``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    frequency: Literal[REPOST_FREQUENCIES] = Field(  # type: ignore[valid-type]
        description="How often Postoria posts it again: every1_day … every60_day, "
        "every1_month, every2_month, every3_month, every4_month, every6_month, every1_year."
    )
    until: date | datetime | None = Field(
        default=None, description="The last day (or time, UTC) to repost; open-ended when unset."
    )


class RouteConfig(BaseModel):
    """One ``[[routes]]`` table: items of some sources → a workspace's accounts, with a caption.

    The publishing mode decides which timing keys apply: ``schedule`` takes exactly one of
    ``slots`` and ``delay``, ``queue`` takes ``queue``, ``publish_now`` takes none of them.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Name = Field(description="Unique route name, shown in logs and the dashboard.")
    sources: list[str] = Field(
        min_length=1, description="Names of the sources whose items take this route."
    )
    workspace: str = Field(min_length=1, description="Postoria workspace: its name or ID.")
    accounts: list[AccountSelector] = Field(
        min_length=1,
        description='Social accounts: IDs, names, or "network:NAME" for every account of a '
        "network in the workspace.",
    )
    mode: PublishMode = Field(description='"publish_now", "schedule" or "queue".')
    slots: list[SlotTime] = Field(
        default=[], description='schedule: times of day ("HH:MM") in the workspace time zone.'
    )
    delay: DurationOrZero | None = Field(
        default=None, description="schedule: post this long after the item appears."
    )
    queue: str | None = Field(default=None, description="queue: the queue's name or ID.")
    max_per_day: int | None = Field(default=None, ge=1, description="Posts per account per day.")
    max_per_source_per_day: int | None = Field(
        default=None, ge=1, description="Posts per source per day on this route."
    )
    min_spacing: Duration | None = Field(
        default=None, description="Least time between two posts of this route on an account."
    )
    media: MediaPolicy = Field(
        default="optional",
        description='"required" (skip items without usable media), "optional" or "none".',
    )
    approval: bool = Field(
        default=False, description="Hold each post in the dashboard until someone approves it."
    )
    include: list[Rule] = Field(
        default=[],
        description='Only items matching one of these: "category:NAME", "tag:NAME", '
        '"author:NAME", "title:TEXT" or a regular expression.',
    )
    exclude: list[Rule] = Field(default=[], description="Skip items matching any of these.")
    utm: Annotated[dict[str, str] | None, AfterValidator(_check_utm)] = Field(
        default=None,
        description="UTM parameters added to the link; values are small templates "
        '(medium = "{{ network }}").',
    )
    template: str = Field(description="The caption template (Jinja2, sandboxed).")
    templates: Annotated[dict[str, str], AfterValidator(_check_templates)] = Field(
        default={}, description="Per-network overrides of template, keyed by network name."
    )
    first_comment: str | None = Field(
        default=None, description="A template for a first comment posted under the post."
    )
    comment_delay: int | None = Field(
        default=None, ge=0, description="Minutes between the post and its first comment."
    )
    link: bool = Field(default=False, description="Send the item's link as the post's link_url.")
    repost: RepostConfig | None = Field(default=None, description="Postoria's repost option.")
    youtube: dict[str, Any] | None = Field(
        default=None, description="YouTube options passed to Postoria (title, visibility…)."
    )
    tiktok: dict[str, Any] | None = Field(
        default=None, description="TikTok options passed to Postoria (who_can_watch…)."
    )
    content_type: ContentType | None = Field(
        default=None, description="Postoria content type; inferred by Postoria when unset."
    )

    _include_rules: tuple[ItemRule, ...] = PrivateAttr(default=())
    _exclude_rules: tuple[ItemRule, ...] = PrivateAttr(default=())

    @model_validator(mode="after")
    def _check_timing(self) -> RouteConfig:
        rules = RuleCollector()
        timing = {"slots": bool(self.slots), "delay": self.delay is not None}
        if self.mode == "schedule":
            if all(timing.values()):
                rules.add(("delay",), "schedule takes either slots or delay, not both")
            elif not any(timing.values()):
                rules.add(("mode",), "schedule needs slots (times of day) or a delay")
        else:
            for key, present in timing.items():
                if present:
                    rules.add((key,), f'{key} only applies to mode = "schedule"')
        if self.mode == "queue" and not self.queue:
            rules.add(("mode",), "queue mode needs queue = the queue's name or ID")
        if self.mode != "queue" and self.queue is not None:
            rules.add(("queue",), 'queue only applies to mode = "queue"')
        if len(set(self.slots)) != len(self.slots):
            rules.add(("slots",), "a time appears twice")
        if self.comment_delay is not None and self.first_comment is None:
            rules.add(("comment_delay",), "comment_delay needs a first_comment")
        rules.raise_if_any()
        self._include_rules = tuple(ItemRule.compile(text) for text in self.include)
        self._exclude_rules = tuple(ItemRule.compile(text) for text in self.exclude)
        return self

    @property
    def include_rules(self) -> tuple[ItemRule, ...]:
        """The compiled ``include`` rules."""
        return self._include_rules

    @property
    def exclude_rules(self) -> tuple[ItemRule, ...]:
        """The compiled ``exclude`` rules."""
        return self._exclude_rules

    def accepts(self, item: Item) -> bool:
        """Whether ``item`` passes this route's include and exclude rules."""
        return accepts(item, self._include_rules, self._exclude_rules)

    def template_for(self, network: str) -> str:
        """The caption template for ``network``: its override, or the route's template."""
        return self.templates.get(network, self.template)

    @property
    def sorted_slots(self) -> list[time]:
        """Schedule slots in time-of-day order."""
        return sorted(self.slots)

    @property
    def comment_delay_time(self) -> timedelta | None:
        """``comment_delay`` as a duration."""
        return None if self.comment_delay is None else timedelta(minutes=self.comment_delay)
