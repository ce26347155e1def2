"""Downloader middlewares: refuse schemes we never follow and redirect loops, archive every response,
check robots.txt for every request that waited for it.

A refusal raises IgnoreRequest("<reason>: <details>"); the spider's errback counts the reason.
"""

from __future__ import annotations

import logging
from urllib.parse import urljoin

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as ScrapyRobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

from pipeline.archive import Archive, archive_path_for

logger = logging.getLogger(__name__)

FOLLOWED_SCHEMES = ("http", "https")


REDIRECT_STATUSES = (301, 302, 303, 307, 308)


def _scheme(url: str) -> str:
    return url.split(":", 1)[0].lower() if ":" in url else ""


class SchemeFilterMiddleware:
    """Only http and https leave the crawler; a redirect elsewhere, or back to where it came from, is refused.

    Sits after RedirectMiddleware (600) on the way in, so it sees the 3xx before it is followed.
    """

    def process_request(self, request):
        if _scheme(request.url) not in FOLLOWED_SCHEMES:
            raise IgnoreRequest(f"refused_scheme: {request.url} (only http and https are followed)")
        return None

    def process_response(self, request, response):
        location = response.headers.get(b"Location")
        if response.status not in REDIRECT_STATUSES or not location:
            return response
        target = urljoin(request.url, location.decode("latin-1").strip())
        if _scheme(target) not in FOLLOWED_SCHEMES:
            raise IgnoreRequest(f"refused_scheme: {request.url} redirects to {target[:80]}")
        visited = [*request.meta.get("redirect_urls", []), request.url]
        if target.split("#")[0] in visited:
            raise IgnoreRequest(f"redirect_loop: {request.url} redirects back to {target}")
        return response


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


class RobotsTxtMiddleware(ScrapyRobotsTxtMiddleware):
    """Scrapy's RobotsTxtMiddleware, but every request waiting for a host's robots.txt is checked against it.

    In Scrapy 2.19 the requests that arrive while a host's robots.txt is being fetched all await one
    Deferred through `maybe_deferred_to_future`, whose callback returns None: the first waiter gets the
    parser, the others get None and are let through unchecked (since scrapy/scrapy#6802). A crawl that
    starts on several pages of one host, or a Redis worker that joins a crawl and takes a burst of
    requests, then fetched pages robots.txt forbids. Each waiter here gets its
    own Deferred, relayed from the shared one (as Scrapy did before that change).
    """

    async def robot_parser(self, request):
        parser = self._parsers.get(urlparse_cached(request).netloc)
        if isinstance(parser, Deferred):
            mine: Deferred = Deferred()

            def relay(result):
                mine.callback(result)
                return result  # keep it for the next waiter

            parser.addCallback(relay)
            return await maybe_deferred_to_future(mine)
        return await super().robot_parser(request)
