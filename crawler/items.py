"""What a spider hands to the item pipelines: a fetched post page, not yet parsed."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class PostPage:
    """A post page and any further pages of its comments, as fetched."""

    url: str
    platform: str | None  # None: detect from the page
    html: bytes
    comment_pages: list[tuple[str, bytes]] = field(default_factory=list)
