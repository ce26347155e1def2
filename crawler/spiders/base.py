"""What every reprints spider shares: start URLs, error accounting, post pages and their comment pages.

Spiders only navigate. Each platform's navigation is a mixin in its own module with a
`navigate_<platform>(response)` method; `crawler/spiders/sites.py` combines them into the
spiders Scrapy sees, so the `auto` spider can hand a page to whichever platform it detects.
Callbacks are always spider methods, so requests survive a JOBDIR pause and resume.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy import exceptions as scrapy_errors
from scrapy.http import TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import ConnectionRefusedError, DNSLookupError, TCPTimedOutError, TimeoutError

from crawler.guards import strip_session_ids
from crawler.items import PostPage
from pipeline.feeds import FeedError, parse_links

HTML_TYPES = (b"text/html", b"application/xhtml+xml")
# WordPress paginates long comment threads as /slug/comment-page-N/.
COMMENT_PAGE_RE = re.compile(r"/comment-page-(\d+)/?(?:#.*)?$")

class ReprintsSpider(scrapy.Spider):
    """Base spider: `-a start_urls=URL[,URL...]`; `platform` picks the navigation."""

    name = "base"
    platform: str | None = None

    def __init__(self, start_urls: str | list[str] = "", **kwargs):
        super().__init__(**kwargs)
        if isinstance(start_urls, str):
            start_urls = [u.strip() for u in start_urls.split(",") if u.strip()]
        self.start_urls = list(start_urls)
        self.allowed_domains = sorted({urlsplit(u).hostname for u in self.start_urls if urlsplit(u).hostname})
        self.start_failures: list[str] = []

    async def start(self):
        # Scrapy 2.19 no longer calls start_requests(): start() is the entry point.
        for url in self.start_urls:
            yield self.request(url, self.parse_start, meta={"start_url": True})

    def request(self, url: str, callback, **kwargs) -> scrapy.Request:
        """A request whose failures are counted and logged with their URL and reason."""
        return scrapy.Request(url, callback=callback, errback=self.on_error, **kwargs)

    def parse_start(self, response):
        """Hand the start page to the navigation of this spider's platform."""
        yield from self.navigate(response, self.platform or "generic")

    def navigate(self, response, platform: str) -> Iterable:
        """Run one platform's navigation on a page."""
        yield from getattr(self, f"navigate_{platform}")(response)

    # -- errors -----------------------------------------------------------------------------
    def on_error(self, failure):
        """Count and log a failed request; a failed start URL is remembered for the CLI."""
        request = failure.request
        reason = failure_reason(failure)
        if reason == "not_modified":
            # Unchanged since the last crawl (crawler/conditional.py): not an error, and no fallback needed.
            self.crawler.stats.inc_value("reprints/not_modified")
            return
        fallback = request.meta.get("fallbacks")
        if fallback is not None and reason == "http_404":
            # A missing feed is expected (we try the modern one first): the next one is asked.
            self.crawler.stats.inc_value("reprints/feeds/not_found")
            self.logger.info("No feed at %s", request.url)
        elif reason == "forbidden_by_robots":
            self.crawler.stats.inc_value("reprints/skipped/robots")
            self.logger.info("Skipped %s: forbidden by robots.txt", request.url)
        else:
            self.crawler.stats.inc_value(f"reprints/errors/{reason}")
            self.logger.warning("Failed %s: %s", request.url, reason.replace("_", " "))
        if request.meta.get("start_url"):
            self.start_failures.append(f"{request.url}: {reason.replace('_', ' ')}")
            self.crawler.stats.set_value("reprints/start_failures", list(self.start_failures))
        if fallback:
            yield self.feed_request(fallback[0], request.meta["platform"], fallback[1:])

    def count_error(self, url: str, reason: str) -> None:
        """Count and log a page we fetched but cannot use."""
        self.crawler.stats.inc_value(f"reprints/errors/{reason}")
        self.logger.warning("Unusable %s: %s", url, reason.replace("_", " "))

    # -- feeds ------------------------------------------------------------------------------
    def feed_request(self, url: str, platform: str | None, fallbacks: list[str] = ()) -> scrapy.Request:
        """Request a feed or sitemap; on failure the next URL in `fallbacks` is tried."""
        return self.request(url, self.parse_feed, meta={"platform": platform, "fallbacks": list(fallbacks)})

    def parse_feed(self, response):
        """Follow a feed's or sitemap's entries, and its next page."""
        platform = response.meta.get("platform")
        try:
            links = parse_links(response.body, response.url)
        except FeedError as exc:
            self.count_error(response.url, "bad_feed")
            self.logger.warning("Bad feed %s: %s", response.url, exc)
            fallbacks = response.meta.get("fallbacks")
            if fallbacks:
                yield self.feed_request(fallbacks[0], platform, fallbacks[1:])
            return
        self.crawler.stats.inc_value(f"reprints/feeds/{links.kind}")
        for entry in links.entries:
            if links.kind == "sitemapindex":
                yield self.feed_request(entry.url, platform)
            else:
                yield self.post_request(entry.url, platform)
        if links.next_url and links.entries:
            yield self.feed_request(links.next_url, platform)

    # -- posts ------------------------------------------------------------------------------
    def post_request(self, url: str, platform: str | None) -> scrapy.Request:
        """Request a page that should hold one post."""
        return self.request(url, self.parse_post, cb_kwargs={"platform": platform})

    def parse_post(self, response, platform: str | None):
        """Hand a post page to the pipelines, after fetching its further comment pages."""
        if not is_html(response):
            self.count_error(response.url, "not_html")
            return
        pending = comment_page_urls(response)
        # Bytes, not response.text: decode_html checks a declared charset against the bytes themselves.
        page = PostPage(url=response.url, platform=platform, html=response.body)
        if pending:
            yield self._next_comment_page(page, pending)
        else:
            yield page

    def _next_comment_page(self, page: PostPage, pending: list[str]) -> scrapy.Request:
        return scrapy.Request(pending[0], callback=self._parse_comment_page, errback=self._comment_page_failed,
                              cb_kwargs={"page": page, "pending": pending[1:]}, dont_filter=True)

    def _comment_page_failed(self, failure):
        # A lost comment page must not lose the post: count it and carry on with the rest.
        yield from self.on_error(failure)
        kwargs = failure.request.cb_kwargs
        pending = kwargs["pending"]
        yield self._next_comment_page(kwargs["page"], pending) if pending else kwargs["page"]

    def _parse_comment_page(self, response, page: PostPage, pending: list[str]):
        if is_html(response):
            page.comment_pages.append((response.url, response.body))
        yield self._next_comment_page(page, pending) if pending else page

    def walk(self, response, platform: str, page_callback, is_post) -> Iterable[scrapy.Request]:
        """Follow a page's same-site links: posts to extraction, feeds to the feed parser, the rest walked on."""
        if not is_html(response):
            self.count_error(response.url, "not_html")
            return
        for url in self.same_site_links(response):
            if SKIP_LINKS_RE.search(url):
                continue
            if is_post(url):
                yield self.post_request(url, platform)
            elif FEED_LINK_RE.search(url):
                yield self.feed_request(url, platform)
            else:
                yield self.request(url, page_callback)

    def same_site_links(self, response, pattern: re.Pattern | None = None) -> list[str]:
        """Absolute links on the page to the page's own host, optionally matching a pattern."""
        if not isinstance(response, TextResponse):
            return []
        host = urlsplit(response.url).netloc
        links = []
        for href in response.css("a::attr(href)").getall():
            url = strip_session_ids(urljoin(response.url, href.strip()).split("#", 1)[0])
            if urlsplit(url).netloc == host and (pattern is None or pattern.search(url)):
                links.append(url)
        return list(dict.fromkeys(links))


# Links a site walk never follows: accounts, admin, search, replies and duplicate views of a post.
SKIP_LINKS_RE = re.compile(
    r"(wp-admin|wp-login|/wp-includes/|/login|/logout|/register|/signup|/members/|/cgi-bin/|/print/|"
    r"[?&](replytocom|showComment|share|action|preview|s|q)=|/comment-page-\d+|/trackback/?$|"
    r"/feed/?$|\.(jpe?g|png|gif|css|js|ico|zip|mp3|mp4)$)", re.I)
# Links that are feeds: handed to the feed parser, not to extraction.
FEED_LINK_RE = re.compile(r"(/feeds/|/atom\.xml$|/rss\.xml$|[?&]alt=rss)", re.I)


def is_html(response) -> bool:
    """True for a text response whose Content-Type is HTML (or missing, as old servers do)."""
    content_type = response.headers.get(b"Content-Type", b"text/html").split(b";")[0].strip().lower()
    return isinstance(response, TextResponse) and content_type in HTML_TYPES


def comment_page_urls(response) -> list[str]:
    """Further pages of this post's comments (WordPress /comment-page-N/), in page order."""
    if not isinstance(response, TextResponse):
        return []
    here = COMMENT_PAGE_RE.sub("/", response.url.split("#")[0]).rstrip("/")
    pages = {}
    for href in response.css("a::attr(href)").getall():
        url = urljoin(response.url, href).split("#", 1)[0]
        match = COMMENT_PAGE_RE.search(url)
        if match and COMMENT_PAGE_RE.sub("/", url).rstrip("/") == here and url != response.url:
            pages[int(match.group(1))] = url
    return [pages[n] for n in sorted(pages)]


# Download failures by reason: Scrapy's own exceptions (2.19) and Twisted's underneath them.
DOWNLOAD_ERRORS = {
    "dns_lookup_failed": (scrapy_errors.CannotResolveHostError, DNSLookupError),
    "timeout": (scrapy_errors.DownloadTimeoutError, TimeoutError, TCPTimedOutError),
    "connection_refused": (scrapy_errors.DownloadConnectionRefusedError, ConnectionRefusedError),
    "data_loss": (scrapy_errors.ResponseDataLossError,),
    "unsupported_scheme": (scrapy_errors.UnsupportedURLSchemeError,),
    "download_failed": (scrapy_errors.DownloadFailedError,),
}
# Our middlewares refuse a request with IgnoreRequest("<reason>: <details>").
REASON_PREFIX_RE = re.compile(r"^([a-z_]+): ")


def failure_reason(failure) -> str:
    """A short reason for a failed request: http_404, timeout, dns_lookup_failed, ..."""
    if failure.check(HttpError):
        return f"http_{failure.value.response.status}"
    for reason, error_types in DOWNLOAD_ERRORS.items():
        if failure.check(*error_types):
            return reason
    message = str(failure.value)
    coded = REASON_PREFIX_RE.match(message)
    if coded:
        return coded.group(1)
    if "robots.txt" in message:
        return "forbidden_by_robots"
    if "redirect" in message.lower():
        return "too_many_redirects"
    if "scheme" in message:
        return "refused_scheme"
    if "maxsize" in message.lower() or "max size" in message.lower():
        return "too_large"
    return failure.type.__name__.lower() if failure.type else "unknown"
