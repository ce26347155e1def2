"""Unknown layouts, feeds and sitemaps: platform detection and the generic fallback."""

from __future__ import annotations

from scrapy.http import TextResponse

from pipeline.extract import detect_platform

XML_TYPES = (b"application/rss+xml", b"application/atom+xml", b"application/xml", b"text/xml")


class GenericNavigation:
    """Mixin: detection, feeds, sitemaps, and link following for anything else."""

    def navigate_auto(self, response):
        """Detect the platform of a start page (or recognise a feed or sitemap) and navigate it."""
        platform = detect_kind(response)
        self.crawler.stats.inc_value(f"reprints/detected/{platform}")
        self.logger.info("Detected %s at %s", platform, response.url)
        yield from self.navigate(response, platform)

    def navigate_feed(self, response):
        """A feed URL: every entry it lists, page after page."""
        yield from self.parse_feed(response)

    def navigate_sitemap(self, response):
        """A sitemap or sitemap index: every page it lists."""
        yield from self.parse_feed(response)

    def navigate_generic(self, response):
        """An unknown site: the page itself, then every same-site link (within DEPTH_LIMIT)."""
        yield from self.parse_post(response, None)
        for url in self.same_site_links(response):
            yield self.request(url, self.navigate_generic)


def detect_kind(response) -> str:
    """'feed', 'sitemap', or the platform of an HTML page."""
    content_type = response.headers.get(b"Content-Type", b"").split(b";")[0].strip().lower()
    head = response.body[:2048].lstrip().lower()
    if content_type in XML_TYPES or head.startswith(b"<?xml") or head.startswith((b"<rss", b"<feed")):
        return "sitemap" if (b"<urlset" in head or b"<sitemapindex" in head) else "feed"
    if not isinstance(response, TextResponse):
        return "generic"
    return detect_platform(response.text, response.url)
