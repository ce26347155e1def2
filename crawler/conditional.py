"""Conditional requests: a re-crawl transfers only what changed since the last crawl.

`ConditionalRequestMiddleware` keeps, per URL, what the last crawl got (status, ETag,
Last-Modified) in the `fetches` table of the corpus database, and sends the validators back as
If-None-Match and If-Modified-Since. A page that answers 304 Not Modified is:

- a start page: answered from the copy kept in `fetches` (start pages only), so the spider still
  detects the platform and asks for the feeds, sitemaps and APIs, which are conditional in turn;
- any other page: dropped with IgnoreRequest("not_modified: URL").

An unchanged page is not walked again: it links to what it linked to last time, and the last
crawl requested all of that. So the links of an unchanged start page that an earlier crawl
requested are skipped without a request (feeds, sitemaps and APIs excepted), and the same goes,
by the 304, for every other unchanged page. What changed among the pages behind them shows where
the spiders look anyway: a new post or an edit changes the feeds, the sitemaps (`lastmod`), the
REST API and the listings that show it, and those are fetched and walked in full.

Nothing is hidden for good:
- the outcomes are written only when a crawl ends normally ("finished"): a killed or limited
  crawl (`--max-pages`) may not have walked everything it fetched, so the next one starts afresh;
- a request that failed for a reason that may pass (a 5xx, a timeout, a refused connection) is
  kept and asked again at the start of the next crawl; where it cannot be kept (a further comment
  page carries the post with it), the page it belongs to loses its validators, so the next crawl
  fetches it, and its comment pages, in full;
- robots.txt, a post's further comment pages (a post is stored with all of its comments or loses
  some) and requests with `meta["reprints_unconditional"]` are always fetched in full.

`downloader/response_bytes` measures the saving: the middleware sits at 587, inside Scrapy's
DownloaderStats (850), which counts a 304 as it came over the wire, and after
HttpCompressionMiddleware (590), so the copy kept of a start page is its decoded body (a copy
answering a 304 then passes PageSizeMiddleware, 585, and the rest like any response).
REPRINTS_CONDITIONAL = False makes a crawl fetch everything in full (nothing is read or written).
"""

from __future__ import annotations

import json
import logging
import sqlite3
from datetime import datetime, timezone
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Headers
from scrapy.responsetypes import responsetypes

from pipeline.store import BUSY_TIMEOUT_MS
from scrapy.utils.request import request_from_dict

logger = logging.getLogger(__name__)

# One row per URL a finished crawl requested, created on first use.
FETCHES_SQL = """
CREATE TABLE IF NOT EXISTS fetches (
    url TEXT PRIMARY KEY,
    status INTEGER,          -- the last answer (200, 304, 404, ...); NULL: refused before an answer
    etag TEXT,
    last_modified TEXT,
    fetched TEXT,            -- when it last answered 200
    checked TEXT,            -- when it was last requested
    bytes INTEGER,           -- body size of the last 200
    retry TEXT,              -- a request that failed for a passing reason, asked again next crawl (JSON)
    replay_headers TEXT,     -- start pages: the kept copy that answers a 304
    replay_body BLOB
)
"""
# Answers after which a page may answer differently next time.
TRANSIENT_STATUSES = frozenset({408, 429, 500, 502, 503, 504, 522, 524})
# Spider callbacks whose requests are always fetched in full (a post's further comment pages).
FULL_FETCH_CALLBACKS = frozenset({"_parse_comment_page"})
# Spider callbacks of plain pages (posts and walked pages): skipped when linked from an unchanged
# page. Anything else (feeds, sitemaps, APIs, start pages) is always asked, conditionally.
PAGE_CALLBACKS = frozenset({"parse_post", "parse_blogger_page", "parse_wordpress_page",
                            "parse_directory_page", "navigate_generic"})
# Meta of a failed request that is kept to ask it again (JSON values only).
RETRY_META = ("platform", "fallbacks", "handle_httpstatus_list")
# The headers we add; removed again when a redirect or retry copies them to another URL.
CONDITIONAL_HEADERS = (b"If-None-Match", b"If-Modified-Since")
# Headers of a kept start page that no longer describe its stored (decoded) body.
NOT_REPLAYED_HEADERS = frozenset({b"content-encoding", b"content-length", b"transfer-encoding", b"date"})
META_KEY = "reprints_conditional"  # the URL the conditional headers were made for
RETRY_KEY = "reprints_retry"  # a failed request of an earlier crawl, asked again


def ensure_fetches(conn: sqlite3.Connection) -> None:
    """Create the `fetches` table if it is missing (idempotent)."""
    conn.execute(FETCHES_SQL)


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def _header(headers, name: bytes) -> str | None:
    value = headers.get(name)
    return value.decode("latin-1").strip() if value else None


def _callback_name(request) -> str:
    return getattr(request.callback, "__name__", "") or ""


class ConditionalRequestMiddleware:
    """Send the validators of the last crawl; answer 304s; skip the links of unchanged pages."""

    def __init__(self, crawler, db_path: str):
        self.crawler = crawler
        self.stats = crawler.stats
        self.db_path: str | None = db_path
        self.conn: sqlite3.Connection | None = None
        self.outcomes: dict[str, dict] = {}  # this crawl's answers by URL, written when it finishes
        self.retries: dict[str, str | None] = {}  # URL -> failed request (JSON), None if it cannot be kept
        self.unchanged: set[str] = set()  # start pages that answered 304 (their links are skipped)
        self.full_next_time: set[str] = set()  # pages to fetch and walk in full next time

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        if not settings.getbool("REPRINTS_CONDITIONAL", True) or not settings.get("REPRINTS_DB"):
            raise NotConfigured
        middleware = cls(crawler, settings.get("REPRINTS_DB"))
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    # -- the database ------------------------------------------------------------------------------

    def _db(self) -> sqlite3.Connection | None:
        if self.conn is None and self.db_path:
            try:
                self.conn = sqlite3.connect(self.db_path)
                self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                ensure_fetches(self.conn)
                self.conn.commit()
            except sqlite3.Error as exc:
                # No memory of earlier crawls: every page is fetched in full, as without this middleware.
                logger.warning("Conditional requests off: %s: %s", self.db_path, exc)
                self.conn, self.db_path = None, None
        return self.conn

    def _row(self, url: str, columns: str) -> tuple | None:
        conn = self._db()
        if conn is None:
            return None
        return conn.execute(f"SELECT {columns} FROM fetches WHERE url = ?", [url]).fetchone()

    def _validators(self, url: str) -> tuple[str | None, str | None, bool] | None:
        """(ETag, Last-Modified, a copy is kept) of the URL's last 200, from this crawl or an earlier one."""
        row = self.outcomes.get(url)
        if row is not None and row.get("status") == 200:
            found = (row["etag"], row["last_modified"], row["replay_body"] is not None)
        else:
            found = self._row(url, "etag, last_modified, replay_body IS NOT NULL")
        if not found or not (found[0] or found[1]):
            return None
        return found[0], found[1], bool(found[2])

    # -- the start of a crawl ----------------------------------------------------------------------

    def spider_opened(self, spider):
        """Ask again what failed for a passing reason in an earlier crawl of these sites."""
        conn = self._db()
        if conn is None:
            return
        hosts = set(getattr(spider, "allowed_domains", None) or ())
        for url, record in conn.execute("SELECT url, retry FROM fetches WHERE retry IS NOT NULL").fetchall():
            if urlsplit(url).hostname not in hosts:
                continue
            try:
                request = request_from_dict(json.loads(record), spider=spider)
            except (ValueError, KeyError, TypeError, AttributeError):
                continue  # made by a spider that no longer has that callback
            request.meta[RETRY_KEY] = True
            self.stats.inc_value("reprints/conditional/retried")
            self.crawler.engine.crawl(request)

    # -- requests ----------------------------------------------------------------------------------

    def process_request(self, request):
        if request.meta.get(META_KEY):
            for name in CONDITIONAL_HEADERS:  # made for another URL (copied by a redirect or a retry)
                request.headers.pop(name, None)
            del request.meta[META_KEY]
        if request.method != "GET" or _is_robots(request):
            return None
        url = request.url
        self.outcomes.setdefault(url, {"status": None})
        if self._linked_from_unchanged_page(request):
            self.stats.inc_value("reprints/conditional/skipped")
            raise IgnoreRequest(f"not_modified: {url} (linked from an unchanged page)")
        if request.meta.get("reprints_unconditional") or _callback_name(request) in FULL_FETCH_CALLBACKS:
            return None
        known = self._validators(url)
        if known is None:
            return None
        etag, last_modified, kept = known
        if request.meta.get("start_url") and not kept:
            return None  # a start page must reach the spider: without a kept copy, fetch it in full
        if etag:
            request.headers[b"If-None-Match"] = etag
        if last_modified:
            request.headers[b"If-Modified-Since"] = last_modified
        request.meta[META_KEY] = url
        self.stats.inc_value("reprints/conditional/sent")
        return None

    def _linked_from_unchanged_page(self, request) -> bool:
        """A page (not a feed, sitemap or API) linked from an unchanged start page, requested before."""
        if request.meta.get(RETRY_KEY) or request.meta.get("start_url"):
            return False
        if _callback_name(request) not in PAGE_CALLBACKS:
            return False
        referer = request.headers.get(b"Referer")
        if not referer or referer.decode("latin-1") not in self.unchanged:
            return False
        if self.outcomes.get(request.url, {}).get("status") is not None:
            return True  # answered in this crawl already
        return self._row(request.url, "1") is not None

    # -- responses ---------------------------------------------------------------------------------

    def process_response(self, request, response):
        url = request.url
        if request.method != "GET" or _is_robots(request):
            return response
        outcome = self.outcomes.setdefault(url, {"status": None})
        if response.status == 304 and request.meta.get(META_KEY) == url:
            self.stats.inc_value("reprints/conditional/not_modified")
            self.retries.pop(url, None)
            if outcome.get("status") != 200:
                outcome["status"] = 304
            if request.meta.get("fallbacks"):
                request.meta["fallbacks"] = []  # an unchanged feed needs none of the feeds tried after it
            if request.meta.get("start_url"):
                replay = self._replay(request, response)
                if replay is not None:
                    self.stats.inc_value("reprints/conditional/replayed")
                    self.unchanged.add(url)
                    return replay
            raise IgnoreRequest(f"not_modified: {url}")
        if response.status in TRANSIENT_STATUSES:
            self._failed(request)
        else:
            self.retries.pop(url, None)
        if response.status == 200:
            if request.meta.get(META_KEY) == url:
                self.stats.inc_value("reprints/conditional/changed")
            outcome.update(self._good(request, response))
        elif outcome.get("status") != 200:
            outcome["status"] = response.status
        return response

    def process_exception(self, request, exception):
        if not isinstance(exception, IgnoreRequest):  # timeouts, refused connections, DNS: they may pass
            self._failed(request)
        return None

    def _failed(self, request) -> None:
        """Keep a request that failed for a passing reason, to ask it again next crawl."""
        if request.meta.get("start_url"):
            return  # asked again anyway
        record = None
        try:
            data = request.to_dict(spider=self.crawler.spider)
            record = json.dumps({
                "url": data["url"], "callback": data["callback"], "errback": data["errback"],
                "method": data["method"], "cb_kwargs": data["cb_kwargs"], "priority": data["priority"],
                "meta": {k: v for k, v in data["meta"].items() if k in RETRY_META}, "dont_filter": True})
        except (ValueError, TypeError):
            page = request.cb_kwargs.get("page")  # a further comment page: its post is fetched in full
            owner = getattr(page, "url", None) or (request.headers.get(b"Referer") or b"").decode("latin-1")
            if owner:
                self.full_next_time.add(owner)
        self.retries[request.url] = record

    def _good(self, request, response) -> dict:
        row = {"status": 200, "etag": _header(response.headers, b"ETag"),
               "last_modified": _header(response.headers, b"Last-Modified"), "bytes": len(response.body),
               "replay_headers": None, "replay_body": None}
        if request.meta.get("start_url") and (row["etag"] or row["last_modified"]):
            headers = {k.decode("latin-1"): [v.decode("latin-1") for v in values]
                       for k, values in response.headers.items() if k.lower() not in NOT_REPLAYED_HEADERS}
            row["replay_headers"] = json.dumps(headers)
            row["replay_body"] = response.body
        return row

    def _replay(self, request, not_modified):
        """The kept copy of a start page, as a 200 response, or None when there is none."""
        row = self.outcomes.get(request.url) or {}
        if row.get("replay_body") is not None:
            found = (row["replay_headers"], row["replay_body"])
        else:
            found = self._row(request.url, "replay_headers, replay_body")
        if not found or found[1] is None:
            return None
        headers = Headers(json.loads(found[0]))
        body = bytes(found[1])
        cls = responsetypes.from_args(headers=headers, url=request.url, body=body)
        return cls(url=request.url, status=200, headers=headers, body=body, request=request,
                   flags=["not_modified"], protocol=not_modified.protocol)

    # -- the end of the crawl ----------------------------------------------------------------------

    def spider_closed(self, spider, reason):
        """Keep this crawl's outcomes, if it ended normally; see the module docstring."""
        try:
            if reason == "finished":
                self._write()
            else:
                logger.info("Crawl ended (%s): outcomes not kept, the next crawl fetches in full", reason)
        except sqlite3.Error as exc:
            logger.warning("Cannot keep the crawl's outcomes in %s: %s", self.db_path, exc)
        finally:
            if self.conn is not None:
                self.conn.close()
                self.conn = None

    def _write(self) -> None:
        conn = self._db()
        if conn is None:
            return
        now = _now()
        good = [dict(row, url=url, fetched=now, checked=now) for url, row in self.outcomes.items()
                if row.get("status") == 200 and (row["etag"] or row["last_modified"])]
        other = [(url, row.get("status"), now) for url, row in self.outcomes.items()
                 if row.get("status") != 200 or not (row["etag"] or row["last_modified"])]
        with conn:
            conn.executemany(
                "INSERT INTO fetches (url, status, etag, last_modified, fetched, checked, bytes, retry, "
                "replay_headers, replay_body) VALUES (:url, 200, :etag, :last_modified, :fetched, :checked, "
                ":bytes, NULL, :replay_headers, :replay_body) ON CONFLICT(url) DO UPDATE SET status = 200, "
                "etag = excluded.etag, last_modified = excluded.last_modified, fetched = excluded.fetched, "
                "checked = excluded.checked, bytes = excluded.bytes, retry = NULL, "
                "replay_headers = coalesce(excluded.replay_headers, fetches.replay_headers), "
                "replay_body = coalesce(excluded.replay_body, fetches.replay_body)", good)
            # 304s and requests skipped or refused before an answer keep their validators; other answers
            # have none (an error page is not the page).
            conn.executemany(
                "INSERT INTO fetches (url, status, checked) VALUES (?1, ?2, ?3) "
                "ON CONFLICT(url) DO UPDATE SET checked = excluded.checked, retry = NULL, "
                "status = coalesce(excluded.status, fetches.status), "
                "etag = CASE WHEN coalesce(excluded.status, 304) = 304 THEN etag END, "
                "last_modified = CASE WHEN coalesce(excluded.status, 304) = 304 THEN last_modified END",
                other)
            conn.executemany("UPDATE fetches SET retry = ? WHERE url = ?",
                             [(record, url) for url, record in self.retries.items() if record])
            conn.executemany("UPDATE fetches SET etag = NULL, last_modified = NULL WHERE url = ?",
                             [(url,) for url in self.full_next_time])
            self._touch_articles(conn, now)
        logger.info("Kept the outcomes of %d requests (%d unchanged, %d to ask again)", len(self.outcomes),
                    sum(1 for row in self.outcomes.values() if row.get("status") == 304), len(self.retries))

    def _touch_articles(self, conn: sqlite3.Connection, now: str) -> None:
        """Unchanged article pages were seen in this crawl: move their `last_seen`."""
        unchanged = [url for url, row in self.outcomes.items() if row.get("status") == 304]
        if not unchanged or not conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'articles'").fetchone():
            return
        from pipeline.store import article_id

        conn.executemany("UPDATE articles SET last_seen = ? WHERE id = ?",
                         [(now, article_id(url)) for url in unchanged])


def _is_robots(request) -> bool:
    """robots.txt: a 304 would leave the robots middleware without rules, so it is never conditional."""
    return bool(request.meta.get("dont_obey_robotstxt")) and request.url.endswith("/robots.txt")
