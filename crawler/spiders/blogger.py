"""Blogger: the Atom feed paged by start-index, legacy /atom.xml and /rss.xml, archive pages, post pages."""

from __future__ import annotations

import re
from urllib.parse import urljoin

# Permalinks /YYYY/MM/slug.html (a query on a permalink, ?showComment=..., is the same post).
POST_RE = re.compile(r"/\d{4}/\d{2}/[^/?#]+\.html$")
FEED_PATHS = ("/feeds/posts/default?start-index=1&max-results=25", "/atom.xml", "/rss.xml")


class BloggerNavigation:
    """Mixin: how to find every post of a Blogger blog."""

    def navigate_blogger(self, response):
        """From any Blogger page: its feed (with the legacy feeds as fallbacks), then a walk of the blog."""
        feeds = [urljoin(response.url, path) for path in FEED_PATHS]
        yield self.feed_request(feeds[0], "blogger", feeds[1:])
        yield from self.parse_blogger_page(response)

    def parse_blogger_page(self, response):
        """A post goes to extraction; archive, label and other pages are walked for more."""
        if is_blogger_post(response.url.split("?")[0]):
            yield from self.parse_post(response, "blogger")
        yield from self.walk(response, "blogger", self.parse_blogger_page, is_blogger_post)


def is_blogger_post(url: str) -> bool:
    """True for a Blogger permalink without a query."""
    return "?" not in url and POST_RE.search(url) is not None
