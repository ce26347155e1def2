"""The spiders Scrapy sees: one class, with every platform's navigation, per starting platform."""

from __future__ import annotations

from crawler.spiders.base import ReprintsSpider
from crawler.spiders.blogger import BloggerNavigation
from crawler.spiders.directory import DirectoryNavigation
from crawler.spiders.generic import GenericNavigation
from crawler.spiders.wordpress import WordPressNavigation


class Spider(ReprintsSpider, BloggerNavigation, WordPressNavigation, DirectoryNavigation, GenericNavigation):
    """Detects each start page's platform, then navigates it (`reprints crawl --platform auto`)."""

    name = "auto"
    platform = "auto"


class BloggerSpider(Spider):
    """Every post of a Blogger blog: feed, archives, post pages (classic, Layouts, current themes)."""

    name = "blogger"
    platform = "blogger"


class WordPressSpider(Spider):
    """Every post of a WordPress blog with every page of its comments."""

    name = "wordpress"
    platform = "wordpress"


class DirectorySpider(Spider):
    """Every article of an article directory: categories, pagination, authors, sitemap."""

    name = "directory"
    platform = "directory"


class FeedSpider(Spider):
    """Every entry of an RSS or Atom feed, following its paging."""

    name = "feed"
    platform = "feed"


class SitemapSpider(Spider):
    """Every page of a sitemap or sitemap index."""

    name = "sitemap"
    platform = "sitemap"


class GenericSpider(Spider):
    """Any site: every same-site page, extracted with the generic fallback."""

    name = "generic"
    platform = "generic"


SPIDERS = {cls.platform: cls for cls in (Spider, BloggerSpider, WordPressSpider, DirectorySpider, FeedSpider,
                                         SitemapSpider, GenericSpider)}
