"""The null spider: the `auto` spider's crawl with nothing done to what it finds (a throughput ceiling).

Why a subclass with no item pipelines, rather than a spider of its own:

- It must follow exactly the links the `auto` spider follows. Inheriting every callback
  (detection, each platform's navigation, feeds, sitemaps, WordPress comment pages) guarantees
  that, now and after any change to the navigation; a hand-written link follower would drift.
- It must cost what the `auto` spider costs up to the item pipelines: it still builds every
  `PostPage` (decoding the page, fetching its further comment pages) and Scrapy still passes the
  items through its scraper. Overriding `parse_post` to yield nothing would skip that work and
  the comment pages, and so measure a different crawl.
- Everything else is the `auto` crawl's: same settings (the caller gives the same ones), same
  downloader middlewares (robots.txt, redirects, compression, the WARC archive). The one
  difference, ITEM_PIPELINES = {}, drops each item where extraction, cleaning, scoring and the
  SQLite writes would start.

Scrapy lists it as `null` (`scrapy list`); `pipeline.benchmarks.throughput` runs it.
"""

from __future__ import annotations

from crawler.spiders.sites import Spider


class NullSpider(Spider):
    """The `auto` spider with its items dropped: fetch and follow, nothing else."""

    name = "null"
    # Spider priority beats the project's ITEM_PIPELINES; a command-line setting would still win.
    custom_settings = {"ITEM_PIPELINES": {}}
