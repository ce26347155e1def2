"""Blogger: the Atom feed paged by start-index, legacy /atom.xml and /rss.xml, archive pages, post pages."""

from __future__ import annotations

import re
from urllib.parse import urljoin

# Permalinks /YYYY/MM/slug.html; archives /YYYY_MM_DD_archive.html, /YYYY/MM/, /search?updated-max=...
POST_RE = re.compile(r"/\d{4}/\d{2}/[^/?#]+\.html$")
ARCHIVE_RE = re.compile(r"(_archive\.html$|/\d{4}/(\d{2}/)?$|/search\?updated-max=|/search/label/)")
FEED_PATHS = ("/feeds/posts/default?start-index=1&max-results=25", "/atom.xml", "/rss.xml")


class BloggerNavigation:
    """Mixin: how to find every post of a Blogger blog."""

    def navigate_blogger(self, response):
        """From any Blogger page: its feed (with fallbacks), its archive pages and its post links."""
        if POST_RE.search(response.url.split("?")[0]):
            yield from self.parse_post(response, "blogger")
        feeds = [urljoin(response.url, path) for path in FEED_PATHS]
        yield self.feed_request(feeds[0], "blogger", feeds[1:])
        yield from self.parse_blogger_listing(response)

    def parse_blogger_listing(self, response):
        """Post links and further archive pages on a Blogger page."""
        for url in self.same_site_links(response, POST_RE):
            yield self.post_request(url, "blogger")
        for url in self.same_site_links(response, ARCHIVE_RE):
            yield self.request(url, self.parse_blogger_listing)
