"""Crash-safe JOBDIR: resume after a clean stop, start over (cheaply) after a killed one.

Scrapy saves its request queue's state (queuelib's info.json, the scheduler's active.json)
only when a crawl closes. After `kill -9` the queue files on disk no longer describe the
queue, while `requests.seen` still lists every request ever scheduled, so a plain resume
crawls nothing and loses every page that was queued. This extension marks a JOBDIR as
running while a crawl uses it; finding the mark at start means the last crawl was killed,
and the queue, the seen-set and the spider state are cleared so the crawl starts over from
its start URLs. Nothing is lost (every page is fetched again) and nothing is duplicated
(articles are upserts on stable keys); conditional requests keep the repeat cheap.
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

from scrapy import signals

logger = logging.getLogger(__name__)

RUNNING_MARK = "reprints-running.pid"
# What a killed crawl leaves inconsistent: Scrapy's queue, duplicate filter and spider state.
QUEUE_STATE = ("requests.queue", "requests.seen", "spider.state")


def recover_jobdir(jobdir: str | os.PathLike) -> bool:
    """Clear a JOBDIR left by a killed crawl; return True when it was one."""
    folder = Path(jobdir)
    mark = folder / RUNNING_MARK
    if not mark.exists():
        return False
    for name in QUEUE_STATE:
        path = folder / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
    mark.unlink()
    return True


class CrashSafeJobdir:
    """Marks the JOBDIR while a crawl runs; the mark is removed only by a clean close."""

    def __init__(self, jobdir: str):
        self.mark = Path(jobdir) / RUNNING_MARK

    @classmethod
    def from_crawler(cls, crawler):
        jobdir = crawler.settings.get("JOBDIR")
        if not jobdir:
            from scrapy.exceptions import NotConfigured

            raise NotConfigured("no JOBDIR")
        extension = cls(jobdir)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider):
        self.mark.parent.mkdir(parents=True, exist_ok=True)
        self.mark.write_text(str(os.getpid()))

    def spider_closed(self, spider, reason):
        self.mark.unlink(missing_ok=True)
