"""Article directories (EzineArticles, a1articles style): category listings, pagination, author pages, articles."""

from __future__ import annotations

import re
from urllib.parse import urljoin

# Links a directory crawl never follows: accounts, submission forms, search, feeds, print views.
SKIP_RE = re.compile(r"(login|logout|register|signup|submit|/members/|/search|\?q=|/print/|\.(rss|xml|pdf|jpg|png|gif)$)",
                     re.I)


class DirectoryNavigation:
    """Mixin: how to walk an article directory."""

    def navigate_directory(self, response):
        """Its sitemap (named in robots.txt or at /sitemap.xml), then every page it links to."""
        yield self.feed_request(urljoin(response.url, "/sitemap.xml"), None)
        yield from self.parse_directory_page(response)

    def parse_directory_page(self, response):
        """Any directory page goes to extraction (which turns listings away); its links are followed."""
        yield from self.parse_post(response, "directory")
        for url in self.same_site_links(response):
            if not SKIP_RE.search(url):
                yield self.request(url, self.parse_directory_page)
