"""Adding UTM parameters to links without breaking them.

The link's own query and fragment are kept byte for byte, and a ``utm_*`` parameter the link
already carries wins over ours: the site owner tagged it on purpose.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

UTM_PARAMETERS = ("source", "medium", "campaign", "term", "content")


def add_utm(url: str, **values: str | None) -> str:
    """``url`` with ``utm_<name>=value`` added for each non-empty value not already present."""
    unknown = set(values) - set(UTM_PARAMETERS)
    if unknown:
        raise ValueError(f"unknown UTM parameter {sorted(unknown)[0]!r}")
    if not url:
        return url
    parts = urlsplit(url)
    present = {name for name, _ in parse_qsl(parts.query, keep_blank_values=True)}
    added = [
        (f"utm_{name}", str(values[name]))
        for name in UTM_PARAMETERS
        if values.get(name) not in (None, "") and f"utm_{name}" not in present
    ]
    if not added:
        return url
    query = "&".join(part for part in (parts.query, urlencode(added)) if part)
    return urlunsplit(parts._replace(query=query))
