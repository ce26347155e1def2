"""Guards against hostile sites: session ids, pages too big to extract, sites that never end.

Downloader middlewares, each refusing with IgnoreRequest("<reason>: <URL> <details>") so the
spider's errback counts `reprints/errors/<reason>` and logs the URL:

- `SessionIdMiddleware` (before OffsiteMiddleware, 50): a URL carrying a session id
  (`?sid=`, `PHPSESSID`, `;jsessionid=`, `osCsid`, ...) is requested without it, so a site
  that puts a fresh id in every link is crawled once, not forever. Counted in
  `reprints/guards/session_id_stripped`.
- `PageSizeMiddleware` (after HttpCompressionMiddleware, 590, has decompressed the body):
  an HTML page larger than REPRINTS_MAX_PAGE_BYTES is refused as `too_large`. Extraction and
  cleaning take about 4 s of CPU per MB of HTML (measured here, 2026-11: 1.4 MB of paragraphs,
  2.4 s extract + 3.8 s clean), so an 8 MB page (DOWNLOAD_MAXSIZE) would hold a worker for
  half a minute. It also names the reason of a body without a Content-Length that the download
  handler cut off at DOWNLOAD_MAXSIZE (Scrapy raises that error without a message).
- `SiteBudgetMiddleware`: once a site has sent REPRINTS_SITE_MAX_BYTES (decompressed) or
  REPRINTS_SITE_MAX_PAGES responses, its further requests are refused as `site_budget`: a site
  of endless unique pages cannot fill the disk with its WARC records.

Decompression bombs and oversized downloads are Scrapy's own DOWNLOAD_MAXSIZE (applied
after decompression for gzip, deflate, br and zstd); other schemes and redirect loops are
`crawler.middlewares.SchemeFilterMiddleware`.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from urllib.parse import urlsplit, urlunsplit

from scrapy.exceptions import DownloadCancelledError, IgnoreRequest, NotConfigured

logger = logging.getLogger(__name__)

# Query parameters that only ever carry a session id (compared lower-cased).
SESSION_PARAMS = frozenset({
    "phpsessid", "jsessionid", "sessionid", "session_id", "sessid", "oscsid", "zenid", "cfid", "cftoken",
    "aspsessionid", "sid_session", "s_sid", "xtcsid", "wcsid",
})
# Parameters that are session ids only when their value looks like one: `sid` is also a
# story id on Slashcode sites (`?sid=08/03/03/1234567`), which must be kept.
AMBIGUOUS_SESSION_PARAMS = frozenset({"sid", "session", "s"})
SESSION_TOKEN_RE = re.compile(r"^[A-Za-z0-9_\-]{16,128}$")
# ";jsessionid=ABC" (Java servlets) and ";phpsessid=" path parameters; ASP.NET's "/(S(abc))/".
PATH_SESSION_RE = re.compile(r";(?:jsessionid|phpsessid|sessionid|sid)=[^/?#;]*", re.I)
ASPNET_COOKIELESS_RE = re.compile(r"/\((?:[A-Z]\([A-Za-z0-9_\-]{8,}\))+\)(?=/)")

HTML_TYPES = (b"text/html", b"application/xhtml+xml")
DEFAULT_MAX_PAGE_BYTES = 2 * 1024 * 1024
DEFAULT_SITE_MAX_BYTES = 2 * 1024 ** 3


def _is_session_param(name: str, value: str) -> bool:
    key = name.lower()
    if key in SESSION_PARAMS or key.startswith("aspsessionid"):
        return True
    return key in AMBIGUOUS_SESSION_PARAMS and SESSION_TOKEN_RE.match(value) is not None and (
        any(c.isdigit() for c in value) and any(c.isalpha() for c in value))


def strip_session_ids(url: str) -> str:
    """The URL without session ids in its path or query; the very same string when it has none.

    >>> strip_session_ids("http://x.com/shop/?sid=0f3a9c1d2b4e5f60718293a4b5c6d7e8&page=2")
    'http://x.com/shop/?page=2'
    >>> strip_session_ids("http://x.com/catalog/item-1;jsessionid=A1B2C3D4E5?x=1")
    'http://x.com/catalog/item-1?x=1'
    >>> strip_session_ids("http://slashdot.org/article.pl?sid=08/03/03/1234567")
    'http://slashdot.org/article.pl?sid=08/03/03/1234567'
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    path = PATH_SESSION_RE.sub("", parts.path)
    path = ASPNET_COOKIELESS_RE.sub("", path)
    query = parts.query
    if query:
        kept = []
        for piece in query.split("&"):
            name, _, value = piece.partition("=")
            if not _is_session_param(name, value):
                kept.append(piece)
        query = "&".join(kept)
    if path == parts.path and query == parts.query:
        return url
    return urlunsplit((parts.scheme, parts.netloc, path, query, parts.fragment))


class SessionIdMiddleware:
    """Request a URL without its session id; the dupefilter then sees every copy as one page."""

    def __init__(self, stats=None):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats)

    def process_request(self, request):
        clean = strip_session_ids(request.url)
        if clean == request.url:
            return None
        if self.stats is not None:
            self.stats.inc_value("reprints/guards/session_id_stripped")
        logger.debug("Session id stripped: %s -> %s", request.url, clean)
        return request.replace(url=clean)


def _host(url: str) -> str:
    try:
        return urlsplit(url).netloc.lower()
    except ValueError:
        return ""


def is_html_response(response) -> bool:
    """An HTML page by its Content-Type (missing counts as HTML, as old servers send none)."""
    content_type = response.headers.get(b"Content-Type", b"text/html").split(b";")[0].strip().lower()
    return content_type in HTML_TYPES


class PageSizeMiddleware:
    """Refuse HTML pages, after decompression, larger than REPRINTS_MAX_PAGE_BYTES (0: no limit),
    and name the reason of bodies the download handler cut off at DOWNLOAD_MAXSIZE."""

    def __init__(self, max_bytes: int, download_maxsize: int = 0):
        self.max_bytes = max_bytes
        self.download_maxsize = download_maxsize

    @classmethod
    def from_crawler(cls, crawler):
        max_bytes = crawler.settings.getint("REPRINTS_MAX_PAGE_BYTES", DEFAULT_MAX_PAGE_BYTES)
        return cls(max_bytes, crawler.settings.getint("DOWNLOAD_MAXSIZE"))

    def process_exception(self, request, exception):
        """Name the reason of a download the handler cut off past DOWNLOAD_MAXSIZE.

        Scrapy's HTTP/1.1 handler cancels a body without a Content-Length once it grows past
        DOWNLOAD_MAXSIZE, and the error it raises has no message (its warning is logged apart),
        so the spider would count it as `downloadcancellederror`. (A Content-Length over the
        limit is refused with a message naming the max size, which the spider reads already.)
        """
        if isinstance(exception, DownloadCancelledError) and not str(exception).strip():
            maxsize = request.meta.get("download_maxsize", self.download_maxsize)
            raise IgnoreRequest(f"too_large: {request.url} was cut off past DOWNLOAD_MAXSIZE "
                                f"({maxsize} bytes)")
        return None

    def process_response(self, request, response):
        if 0 < self.max_bytes < len(response.body) and is_html_response(response):
            message = (f"too_large: {response.url} is {len(response.body)} bytes of HTML after "
                       f"decompression, more than REPRINTS_MAX_PAGE_BYTES ({self.max_bytes})")
            logger.warning("Refused %s", message.split(": ", 1)[1])
            raise IgnoreRequest(message)
        return response


class SiteBudgetMiddleware:
    """Stop asking a site for more once it has sent its budget of bytes or pages."""

    def __init__(self, max_bytes: int, max_pages: int, stats=None):
        self.max_bytes = max_bytes
        self.max_pages = max_pages
        self.stats = stats
        self.bytes: Counter = Counter()
        self.pages: Counter = Counter()
        self.exhausted: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        max_bytes = settings.getint("REPRINTS_SITE_MAX_BYTES", DEFAULT_SITE_MAX_BYTES)
        max_pages = settings.getint("REPRINTS_SITE_MAX_PAGES", 0)
        if max_bytes <= 0 and max_pages <= 0:
            raise NotConfigured
        return cls(max_bytes, max_pages, crawler.stats)

    def process_request(self, request):
        host = _host(request.url)
        message = None
        if self.max_bytes > 0 and self.bytes[host] >= self.max_bytes:
            message = (f"site_budget: {request.url} not fetched: {host} already sent "
                       f"{self.bytes[host]} bytes (REPRINTS_SITE_MAX_BYTES {self.max_bytes})")
        elif self.max_pages > 0 and self.pages[host] >= self.max_pages:
            message = (f"site_budget: {request.url} not fetched: {host} already sent "
                       f"{self.pages[host]} pages (REPRINTS_SITE_MAX_PAGES {self.max_pages})")
        if message:
            if host not in self.exhausted:  # once per site: the spider logs every refused URL anyway
                self.exhausted.add(host)
                logger.warning("Budget spent: %s", message.split(": ", 1)[1])
            raise IgnoreRequest(message)
        return None

    def process_response(self, request, response):
        host = _host(response.url)
        self.bytes[host] += len(response.body)
        self.pages[host] += 1
        return response


# What `crawler/settings.py` enables (see the module docstring for the orders).
GUARD_MIDDLEWARES = {
    "crawler.guards.SessionIdMiddleware": 40,
    "crawler.guards.SiteBudgetMiddleware": 60,
    "crawler.guards.PageSizeMiddleware": 585,
}
# Schemes Scrapy could fetch by itself that a crawl of the web never should.
DISABLED_DOWNLOAD_HANDLERS = {"file": None, "data": None, "s3": None, "ftp": None}
