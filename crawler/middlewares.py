"""Downloader middlewares: refuse schemes we never follow, archive every response."""

from __future__ import annotations

import logging

from scrapy.exceptions import IgnoreRequest

from pipeline.archive import Archive, archive_path_for

logger = logging.getLogger(__name__)

FOLLOWED_SCHEMES = ("http", "https")


class SchemeFilterMiddleware:
    """Only http and https leave the crawler: file://, data:, ftp: and the rest are refused."""

    def __init__(self, stats):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats)

    def process_request(self, request):
        scheme = request.url.split(":", 1)[0].lower()
        if scheme not in FOLLOWED_SCHEMES:
            self.stats.inc_value("reprints/errors/refused_scheme")
            logger.warning("Refused %s: scheme %r is not followed", request.url, scheme)
            raise IgnoreRequest(f"{request.url}: scheme {scheme!r} is not followed")
        return None


class WarcArchiveMiddleware:
    """Write every response, with its request, to the crawl's WARC archive."""

    def __init__(self, archive: Archive):
        self.archive = archive

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        folder = settings.get("REPRINTS_ARCHIVE") or archive_path_for(settings.get("REPRINTS_DB"))
        archive = Archive(folder)
        crawler.reprints_archive = archive  # the store pipeline writes its item records here too
        from scrapy import signals

        crawler.signals.connect(archive.close, signal=signals.spider_closed)
        return cls(archive)

    def process_response(self, request, response):
        self.archive.write_exchange(
            url=response.url, method=request.method, request_headers=request.headers.to_unicode_dict(),
            status=response.status, response_headers=_header_pairs(response.headers), body=response.body,
        )
        return response


def _header_pairs(headers) -> list[tuple[str, str]]:
    """Scrapy headers as (name, value) pairs, every value of a repeated header kept."""
    pairs = []
    for name, values in headers.items():
        for value in values:
            pairs.append((name.decode("latin-1"), value.decode("latin-1")))
    return pairs
