"""What each social network accepts: caption lengths, required media, and post URLs.

These mimic the networks' real rules closely enough that a post can fail on one account and
succeed on the others, the way Postoria reports it. The rules run per account when a post is
published; the failure text becomes that account's ``error`` in the post's results.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Callable, Sequence

import regex

NETWORKS = (
    "facebook",
    "instagram",
    "linkedin",
    "google_business_profile",
    "threads",
    "x",
    "pinterest",
    "youtube",
    "tiktok",
    "telegram",
    "bluesky",
    "reddit",
    "tumblr",
)
"""The networks of the contract (an open set for clients; the sandbox seeds these)."""

X_URL_WEIGHT = 23
_URL = regex.compile(r"https?://[^\s]+", regex.IGNORECASE)
_GRAPHEME = regex.compile(r"\X")
# twitter-text v3: code points in these ranges weigh 1, everything else 2.
_LIGHT_RANGES = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))


def x_weighted_length(text: str) -> int:
    """Length of ``text`` as X counts it: URLs are 23, CJK and emoji count double."""
    text = unicodedata.normalize("NFC", text)
    total = 0
    position = 0
    for match in _URL.finditer(text):
        total += _weigh(text[position : match.start()]) + X_URL_WEIGHT
        position = match.end()
    return total + _weigh(text[position:])


def _weigh(text: str) -> int:
    total = 0
    for grapheme in _GRAPHEME.findall(text):
        if len(grapheme) > 1 and any(_is_emoji_part(c) for c in grapheme):
            total += 2  # an emoji sequence (ZWJ, skin tone, flag) counts as one emoji
        else:
            total += sum(_char_weight(c) for c in grapheme)
    return total


def _char_weight(char: str) -> int:
    point = ord(char)
    return 1 if any(low <= point <= high for low, high in _LIGHT_RANGES) else 2


def _is_emoji_part(char: str) -> bool:
    point = ord(char)
    return point >= 0x1F000 or point in (0x200D, 0xFE0F) or 0x2600 <= point <= 0x27BF


def grapheme_length(text: str) -> int:
    """User-perceived characters (Bluesky counts these)."""
    return len(_GRAPHEME.findall(text))


def code_point_length(text: str) -> int:
    """Unicode code points (most networks count these)."""
    return len(text)


CAPTION_LIMITS: dict[str, tuple[int, Callable[[str], int]]] = {
    "x": (280, x_weighted_length),
    "bluesky": (300, grapheme_length),
    "threads": (500, code_point_length),
    "instagram": (2200, code_point_length),
    "tiktok": (2200, code_point_length),
    "linkedin": (3000, code_point_length),
    "facebook": (63206, code_point_length),
    "pinterest": (500, code_point_length),
    "google_business_profile": (1500, code_point_length),
    "telegram": (4096, code_point_length),
    "reddit": (40000, code_point_length),
    "tumblr": (4096, code_point_length),
    "youtube": (5000, code_point_length),
}

_DISPLAY = {
    "x": "X",
    "linkedin": "LinkedIn",
    "tiktok": "TikTok",
    "youtube": "YouTube",
    "google_business_profile": "Google Business Profile",
}


def display_name(network: str) -> str:
    """The network's name as people write it."""
    return _DISPLAY.get(network, network.capitalize())


def publish_error(network: str, caption: str, media_kinds: Sequence[str]) -> str | None:
    """Why ``network`` would refuse this post, or ``None`` if it would take it.

    ``media_kinds`` are the kinds of the post's media in order: ``image``, ``video`` or
    ``document``.
    """
    name = display_name(network)
    visual = [k for k in media_kinds if k in ("image", "video")]
    if network in ("instagram", "tiktok") and not visual:
        return f"{name} requires at least one image or video."
    if network == "youtube" and "video" not in media_kinds:
        return "YouTube requires a video."
    if network == "pinterest" and "image" not in media_kinds:
        return "Pinterest requires an image."
    limit, measure = CAPTION_LIMITS.get(network, (0, code_point_length))
    if limit:
        length = measure(caption)
        if length > limit:
            return f"The caption is too long for {name}: {length} characters, the limit is {limit}."
    return None


def account_url(network: str, handle: str) -> str:
    """The public profile URL of an account."""
    return {
        "facebook": f"https://www.facebook.com/{handle}",
        "instagram": f"https://www.instagram.com/{handle}/",
        "linkedin": f"https://www.linkedin.com/company/{handle}/",
        "google_business_profile": f"https://business.google.com/locations/{handle}",
        "threads": f"https://www.threads.net/@{handle}",
        "x": f"https://x.com/{handle}",
        "pinterest": f"https://www.pinterest.com/{handle}/",
        "youtube": f"https://www.youtube.com/@{handle}",
        "tiktok": f"https://www.tiktok.com/@{handle}",
        "telegram": f"https://t.me/{handle}",
        "bluesky": f"https://bsky.app/profile/{handle}",
        "reddit": f"https://www.reddit.com/user/{handle}/",
        "tumblr": f"https://{handle}.tumblr.com/",
    }.get(network, f"https://{network}.example/{handle}")


def post_url(network: str, handle: str, post_id: int, account_id: int) -> str:
    """A plausible URL of the published post on the network (stable for a post and account)."""
    digest = hashlib.sha256(f"{post_id}:{account_id}".encode()).hexdigest()
    number = str(int(digest[:15], 16))
    code = digest[:11]
    return {
        "facebook": f"https://www.facebook.com/{handle}/posts/{number}",
        "instagram": f"https://www.instagram.com/p/{code}/",
        "linkedin": f"https://www.linkedin.com/feed/update/urn:li:share:{number}/",
        "google_business_profile": f"https://business.google.com/posts/{handle}/{number}",
        "threads": f"https://www.threads.net/@{handle}/post/{code}",
        "x": f"https://x.com/{handle}/status/{number}",
        "pinterest": f"https://www.pinterest.com/pin/{number}/",
        "youtube": f"https://www.youtube.com/watch?v={code}",
        "tiktok": f"https://www.tiktok.com/@{handle}/video/{number}",
        "telegram": f"https://t.me/{handle}/{int(digest[:5], 16)}",
        "bluesky": f"https://bsky.app/profile/{handle}/post/3{code[:12]}",
        "reddit": f"https://www.reddit.com/user/{handle}/comments/{code[:7]}/",
        "tumblr": f"https://{handle}.tumblr.com/post/{number}",
    }.get(network, f"https://{network}.example/{handle}/{number}")
