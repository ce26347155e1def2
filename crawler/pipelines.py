"""Thin item pipelines: each calls one pure function in pipeline/ and counts what it did."""

from __future__ import annotations

import logging
import time

from scrapy import signals
from scrapy.exceptions import DropItem

from pipeline.model import ExtractError
from pipeline.process import process_page
from pipeline.store import finish_crawl, open_db, save_articles, start_crawl

logger = logging.getLogger(__name__)


class ProcessPipeline:
    """PostPage -> cleaned, scored Article (pipeline.process.process_page)."""

    def __init__(self, crawler):
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item):
        try:
            article = process_page(item.html, item.url, item.platform, item.comment_pages)
        except ExtractError as exc:
            self.stats.inc_value(f"reprints/not_article/{_slug(str(exc))}")
            raise DropItem(f"{item.url}: not an article ({exc})", log_level="INFO") from None
        article.page_urls = [item.url] + [url for url, _ in item.comment_pages]
        self.stats.inc_value("reprints/articles_extracted")
        return article


class TopicFilterPipeline:
    """Drop articles under `--min-topic-score` (0 by default: everything is kept)."""

    def __init__(self, crawler):
        self.stats = crawler.stats
        self.min_score = crawler.settings.getfloat("REPRINTS_MIN_TOPIC_SCORE")

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, article):
        if article.topic_score < self.min_score:
            self.stats.inc_value("reprints/off_topic")
            raise DropItem(f"{article.url}: topic score {article.topic_score} < {self.min_score}",
                           log_level="INFO")
        return article


class StorePipeline:
    """Upsert articles into the SQLite corpus in batches and record the crawl in `crawls`.

    A batch is written when it is full or REPRINTS_STORE_SECONDS have passed since the last write,
    so a killed crawl loses at most a few seconds of pages (which a re-crawl fetches again).
    """

    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.db_path = crawler.settings.get("REPRINTS_DB")
        self.batch_size = crawler.settings.getint("REPRINTS_STORE_BATCH")
        self.max_wait = crawler.settings.getfloat("REPRINTS_STORE_SECONDS", 2.0)
        self.counts = {"new": 0, "updated": 0}
        self.pending = []
        self.last_write = time.monotonic()
        self.db = None
        self.crawl_id = None

    @classmethod
    def from_crawler(cls, crawler):
        pipeline = cls(crawler)
        # spider_closed, not close_spider: only the signal carries the finish reason.
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self):
        self.db = open_db(self.db_path)
        spider = self.crawler.spider
        self.crawl_id = start_crawl(self.db, spider.name, list(getattr(spider, "start_urls", [])))

    def process_item(self, article):
        self.pending.append(article)
        if len(self.pending) >= self.batch_size or time.monotonic() - self.last_write >= self.max_wait:
            self.flush()
        return article

    def flush(self):
        """Write the pending articles in one transaction, then note them in the archive."""
        if not self.pending:
            return
        statuses = save_articles(self.db, self.pending, self.crawl_id)
        archive = getattr(self.crawler, "reprints_archive", None)
        for article, status in zip(self.pending, statuses):
            self.stats.inc_value(f"reprints/stored/{status}")
            if status in self.counts:
                self.counts[status] += 1
            if archive is not None:
                archive.write_item(article.url, article.platform, getattr(article, "page_urls", [article.url]))
        self.pending = []
        self.last_write = time.monotonic()

    def close_spider(self):
        self.flush()

    def spider_closed(self, spider, reason):
        if self.db is None:
            return
        stats = self.stats.get_stats()
        errors = sum(v for k, v in stats.items()
                     if k.startswith(("reprints/errors/", "httperror/response_ignored_status_count/"))
                     and isinstance(v, int))
        pages = stats.get("response_received_count", 0)
        status = "finished" if reason == "finished" else str(reason)
        finish_crawl(self.db, self.crawl_id, status, {**self.counts, "pages": pages, "errors": errors}, stats)
        self.db.close()
        self.db = None


def _slug(text: str) -> str:
    """A short stats key from an error reason: 'anti-bot page (captcha)' -> 'anti-bot_page'."""
    words = text.split("(")[0].strip().lower().replace("/", " ").split()
    return "_".join(words[:4]) or "unknown"
