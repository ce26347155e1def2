"""Thin item pipelines: each calls one pure function in pipeline/ and counts what it did."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor

from scrapy import signals
from scrapy.exceptions import DropItem
from twisted.internet import task

from crawler.stats import error_count
from pipeline.model import ExtractError
from pipeline.process import process_page
from pipeline.processes import process_alive
from pipeline.store import finish_crawl, open_db, save_articles, start_crawl

logger = logging.getLogger(__name__)


def process_in_worker(html, url, platform, comment_pages):
    """process_page in a worker process: the article or the error, and each stage's CPU seconds."""
    timings: dict[str, float] = {}
    try:
        return process_page(html, url, platform, comment_pages, timings), None, timings
    except ExtractError as exc:
        return None, ("not_article", str(exc)), timings
    except Exception as exc:  # a page must never take the crawl down: count it, name it, go on
        return None, ("process_error", f"{type(exc).__name__}: {exc}"), timings


# How often a pool worker checks that the crawl that started it is still alive.
ORPHAN_CHECK_SECONDS = 2.0


def exit_with_crawl(crawl_pid: int) -> None:
    """Pool worker initializer: end this worker when the crawl process is gone.

    A pool worker holds both ends of its task pipe, so a crawl killed with SIGKILL would leave
    it (and the forkserver, which lives while any worker does) waiting forever.
    """
    def watch():
        while process_alive(crawl_pid):
            time.sleep(ORPHAN_CHECK_SECONDS)
        os._exit(0)

    threading.Thread(target=watch, name="orphan-watch", daemon=True).start()


class ProcessPipeline:
    """PostPage -> cleaned, scored Article (pipeline.process.process_page).

    The work is CPU-bound and Scrapy runs on one thread, so it goes to a process pool
    (REPRINTS_PROCESS_WORKERS, default: one per spare core) and the reactor keeps crawling.
    Scrapy's scraper slot limits bound how many pages wait, so memory stays bounded.
    """

    def __init__(self, crawler):
        self.stats = crawler.stats
        configured = crawler.settings.get("REPRINTS_PROCESS_WORKERS")
        self.workers = int(configured) if configured not in (None, "") else max(1, (os.cpu_count() or 2) - 1)
        self.pool = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self):
        if self.workers > 0:
            # forkserver, not fork: the crawl process has threads (the sample web, the reactor's pool).
            self.pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("forkserver"),
                                            initializer=exit_with_crawl, initargs=(os.getpid(),))

    def close_spider(self):
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)

    async def process_item(self, item):
        args = (item.html, item.url, item.platform, item.comment_pages)
        if self.pool is None:
            article, error, timings = process_in_worker(*args)
        else:
            article, error, timings = await asyncio.wrap_future(self.pool.submit(process_in_worker, *args))
        for stage, seconds in timings.items():
            self.stats.inc_value(f"reprints/cpu_seconds/{stage}", seconds)
        if error:
            kind, reason = error
            key = f"reprints/not_article/{_slug(reason)}" if kind == "not_article" else "reprints/errors/process_error"
            self.stats.inc_value(key)
            level = "INFO" if kind == "not_article" else "WARNING"
            raise DropItem(f"{item.url}: {'not an article' if kind == 'not_article' else 'failed'} ({reason})",
                           log_level=level)
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
    and a timer writes what waits every REPRINTS_STORE_SECONDS even when no further page comes (a
    crawl's slow tail of retries), so a killed crawl loses at most a few seconds of pages (which a
    re-crawl fetches again).
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
        self.timer = None  # made in open_spider(): a LoopingCall touches the reactor

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
        self.timer = task.LoopingCall(self.flush)
        self.timer.start(self.max_wait, now=False).addErrback(self._timer_failed)

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

    def _timer_failed(self, failure):
        # The articles stay pending: the next page, or the close, writes them (or reports why not).
        logger.error("writing the pending articles failed: %s", failure.getErrorMessage())

    def close_spider(self):
        if self.timer is not None and self.timer.running:
            self.timer.stop()
        self.flush()

    def spider_closed(self, spider, reason):
        if self.db is None:
            return
        stats = self.stats.get_stats()
        errors = error_count(stats)
        pages = stats.get("response_received_count", 0)
        status = "finished" if reason == "finished" else str(reason)
        finish_crawl(self.db, self.crawl_id, status, {**self.counts, "pages": pages, "errors": errors}, stats)
        self.db.close()
        self.db = None


def _slug(text: str) -> str:
    """A short stats key from an error reason: 'anti-bot page (captcha)' -> 'anti-bot_page'."""
    words = text.split("(")[0].strip().lower().replace("/", " ").split()
    return "_".join(words[:4]) or "unknown"
