"""Run one crawl in this process: the settings a `reprints crawl` gets, progress on stderr, a summary back."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from dataclasses import dataclass, field

from scrapy import signals
from scrapy.crawler import CrawlerProcess
from scrapy.utils.project import get_project_settings
from twisted.internet import task

from crawler.jobdir import recover_jobdir
from crawler.spiders.sites import SPIDERS
from crawler.stats import error_count, stored_count

# For our own sample web on loopback: no delays, several requests per host at once.
LOOPBACK_SETTINGS = {
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
    "RETRY_TIMES": 1,
}
PROGRESS_EVERY_SECONDS = 1.0


@dataclass
class CrawlSummary:
    """What a finished crawl reports back to the command line."""

    pages: int = 0
    stored: int = 0
    new: int = 0
    updated: int = 0
    errors: int = 0
    start_failures: list[str] = field(default_factory=list)
    finish_reason: str = ""
    stats: dict = field(default_factory=dict)


def log_path_for(db_path: str) -> str:
    """The crawl log kept beside a database: `reprints.db` -> `reprints.log`."""
    path = Path(db_path)
    return str(path.with_name(path.stem + ".log"))


def crawl_settings(db_path: str, max_pages: int | None = None, min_topic_score: float = 0.0,
                   loopback: bool = False, jobdir: str | None = None, verbose: bool = False,
                   extra: dict | None = None):
    """Project settings with this run's database, limits and politeness."""
    settings = get_project_settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.set("REPRINTS_DB", db_path, priority="cmdline")
    settings.set("REPRINTS_MIN_TOPIC_SCORE", min_topic_score, priority="cmdline")
    settings.set("LOG_LEVEL", "INFO", priority="cmdline")
    if not verbose:
        # The terminal gets progress and a summary; every URL's fate goes to the log beside the database.
        settings.set("LOG_FILE", log_path_for(db_path), priority="cmdline")
    if max_pages:
        settings.set("CLOSESPIDER_PAGECOUNT", max_pages, priority="cmdline")
    if jobdir:
        if recover_jobdir(jobdir):
            print(f"{jobdir}: the last crawl there was killed; starting it over from its start URLs",
                  file=sys.stderr)
        settings.set("JOBDIR", jobdir, priority="cmdline")
    if loopback:
        settings.setdict(LOOPBACK_SETTINGS, priority="cmdline")
    settings.setdict(extra or {}, priority="cmdline")
    return settings


def run_crawl(start_urls: list[str], settings, platform: str = "auto", progress: bool = True) -> CrawlSummary:
    """Crawl the start URLs with the platform's spider; block until done; return the summary."""
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(SPIDERS[platform])
    summary = CrawlSummary()
    reporter = _Progress(crawler) if progress else None

    def collect(spider, reason):
        stats = crawler.stats.get_stats()
        summary.stats = stats
        summary.finish_reason = reason
        summary.pages = stats.get("response_received_count", 0)
        summary.new = stats.get("reprints/stored/new", 0)
        summary.updated = stats.get("reprints/stored/updated", 0)
        summary.stored = stored_count(stats)
        summary.errors = error_count(stats)
        summary.start_failures = list(getattr(spider, "start_failures", []))
        if reporter:
            reporter.stop()

    crawler.signals.connect(collect, signal=signals.spider_closed)
    if reporter:
        crawler.signals.connect(reporter.start, signal=signals.spider_opened)
    process.crawl(crawler, start_urls=list(start_urls))
    process.start()
    return summary


def progress_line(stats: dict, seconds: float) -> str:
    """The crawl's status line from its stats. Articles are counted when cleaned and again when
    stored: the store writes in batches, so a short crawl has cleaned articles before it stores any."""
    return (f"crawling: {stats.get('response_received_count', 0)} pages fetched, "
            f"{stats.get('reprints/articles_extracted', 0)} articles cleaned, {stored_count(stats)} stored, "
            f"{error_count(stats)} errors, {seconds:.0f}s")


class _Progress:
    """A status line on stderr while the crawl runs: pages fetched, articles stored, errors."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.loop = None  # made in start(): a LoopingCall touches the reactor, which must not exist yet
        self.started = time.monotonic()
        self.tty = sys.stderr.isatty()
        self.last_line = 0.0

    def start(self, spider):
        self.loop = task.LoopingCall(self.show)
        self.loop.start(PROGRESS_EVERY_SECONDS, now=False)

    def stop(self):
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        if self.tty:
            sys.stderr.write("\n")

    def show(self):
        line = progress_line(self.crawler.stats.get_stats(), time.monotonic() - self.started)
        if self.tty:
            sys.stderr.write("\r" + line)
            sys.stderr.flush()
        elif time.monotonic() - self.last_line >= 5:  # logs, not terminals: a line every 5 s
            self.last_line = time.monotonic()
            print(line, file=sys.stderr, flush=True)
