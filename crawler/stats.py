"""Figures read off a crawl's Scrapy stats, the same way wherever they are shown."""

from __future__ import annotations

ERROR_PREFIX = "reprints/errors/"  # every failed or unusable URL is counted once under its reason
STORED_STATUSES = ("new", "updated", "unchanged")


def error_count(stats: dict) -> int:
    """Failed or unusable URLs, all reasons together."""
    return sum(v for k, v in stats.items() if k.startswith(ERROR_PREFIX) and isinstance(v, int))


def stored_count(stats: dict) -> int:
    """Articles written (new, updated or unchanged)."""
    return sum(stats.get(f"reprints/stored/{status}", 0) for status in STORED_STATUSES)
