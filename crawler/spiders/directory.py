"""Article directories (EzineArticles, a1articles style): category listings, pagination, author pages, articles."""

from __future__ import annotations

import re
from urllib.parse import urljoin

from pipeline.feeds import FeedError, parse_links

# Links a directory crawl never follows: accounts, submission forms, search, feeds, print views.
SKIP_RE = re.compile(r"(login|logout|register|signup|submit|/members/|/search|\?q=|/print/|\.(rss|xml|pdf|jpg|png|gif)$)",
                     re.I)
# Article URLs of the directory families we know: EzineArticles (?Title&id=N), a1articles
# (article_N_80.html), and the common /articles/slug.html. Other pages are only walked for links.
ARTICLE_URL_PATTERNS = (
    re.compile(r"[?&]id=\d{5,}"),
    re.compile(r"/article_\d+_\d+\.html$"),
    re.compile(r"/articles?/[^/?#]+\.(?:html?|php|aspx?)$"),
    re.compile(r"/articles?/\d+/[^/?#]+/?$"),
)


def is_article_url(url: str) -> bool:
    """True when a directory URL has the shape of an article page."""
    return any(pattern.search(url) for pattern in ARTICLE_URL_PATTERNS)


class DirectoryNavigation:
    """Mixin: how to walk an article directory."""

    def navigate_directory(self, response):
        """Its sitemap (named in robots.txt or at /sitemap.xml), then every page it links to."""
        yield self.request(urljoin(response.url, "/sitemap.xml"), self.parse_directory_sitemap,
                           meta={"handle_httpstatus_list": [404]})
        yield from self.parse_directory_page(response)

    def parse_directory_sitemap(self, response):
        """A directory's sitemap: articles to extraction, every other page walked for links."""
        if response.status == 404:
            return
        try:
            links = parse_links(response.body, response.url)
        except FeedError as exc:
            self.count_error(response.url, "bad_sitemap")
            self.logger.warning("Bad sitemap %s: %s", response.url, exc)
            return
        for entry in links.entries:
            if links.kind == "sitemapindex":
                yield self.request(entry.url, self.parse_directory_sitemap)
            elif is_article_url(entry.url):
                yield self.post_request(entry.url, "directory")
            else:
                yield self.request(entry.url, self.parse_directory_page)

    def parse_directory_page(self, response):
        """An article page goes to extraction; every page's links are followed."""
        if is_article_url(response.url):
            yield from self.parse_post(response, "directory")
        for url in self.same_site_links(response):
            if not SKIP_RE.search(url):
                yield self.request(url, self.parse_directory_page)
