"""Serve the bundled sample web on loopback: one HTTP server per site, each on its own 127.0.0.x.

Linux routes all of 127.0.0.0/8 to the loopback interface, so every site gets a distinct
host (127.0.0.11, .12, ...) on one shared port, and a crawler sees five different sites.
Pages are rendered once at start and served from memory, with ETag/Last-Modified, honest
304s, HEAD and gzip.

    with SampleWeb() as web:            # port 0: any free port, the same for every site
        web.start_urls["wordpress"]     # 'http://127.0.0.15:41234/'
"""

from __future__ import annotations

import copy
import dataclasses
import errno
import signal
import socketserver
import threading
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, unquote, urlsplit

from crawler.sampleweb.content import (
    Article, Truth, _blog_posts, _directory_posts, _number_wordpress_comments, load_corpus, load_truth,
)
from crawler.sampleweb.render import Resource, SiteRenderer, http_date, renderer_for, resource_key

# Attempts at finding one port free on every site address when the caller asks for port 0.
PORT_ATTEMPTS = 20
# Responses below this size are sent uncompressed even to gzip clients (not worth it).
GZIP_MIN_BYTES = 256
# Dynamic answers (feed pages with odd parameters) kept in memory per site, at most.
DYNAMIC_CACHE_SIZE = 2048
# How many requests `SampleWeb.requests` remembers.
REQUEST_LOG_SIZE = 100_000
# A client that stops talking for this long loses its connection (keeps threads from piling up).
CLIENT_TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class Site:
    """One site of the sample web, as a crawler sees it."""

    key: str  # "ezine", "a1articles", "blogger-classic", "blogger-layouts", "wordpress"
    platform: str  # "directory" | "blogger" | "wordpress"
    kind: str  # the template family: "ezine", "a1", "blogger-classic", "blogger-layouts", "wordpress"
    name: str  # the site's title
    host: str  # its loopback address, e.g. "127.0.0.11"
    port: int
    public_host: str  # the real-world host it stands in for, e.g. "www.a1articles.com"

    @property
    def netloc(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        return f"http://{self.netloc}"

    @property
    def start_url(self) -> str:
        return self.base_url + "/"


@dataclass(frozen=True)
class RequestRecord:
    site: str
    method: str
    path: str  # path and query as requested
    status: int
    user_agent: str


class SiteApp:
    """Everything one site answers, rendered at start; dynamic answers memoised on first use."""

    def __init__(self, site: Site, renderer: SiteRenderer, log: deque, lock: threading.Lock):
        self.site = site
        self.renderer = renderer
        self.pages = renderer.pages()
        self.server_header = renderer.spec.server
        self._dynamic: dict[str, Resource] = {}
        self._log = log
        self._lock = lock

    def resolve(self, target: str) -> Resource:
        split = urlsplit(target)
        key = resource_key(split.path, split.query)
        found = self.pages.get(key) or self._dynamic.get(key)
        if found is not None:
            return found
        path = unquote(split.path) or "/"
        params = dict(parse_qsl(split.query, keep_blank_values=True))
        found = (self.renderer.dynamic(path, params) or self.renderer.fallback(path, self.pages)
                 or self.renderer.not_found(path))
        if len(self._dynamic) < DYNAMIC_CACHE_SIZE:
            self._dynamic[key] = found
        return found

    def record(self, method: str, target: str, status: int, agent: str) -> None:
        with self._lock:
            self._log.append(RequestRecord(self.site.key, method, target, status, agent))


def _etag_matches(header: str, resource_tags: tuple[str, ...]) -> bool:
    """If-None-Match: '*' or any listed tag, weak or strong, equal to one of ours."""
    tags = [t.strip() for t in header.split(",")]
    tags = [t[2:] if t.startswith("W/") else t for t in tags]
    return "*" in tags or any(t in resource_tags for t in tags)


def _accepts_gzip(header: str) -> bool:
    for part in header.split(","):
        name, _, params = part.strip().partition(";")
        if name.strip().lower() in ("gzip", "x-gzip", "*"):
            q = params.strip()
            return not (q.startswith("q=") and float(q[2:] or 0) == 0)
    return False


class Handler(BaseHTTPRequestHandler):
    """GET and HEAD from memory, with conditional requests and gzip."""

    protocol_version = "HTTP/1.1"
    timeout = CLIENT_TIMEOUT_SECONDS
    # Headers and body go out in two writes; with Nagle's algorithm on, keep-alive clients
    # wait for a delayed ACK between them (~40 ms a response).
    disable_nagle_algorithm = True
    server: SiteServer

    def version_string(self) -> str:
        return self.server.app.server_header

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        pass  # the request log is SampleWeb.requests

    def do_HEAD(self) -> None:
        self.answer(send_body=False)

    def do_GET(self) -> None:
        self.answer(send_body=True)

    def answer(self, send_body: bool) -> None:
        app = self.server.app
        resource = app.resolve(self.path)
        gz_tag = resource.etag[:-1] + '-gzip"'
        use_gzip = (resource.status == 200 and len(resource.body) >= GZIP_MIN_BYTES
                    and not resource.content_type.startswith("application/pdf")
                    and _accepts_gzip(self.headers.get("Accept-Encoding", "")))
        status = resource.status
        if status == 200 and self.not_modified(resource, (resource.etag, gz_tag)):
            status = 304
        app.record(self.command, self.path, status, self.headers.get("User-Agent", ""))
        self.send_response(status)
        if status != 304:
            self.send_header("Content-Type", resource.content_type)
        self.send_header("ETag", gz_tag if use_gzip else resource.etag)
        self.send_header("Last-Modified", http_date(resource.last_modified))
        self.send_header("Vary", "Accept-Encoding")
        for name, value in resource.headers:
            self.send_header(name, value)
        if status == 304:
            self.end_headers()
            return
        body = resource.gzipped if use_gzip else resource.body
        if use_gzip:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def not_modified(self, resource: Resource, tags: tuple[str, ...]) -> bool:
        """RFC 9110: If-None-Match decides when present; else If-Modified-Since."""
        if "If-None-Match" in self.headers:
            return _etag_matches(self.headers["If-None-Match"], tags)
        since = self.headers.get("If-Modified-Since")
        if not since:
            return False
        try:
            when = parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
        if when.tzinfo is None:
            return False
        return resource.last_modified.replace(microsecond=0) <= when


class SiteServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    app: SiteApp

    def server_bind(self) -> None:
        # HTTPServer.server_bind resolves the host name (socket.getfqdn), which can stall
        # without a network; the loopback address is name enough.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]


def _bind_error(host: str, port: int, exc: OSError) -> OSError:
    if exc.errno == errno.EADDRINUSE:
        why = "address already in use: another process is listening there; pick another port"
    elif exc.errno == errno.EADDRNOTAVAIL:
        why = ("address not available: this system does not route all of 127.0.0.0/8 to loopback "
               f"(on macOS: sudo ifconfig lo0 alias {host})")
    else:
        why = exc.strerror or str(exc)
    return OSError(exc.errno, f"cannot serve the sample web on {host}:{port}: {why}")


class SampleWeb:
    """The five sample sites, each on 127.0.0.{first_ip + n}, all on one port."""

    def __init__(self, port: int = 0, first_ip: int = 11):
        corpus = load_corpus()
        if not 1 <= first_ip <= 255 - len(corpus.sites):
            raise ValueError(f"first_ip must leave room for {len(corpus.sites)} addresses in 127.0.0.0/24")
        if not 0 <= port <= 65535:
            raise ValueError(f"port must be 0-65535, not {port}")
        self.port = port
        self.first_ip = first_ip
        self._corpus = corpus
        self._servers: list[SiteServer] = []
        self._threads: list[threading.Thread] = []
        self._sites: list[Site] = []
        self._lock = threading.Lock()
        self._log: deque[RequestRecord] = deque(maxlen=REQUEST_LOG_SIZE)

    # -- lifecycle ---------------------------------------------------------------------------

    def _addresses(self) -> list[str]:
        return [f"127.0.0.{self.first_ip + n}" for n in range(len(self._corpus.sites))]

    def _bind(self, port: int) -> list[SiteServer]:
        servers: list[SiteServer] = []
        try:
            for host in self._addresses():
                try:
                    servers.append(SiteServer((host, port), Handler, bind_and_activate=True))
                except OSError as exc:
                    raise _bind_error(host, port, exc) from exc
                port = servers[0].server_address[1]  # port 0: every later site takes the first one's
        except OSError:
            for server in servers:
                server.server_close()
            raise
        return servers

    def start(self) -> dict[str, str]:
        """Bind every site, render every page, serve in background threads; {site_key: start_url}."""
        if self._servers:
            return self.start_urls
        attempts = PORT_ATTEMPTS if self.port == 0 else 1
        for attempt in range(attempts):
            try:
                servers = self._bind(self.port)
                break
            except OSError as exc:
                if self.port != 0 or exc.errno != errno.EADDRINUSE or attempt == attempts - 1:
                    raise
        port = servers[0].server_address[1]
        self._sites = [Site(spec.key, spec.platform, spec.kind, spec.name, host, port, spec.public_host)
                       for spec, host in zip(self._corpus.sites, self._addresses())]
        bases = {site.key: site.base_url for site in self._sites}
        try:
            for server, site, spec in zip(servers, self._sites, self._corpus.sites):
                server.app = SiteApp(site, renderer_for(spec, self._corpus, bases), self._log, self._lock)
        except Exception:
            for server in servers:
                server.server_close()
            raise
        self._servers = servers
        for server, site in zip(servers, self._sites):
            thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                      name=f"sampleweb-{site.key}", daemon=True)
            thread.start()
            self._threads.append(thread)
        return self.start_urls

    def stop(self) -> None:
        """Stop every server and release its address; safe to call twice."""
        stoppers = [threading.Thread(target=server.shutdown) for server in self._servers]
        for stopper in stoppers:
            stopper.start()
        for stopper in stoppers:
            stopper.join()
        for server in self._servers:
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._servers, self._threads = [], []

    def __enter__(self) -> SampleWeb:
        self.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    # -- what it serves ------------------------------------------------------------------------

    @property
    def sites(self) -> list[Site]:
        """The sites (addresses and port are final once started)."""
        if self._sites:
            return list(self._sites)
        return [Site(spec.key, spec.platform, spec.kind, spec.name, host, self.port, spec.public_host)
                for spec, host in zip(self._corpus.sites, self._addresses())]

    @property
    def start_urls(self) -> dict[str, str]:
        return {site.key: site.start_url for site in self.sites}

    def site(self, key: str) -> Site:
        return next(site for site in self.sites if site.key == key)

    def url(self, key: str, path: str = "/") -> str:
        """The absolute URL of `path` on site `key`."""
        return self.site(key).base_url + path

    def truth(self) -> Truth:
        """`load_truth()` with absolute URLs for this server's addresses and port."""
        return load_truth(self.start_urls)

    @property
    def requests(self) -> list[RequestRecord]:
        """Every request answered so far, oldest first (robots.txt compliance checks use it)."""
        with self._lock:
            return list(self._log)

    def clear_requests(self) -> None:
        with self._lock:
            self._log.clear()

    # -- changing a running site (re-crawl tests) ----------------------------------------------
    # The site is rendered again, so every page that shows the change gets a new body and ETag, and
    # its Last-Modified, sitemap lastmod and feed times move to `when` (default: now), as on a real
    # site. `truth()` goes on describing the bundled content.

    def edit_post(self, site_key: str, path: str, old: str, new: str, when: datetime | None = None) -> str:
        """Replace the first `old` in the text of the post at `path` with `new`; return the post's URL.

        Raises KeyError for an unknown site or post, ValueError when `old` is not in the post.
        """
        spec = self._changeable_site(site_key)
        post = next((p for p in spec.posts if p.path == path), None)
        if post is None:
            raise KeyError(f"{site_key}: no post at {path}")
        if old not in post.text:
            raise ValueError(f"{site_key}{path}: {old!r} is not in the post")
        post.text = post.text.replace(old, new, 1)
        post.body = post.body.replace(old, new, 1)
        if spec.platform == "directory":  # directories render the article itself
            post.article = dataclasses.replace(post.article, paragraphs=tuple(post.text.split("\n\n")))
        post.modified = when or _now()
        self._render_again(site_key)
        return self.url(site_key, path)

    def add_post(self, site_key: str, title: str, paragraphs: list[str], when: datetime | None = None) -> str:
        """Publish a new post (by the author of the site's newest post) dated `when`; return its URL."""
        spec = self._changeable_site(site_key)
        when = when or _now()
        newest = max(spec.posts, key=lambda p: p.published)
        article = Article(id=f"added-{len(self._corpus.articles) + 1}", title=title,
                          author=newest.article.author, date=when.date(), tags=newest.article.tags,
                          paragraphs=tuple(paragraphs), bio=newest.article.bio, copyright=None, example=None)
        self._corpus.articles[article.id] = article
        if spec.platform == "directory":
            entries, build = "articles", _directory_posts
            entry = {"article": article.id, "id": max(int(p.meta["id"]) for p in spec.posts) + 1,
                     "date": when.date().isoformat()}
        else:
            entries, build = "posts", _blog_posts
            entry = {"article": article.id, "published": when.isoformat(),
                     "labels": newest.meta.get("labels", []), "categories": newest.meta.get("categories", [])}
            if spec.platform == "wordpress":
                entry["id"] = max(int(p.meta["id"]) for p in spec.posts) + 1
        scratch = dataclasses.replace(spec, config={**spec.config, entries: [entry]}, posts=[])
        build(scratch, self._corpus.articles)
        spec.posts.extend(scratch.posts)
        if spec.platform == "wordpress":
            _number_wordpress_comments(spec)
        self._render_again(site_key)
        return self.url(site_key, scratch.posts[0].path)

    def _changeable_site(self, site_key: str):
        if not self._servers:
            raise RuntimeError("the sample web is not running: start() it first")
        if self._corpus is load_corpus():  # the shared, cached corpus: change a copy of it
            self._corpus = copy.deepcopy(self._corpus)
        try:
            return self._corpus.site(site_key)
        except StopIteration:
            raise KeyError(f"{site_key}: no such site") from None

    def _render_again(self, site_key: str) -> None:
        index = [site.key for site in self._sites].index(site_key)
        bases = {site.key: site.base_url for site in self._sites}
        renderer = renderer_for(self._corpus.site(site_key), self._corpus, bases)
        self._servers[index].app = SiteApp(self._sites[index], renderer, self._log, self._lock)


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def main(port: int = 8100) -> None:
    """Serve until Ctrl-C (or SIGTERM); print each site's start URL, one per line."""
    web = SampleWeb(port=port)
    urls = web.start()
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    try:
        for url in urls.values():
            print(url, flush=True)
        while not stop.wait(1.0):
            pass
    finally:
        web.stop()
