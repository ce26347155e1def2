"""Distributed crawling: scrapy-redis workers and the single SQLite writer, against a real redis-server.

The end-to-end test runs two worker processes and the loader over the sample web and checks that
the pages were shared out without a page fetched twice, and that the loader's database equals the
one a single-process crawl makes (conftest.crawled_db). The others check the pieces: a worker's
idle exit, the reliable queue across a loader that dies, the loader lock, the Bloom filter's error
rate and memory, seeding, the JSON form of requests in Redis, and the robots.txt fix. Tests that
need Redis skip, saying why, when redis-server is not installed.
"""

from __future__ import annotations

import collections
import gzip
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis

from pipeline.archive import archive_path_for
from tests.conftest import reprints_cmd

REDIS_SERVER = shutil.which("redis-server") or ("/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists()
                                                else None)
NO_REDIS = "redis-server is not installed (Debian package redis-server; .ci/run installs it): " \
           "the distributed crawl needs a real Redis"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory):
    """A throwaway redis-server on loopback: no persistence, its files in a temporary folder."""
    if REDIS_SERVER is None:
        pytest.skip(NO_REDIS)
    folder = tmp_path_factory.mktemp("redis")
    port = _free_port()
    proc = subprocess.Popen([REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--dir", str(folder)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                pytest.fail("redis-server did not start")
            time.sleep(0.05)
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def redis_url(redis_server):
    client = redis.Redis.from_url(redis_server)
    client.flushall()
    yield redis_server
    client.close()


@pytest.fixture
def client(redis_url):
    connection = redis.Redis.from_url(redis_url)
    yield connection
    connection.close()


# -- the whole thing: two workers and the loader over the sample web ------------------------------

IDLE_SECONDS = 2


def _worker(urls, redis_url, folder: Path, name: str) -> subprocess.Popen:
    folder.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "crawler.distributed", *urls, "--redis", redis_url, "--db", str(folder / "w.db"),
           "--no-throttle", "--idle-timeout", str(IDLE_SECONDS),
           # each worker signs its requests, so the sample web's log says who fetched what
           "--set", f"USER_AGENT=reprints/0.1 ({name}; +https://github.com/reprints/reprints)",
           # pages processed in the worker itself: two pools on a two-core CI machine only slow things
           "--set", "REPRINTS_PROCESS_WORKERS=0", *(["--set", "LOG_LEVEL=DEBUG"] if os.environ.get("DIST_DEBUG") else [])]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=open(folder / "stderr.txt", "w"))


def _loader(redis_url, db: Path, folder: Path, idle: float | None) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "pipeline.load", "--redis", redis_url, "--db", str(db)]
    if idle is not None:
        cmd += ["--idle-timeout", str(idle)]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=open(folder, "a"))


def _wait_for(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.1)


def _article_count(db: Path) -> int:
    try:
        with sqlite3.connect(db, timeout=1) as conn:
            return conn.execute("select count(*) from articles").fetchone()[0]
    except sqlite3.Error:
        return 0


def _corpus(db: Path):
    with sqlite3.connect(db) as conn:
        articles = conn.execute(
            "select a.id, a.url, a.title, a.body, a.published, au.name from articles a "
            "left join authors au on au.id = a.author_id order by a.id").fetchall()
        comments = conn.execute("select id, article_id, position, author, body, is_spam from comments "
                                "order by article_id, position").fetchall()
    return articles, comments


REDIRECTS = {301, 302, 303, 307, 308}


def _archived_fetches(folder: Path):
    """(host:port, path?query) of every response a crawl archived (the single crawl's fetches), and statuses."""
    from urllib.parse import urlsplit

    from warcio.archiveiterator import ArchiveIterator

    fetched = collections.Counter()
    statuses = collections.defaultdict(set)
    for path in sorted(folder.glob("*.warc.gz")):
        with gzip.open(path, "rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type == "response":
                    url = urlsplit(record.rec_headers.get_header("WARC-Target-URI"))
                    key = (url.netloc, url.path + (f"?{url.query}" if url.query else ""))
                    fetched[key] += 1
                    statuses[key].add(int(record.http_headers.get_statuscode()))
    return fetched, statuses


@pytest.mark.slow
def test_two_workers_and_the_loader_make_the_single_process_database(redis_url, client, sample_web, crawled_db,
                                                                      tmp_path):
    from crawler.settings import RETRY_HTTP_CODES

    before = len(sample_web.requests)
    urls = [site.start_url for site in sample_web.sites]
    started = time.monotonic()
    # The worker that seeds the five sites, then one that joins with no URL of its own (started after
    # the seeds are in: a worker leaves once the frontier has been empty for its idle timeout).
    seeding = _worker(urls, redis_url, tmp_path / "w1", "worker-1")
    _wait_for(lambda: client.exists("reprints:seeds") or seeding.poll() is not None, 40, "worker 1's seeds")
    joining = _worker([], redis_url, tmp_path / "w2", "worker-2")
    _wait_for(lambda: client.zcard("reprints:workers") >= 2 or joining.poll() is not None, 40, "worker 2")

    # The loader runs alongside, and is killed (SIGKILL: no clean-up at all) once it has written something.
    db = tmp_path / "loaded.db"
    loader = _loader(redis_url, db, tmp_path / "loader.txt", idle=None)
    _wait_for(lambda: _article_count(db) > 0 or seeding.poll() is not None, 60, "the loader's first batch")
    loader.send_signal(signal.SIGKILL)
    loader.wait(timeout=10)

    assert seeding.wait(timeout=90) == 0, (tmp_path / "w1" / "stderr.txt").read_text()[-3000:]
    assert joining.wait(timeout=30) == 0, (tmp_path / "w2" / "stderr.txt").read_text()[-3000:]
    # Workers are gone; whatever they queued waits in Redis for a loader that starts again.
    restarted = _loader(redis_url, db, tmp_path / "loader.txt", idle=1)
    assert restarted.wait(timeout=60) == 0, (tmp_path / "loader.txt").read_text()[-3000:]
    elapsed = time.monotonic() - started

    # Every page fetched exactly once across the two workers, and the same pages as the single crawl.
    # robots.txt is fetched by each worker for each site (a per-process cache in Scrapy), and a page
    # answering 500 is retried (RETRY_TIMES): both as in a single crawl.
    requests = sample_web.requests[before:]
    hosts = {site.key: site.netloc for site in sample_web.sites}
    fetched = collections.Counter((hosts[r.site], r.path) for r in requests if r.path != "/robots.txt")
    statuses = collections.defaultdict(set)
    for r in requests:
        statuses[(hosts[r.site], r.path)].add(r.status)
    twice = {key: n for key, n in fetched.items() if n > 1}
    assert all(statuses[key] <= set(RETRY_HTTP_CODES) for key in twice), twice
    # The same pages as the single crawl, but for redirects: the directory navigation walks the links
    # of an article page it reached through a listing, not through the sitemap, so which short URLs
    # (/981245 -> the article) get fetched depends on which route came first, in one process or two.
    single, single_status = _archived_fetches(archive_path_for(crawled_db))
    single = collections.Counter({key: n for key, n in single.items() if key[1] != "/robots.txt"})
    assert all(statuses[key] <= REDIRECTS for key in set(fetched) - set(single)), set(fetched) - set(single)
    assert all(single_status[key] <= REDIRECTS for key in set(single) - set(fetched)), set(single) - set(fetched)
    assert all(fetched[key] == single[key] for key in set(fetched) & set(single))

    by_worker = collections.Counter(r.user_agent.split("(")[1].split(";")[0] for r in requests
                                    if r.path != "/robots.txt")
    assert set(by_worker) == {"worker-1", "worker-2"} and min(by_worker.values()) > 0, by_worker
    robots = collections.Counter((r.user_agent, r.site) for r in requests if r.path == "/robots.txt")
    assert max(robots.values()) == 1

    # The database equals the single-process crawl's: articles and comments, field for field, once
    # dedup has run over it with the workers' archives (which a single crawl ends with).
    archives = [str(archive_path_for(tmp_path / worker / "w.db")) for worker in ("w1", "w2")]
    cluster = subprocess.run(reprints_cmd("dedup", "--db", str(db), "--archive", archives[0], "--archive", archives[1]),
                             capture_output=True, text=True)
    assert cluster.returncode == 0, cluster.stderr
    assert "restyle: " in cluster.stderr
    got_articles, got_comments = _corpus(db)
    want_articles, want_comments = _corpus(crawled_db)
    assert [a[1] for a in got_articles] == [a[1] for a in want_articles]
    assert got_articles == want_articles
    assert got_comments == want_comments

    # Nothing left behind in Redis; the run is recorded with the workers' page counts.
    assert client.llen("reprints:items") == 0 and client.llen("reprints:items:processing") == 0
    assert client.llen("reprints:items:rejected") == 0
    assert client.zcard("reprints:workers") == 0
    with sqlite3.connect(db) as conn:
        runs = conn.execute("select status, pages from crawls where spider = 'redis' order by id").fetchall()
    assert runs[-1][0] == "finished"
    assert all(status == "interrupted" for status, _ in runs[:-1])
    # what the workers reported (their response_received_count: redirects and retried answers aside)
    assert runs[-1][1] >= sum(1 for key in fetched if not statuses[key] <= REDIRECTS | set(RETRY_HTTP_CODES))
    assert elapsed < 120


def test_a_worker_leaves_once_the_frontier_has_stayed_empty(redis_url, client, tmp_path):
    started = time.monotonic()
    worker = _worker([], redis_url, tmp_path / "w", "idle")
    _wait_for(lambda: client.zcard("reprints:workers") == 1 or worker.poll() is not None, 40, "registration")
    registered = time.monotonic()
    assert worker.wait(timeout=30) == 0, (tmp_path / "w" / "stderr.txt").read_text()[-2000:]
    assert time.monotonic() - registered >= IDLE_SECONDS - 0.5
    assert time.monotonic() - started < 40
    assert client.zcard("reprints:workers") == 0  # it says goodbye ...
    message = json.loads(client.lpop("reprints:items"))  # ... and tells the loader, with its stats
    assert (message["type"], message["reason"]) == ("worker_closed", "finished")
    assert message["stats"]["finish_reason"] == "finished" and message["stats"]["elapsed_time_seconds"] > 0


# -- the reliable queue -----------------------------------------------------------------------------

def _push_articles(client, count: int, start: int = 0):
    from pipeline.load import article_message
    from pipeline.model import Article, Comment

    for i in range(start, start + count):
        article = Article(url=f"http://blog.example/{i}.html", platform="blogger", title=f"Post {i}",
                          author="Roger Smith", published="2008-03-01", paragraphs=[f"Body of post {i}."],
                          comments=[Comment(author="reader", body=f"comment on {i}", spam_score=0.1)],
                          repairs={"stray_bang": i % 3})
        client.rpush("reprints:items", article_message(article, [article.url], "test"))


class Died(Exception):
    pass


def test_a_loader_killed_after_its_commit_loses_nothing_and_duplicates_nothing(client, tmp_path):
    from pipeline.load import Loader

    _push_articles(client, 25)
    db = str(tmp_path / "r.db")

    def die(batch):
        raise Died  # after SQLite committed, before the batch was acknowledged in Redis

    with pytest.raises(Died):
        Loader(client, db, batch_size=10, batch_seconds=0.1).run(idle_timeout=0.2, after_commit=die)
    assert client.llen("reprints:items:processing") == 10  # the batch in hand stays, unacknowledged
    assert client.llen("reprints:items") == 15

    summary = Loader(client, db, batch_size=10, batch_seconds=0.1).run(idle_timeout=0.2)
    assert summary.requeued == 10 and summary.status == "finished"
    assert (summary.new, summary.unchanged) == (15, 10)  # written twice, changed nothing
    assert client.llen("reprints:items:processing") == 0 and client.llen("reprints:items") == 0
    with sqlite3.connect(db) as conn:
        assert conn.execute("select count(*), count(distinct url) from articles").fetchone() == (25, 25)
        assert conn.execute("select count(*) from comments").fetchone()[0] == 25
        statuses = [row[0] for row in conn.execute("select status from crawls order by id")]
    assert statuses == ["failed", "finished"]


def test_a_loader_killed_before_its_commit_leaves_the_batch_for_the_next(client, tmp_path):
    from pipeline.load import Loader

    _push_articles(client, 7)
    # What SIGKILL in the middle of a batch leaves: messages moved to the processing list, nothing written.
    for _ in range(4):
        client.lmove("reprints:items", "reprints:items:processing", "LEFT", "RIGHT")
    summary = Loader(client, str(tmp_path / "r.db")).run(idle_timeout=0.2)
    assert (summary.requeued, summary.new) == (4, 7)
    with sqlite3.connect(tmp_path / "r.db") as conn:
        urls = [row[0] for row in conn.execute("select url from articles order by rowid")]
    assert urls == [f"http://blog.example/{i}.html" for i in range(7)]  # order kept


def test_the_loader_rebuilds_articles_exactly(client, tmp_path):
    from pipeline.load import article_from_dict
    from pipeline.model import Article, Comment

    article = Article(url="http://x.example/a", platform="wordpress", site_name="X", title="T", author="A",
                      author_url="http://a.example", posted_by="P", published="2010-01-02T03:04:05+00:00",
                      categories=["mlm", "leads"], paragraphs=["One \u2019quote\u2019.", "Two!"], body_html="<p>x</p>",
                      comments=[Comment("c", "http://c.example", "2010-01-03", "hi", True, 0.875, ["link farm"])],
                      feed_url="http://x.example/feed", bio="Bio", syndicated_from="http://src.example",
                      repairs={"lost_char": 2}, topic_score=0.4321, language="en")
    rebuilt = article_from_dict(json.loads(json.dumps(article.to_dict())))
    assert rebuilt == article


def test_unreadable_messages_are_kept_aside_not_dropped(client, tmp_path):
    from pipeline.load import Loader

    client.rpush("reprints:items", b"not json")
    _push_articles(client, 2)
    client.rpush("reprints:items", json.dumps({"v": 1, "type": "article", "article": {"title": "no url"}}))
    summary = Loader(client, str(tmp_path / "r.db")).run(idle_timeout=0.2)
    assert (summary.new, summary.rejected) == (2, 2)
    kept = [json.loads(m) for m in client.lrange("reprints:items:rejected", 0, -1)]
    assert [k["message"] for k in kept][0] == "not json"


def test_one_loader_at_a_time(client, tmp_path):
    from pipeline.load import LoadError, Loader

    client.set("reprints:loader", "another-host:1234:abcd", px=60_000)
    with pytest.raises(LoadError, match="another loader is running"):
        Loader(client, str(tmp_path / "r.db")).run(idle_timeout=0.1)
    # A lock left by a loader that died on this machine is taken over at once.
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    client.set("reprints:loader", f"{socket.gethostname()}:{dead.stdout.strip()}:abcd", px=60_000)
    assert Loader(client, str(tmp_path / "r.db")).run(idle_timeout=0.1).status == "finished"
    assert client.get("reprints:loader") is None  # released on exit


def test_the_loader_waits_for_live_workers(client, tmp_path):
    from pipeline.load import Loader

    now = int(client.time()[0])
    client.zadd("reprints:workers", {"w": now + 2})  # a worker that stops renewing its registration
    started = time.monotonic()
    Loader(client, str(tmp_path / "r.db")).run(idle_timeout=0.3)
    assert time.monotonic() - started >= 1.0  # waited for the registration to expire


# -- the Bloom filter -------------------------------------------------------------------------------

def test_bloom_sizing():  # no Redis needed
    from crawler.distributed import bloom_false_positive_rate, bloom_size

    bits, hashes = bloom_size(10_000_000, 1e-6)
    assert hashes == 20 and 34 <= bits / 8 / 2 ** 20 <= 35  # 34 MiB for ten million requests
    assert bloom_false_positive_rate(bits, hashes, 10_000_000) <= 1.01e-6
    with pytest.raises(ValueError, match="REPRINTS_BLOOM_CAPACITY"):
        bloom_size(2_000_000_000, 1e-9)


def test_bloom_false_positives_stay_bounded_and_memory_stays_constant(client):
    from crawler.distributed import BloomDupeFilter

    capacity, rate = 5_000, 0.01
    bloom = BloomDupeFilter(client, "test:bloom", capacity=capacity, error_rate=rate)
    size = bloom.memory_bytes()
    assert size == (bloom.bits + 7) // 8

    def fingerprints(n, salt):
        return [f"{salt}-{i}".encode() for i in range(n)]

    inserted = fingerprints(capacity, "in")
    assert all(bloom.add(fp) for fp in inserted[:50]) is True
    for fp in inserted[50:]:
        bloom.add(fp)
    assert bloom.memory_bytes() == size
    assert not any(bloom.add(fp) for fp in inserted[:1000])  # no false negatives, ever
    fresh = fingerprints(10_000, "out")
    false_positives = sum(bloom.contains(fp) for fp in fresh)
    assert false_positives / len(fresh) <= 2 * rate  # expected ~rate at capacity

    # Three times over capacity: still the same bytes (the rate rises, and the log says so).
    for fp in fingerprints(2 * capacity, "more"):
        bloom.add(fp)
    assert bloom.memory_bytes() == size
    assert bloom.count() <= 3 * capacity


def test_the_dupefilter_is_shared_by_workers(redis_url):
    from scrapy import Request
    from scrapy.utils.request import RequestFingerprinter

    from crawler.distributed import BloomDupeFilter

    first = BloomDupeFilter(redis.Redis.from_url(redis_url), "reprints:dupefilter", capacity=1000, error_rate=1e-4,
                            fingerprinter=RequestFingerprinter())
    second = BloomDupeFilter(redis.Redis.from_url(redis_url), "reprints:dupefilter", capacity=99, error_rate=0.5,
                             fingerprinter=RequestFingerprinter())
    assert (second.bits, second.hashes) == (first.bits, first.hashes)  # the first opener's size holds
    assert not first.request_seen(Request("http://a.example/page?b=2&a=1"))
    assert second.request_seen(Request("http://a.example/page?a=1&b=2"))  # canonical URL, other worker
    assert not second.request_seen(Request("http://a.example/other"))
    first.close("finished")
    assert second.request_seen(Request("http://a.example/other"))  # closing keeps the shared filter


# -- seeding, requests in Redis ---------------------------------------------------------------------

def _stub_worker(redis_url):
    from types import SimpleNamespace

    from scrapy.settings import Settings
    from scrapy.statscollectors import MemoryStatsCollector

    from crawler.distributed import RedisWorker

    crawler = SimpleNamespace(settings=Settings({"REDIS_URL": redis_url, "CONCURRENT_REQUESTS": 4}))
    crawler.stats = MemoryStatsCollector(crawler)
    return RedisWorker(crawler)


def test_seeding_starts_a_new_crawl_only_when_nothing_is_under_way(redis_url, client):
    from crawler.distributed import BloomDupeFilter

    bloom = BloomDupeFilter(client, "reprints:dupefilter", capacity=1000, error_rate=0.01)
    bloom.add(b"seen-last-time")
    worker = _stub_worker(redis_url)
    assert worker.seed(["http://a.example/"], "blogger") is True  # nothing under way: a new crawl
    assert bloom.count() == 0 and bloom.memory_bytes() == (bloom.bits + 7) // 8
    assert client.smembers("reprints:hosts") == {b"a.example"}
    # Seeds already waiting (or an active worker): later seeds join the crawl, the filter is kept.
    bloom.add(b"seen-now")
    assert worker.seed(["http://b.example/"], None) is False
    client.delete("reprints:start_urls")
    client.zadd("reprints:workers:active", {"another": int(client.time()[0]) + 30})
    assert worker.seed(["http://c.example/"], None) is False
    assert bloom.count() == 1
    assert json.loads(client.lpop("reprints:start_urls")) == {"url": "http://c.example/", "meta": {"platform": None}}


def test_a_worker_that_takes_work_is_active_at_once(redis_url, client):
    """Seeding while another worker holds the crawl's only pages (frontier empty) must not start a new crawl."""
    from types import SimpleNamespace

    from crawler.distributed import RequestQueue, RequestSerializer

    first, second = _stub_worker(redis_url), _stub_worker(redis_url)
    assert first.seed(["http://a.example/"], None) is True
    first.crawler.spider = SimpleNamespace(allowed_domains=[], platform=None)
    assert len(first.take_seeds()) == 1  # the frontier is empty now, and `first` holds the page
    assert client.zscore("reprints:workers:active", first.worker_id) is not None
    assert second.seed(["http://a.example/"], None) is False  # joins the crawl: the filter is kept
    # Taking a request from the shared queue marks a worker active the same way.
    client.delete("reprints:workers:active")
    queue = RequestQueue(client, SimpleNamespace(name="auto"), "reprints:requests", RequestSerializer)
    queue.active_key, queue.worker_id, queue.generation_key = "reprints:workers:active", "w9", "reprints:dupefilter:generation"
    assert queue.pop() is None and client.zcard("reprints:workers:active") == 0  # nothing taken: not active
    client.zadd("reprints:requests", {RequestSerializer.dumps({"url": "http://a.example/x", "meta": {}}): 0})
    assert queue.pop().url == "http://a.example/x"
    assert client.zscore("reprints:workers:active", "w9") is not None


def test_a_worker_forgets_what_it_cached_when_a_new_crawl_begins(redis_url, client):
    from scrapy import Request
    from scrapy.utils.request import RequestFingerprinter

    from crawler.distributed import BloomDupeFilter

    worker = _stub_worker(redis_url)
    assert worker.seed(["http://a.example/"], None) is True
    bloom = BloomDupeFilter(client, "reprints:dupefilter", capacity=1000, error_rate=0.01,
                            fingerprinter=RequestFingerprinter(), local_cache=100)
    page = Request("http://a.example/page")
    assert not bloom.request_seen(page)
    assert bloom.request_seen(page) and bloom.request_seen(page)  # the second and third without Redis
    client.delete("reprints:start_urls")  # the crawl ran out: the next seeding starts a new one
    assert worker.seed(["http://a.example/"], None) is True
    assert bloom.request_seen(page)  # stale until the worker hears of the new generation ...
    bloom.observe_generation(client.get("reprints:dupefilter:generation"))  # ... with its next pop
    assert not bloom.request_seen(page)


def test_requests_travel_as_json_with_what_they_carry(redis_url):
    import pickle

    from scrapy import Request

    from crawler.distributed import RequestSerializer
    from crawler.items import PostPage

    page = PostPage("http://w.example/post/", "wordpress", "<html>\u2019</html>", [("http://w.example/p2/", "<p>")])
    data = {"url": "http://w.example/post/comment-page-2/", "headers": {b"Referer": [b"http://w.example/"]},
            "body": b"", "meta": {"depth": 2, "redirect_urls": ["http://w.example/x"], "pair": (1, 2)},
            "cb_kwargs": {"page": page, "pending": []}, "callback": "_parse_comment_page"}
    text = RequestSerializer.dumps(data)
    assert json.loads(text)  # plain JSON: nothing in Redis can run code on a worker
    assert RequestSerializer.loads(text) == data
    with pytest.raises(ValueError):
        RequestSerializer.loads(pickle.dumps(Request("http://evil.example/").to_dict()))
