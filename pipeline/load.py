"""The single SQLite writer behind distributed crawl workers (`reprints load --redis URL`).

Workers (crawler/distributed.py) fetch, extract, clean and judge pages, then push each
article as one JSON message onto a Redis list. SQLite has one writer, so one loader pops
those messages and upserts them with `pipeline.store.save_articles`, in batches.

Nothing is lost when the loader stops, however it stops (the reliable-queue pattern):

    items --LMOVE--> items:processing --(SQLite commit)--> deleted

A batch is moved atomically onto the processing list, written in one transaction, and only
then deleted. A loader killed between the two leaves its batch on the processing list; the
next loader puts it back at the head of the queue before anything else, and writes it again.
Writes are upserts on stable keys, so writing a batch twice changes nothing.

One loader at a time: a lock key names the holder (host:pid) and expires unless renewed,
so a killed loader's lock is taken over at once on the same machine, after LOCK_SECONDS
elsewhere.

This module owns the Redis key names (`RedisKeys`); crawler/distributed.py imports them
(pipeline never imports crawler).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import signal
import socket
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from pipeline.model import Article, Comment
from pipeline.processes import process_alive
from pipeline.store import article_id, finish_crawl, open_db, save_articles, start_crawl

logger = logging.getLogger(__name__)

MESSAGE_VERSION = 1
DEFAULT_PREFIX = "reprints"
# Articles per SQLite transaction, and the longest a popped article waits for its batch to fill.
BATCH_SIZE = 200
BATCH_SECONDS = 1.0
# How long one blocking pop waits before the loop looks at its stop flag and idle clock.
POP_BLOCK_SECONDS = 0.5
# The loader lock lives this long unless renewed (renewed on every loop, at least every second).
LOCK_SECONDS = 15
PROGRESS_EVERY_SECONDS = 5.0

# Move up to ARGV[1] messages from the head of KEYS[1] to the tail of KEYS[2], atomically.
_POP_BATCH = """
local out = {}
for i = 1, tonumber(ARGV[1]) do
  local value = redis.call('LMOVE', KEYS[1], KEYS[2], 'LEFT', 'RIGHT')
  if not value then break end
  out[#out + 1] = value
end
return out
"""
# Put every message of the processing list KEYS[1] back at the head of the queue KEYS[2], in order.
_REQUEUE = """
local n = 0
while redis.call('LMOVE', KEYS[1], KEYS[2], 'RIGHT', 'LEFT') do n = n + 1 end
return n
"""
# Renew the lock KEYS[1] for ARGV[2] ms if ARGV[1] still holds it; 1 if renewed.
_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""
# Delete the lock KEYS[1] if ARGV[1] holds it.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""
# Replace the lock KEYS[1] held by ARGV[1] (a dead loader) with ARGV[2].
_TAKE_OVER = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return 1
end
return 0
"""


@dataclass(frozen=True)
class RedisKeys:
    """Every Redis key a distributed crawl uses, under one prefix (`--redis-prefix`, default "reprints")."""

    prefix: str = DEFAULT_PREFIX

    @property
    def items(self) -> str:  # list: article messages waiting for the loader (workers RPUSH)
        return f"{self.prefix}:items"

    @property
    def processing(self) -> str:  # list: the batch the loader is writing now
        return f"{self.prefix}:items:processing"

    @property
    def rejected(self) -> str:  # list: messages the loader could not read, kept for a person to look at
        return f"{self.prefix}:items:rejected"

    @property
    def loader_lock(self) -> str:
        return f"{self.prefix}:loader"

    @property
    def workers(self) -> str:  # sorted set: live workers, scored by when their registration expires
        return f"{self.prefix}:workers"

    @property
    def active(self) -> str:  # sorted set: workers that took work lately (see crawler/distributed.py)
        return f"{self.prefix}:workers:active"

    @property
    def requests(self) -> str:  # scrapy-redis's shared request queue (the frontier)
        return f"{self.prefix}:requests"

    @property
    def start_urls(self) -> str:  # scrapy-redis's start-URL list (JSON {"url", "meta"})
        return f"{self.prefix}:start_urls"

    @property
    def dupefilter(self) -> str:  # the Bloom filter's bitmap (+ ":count", ":params")
        return f"{self.prefix}:dupefilter"

    @property
    def seeds(self) -> str:  # set: the start URLs of the current crawl
        return f"{self.prefix}:seeds"

    @property
    def hosts(self) -> str:  # set: their host names, the crawl's allowed domains
        return f"{self.prefix}:hosts"


class LoadError(Exception):
    """The loader cannot start: Redis unreachable, another loader running, database unusable."""


@dataclass
class LoadSummary:
    """What one loader run wrote, and what the workers that finished meanwhile reported."""

    loaded: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    requeued: int = 0  # messages a previous loader had taken but not written, put back at start
    rejected: int = 0
    batches: int = 0
    workers_finished: list[str] = field(default_factory=list)
    pages: int = 0
    errors: int = 0
    worker_stats: dict = field(default_factory=dict)
    status: str = ""
    crawl_id: int | None = None


# -- messages ---------------------------------------------------------------------------------------

def article_message(article: Article, page_urls: list[str], worker: str) -> str:
    """The JSON message a worker pushes for one cleaned article."""
    return json.dumps({"v": MESSAGE_VERSION, "type": "article", "worker": worker, "page_urls": page_urls,
                       "article": article.to_dict()}, ensure_ascii=False, default=str)


def worker_message(worker: str, reason: str, stats: dict, seeds: list[str]) -> str:
    """The JSON message a worker pushes when it closes: why, and its Scrapy stats."""
    return json.dumps({"v": MESSAGE_VERSION, "type": "worker_closed", "worker": worker, "reason": reason,
                       "seeds": seeds, "stats": stats}, ensure_ascii=False, default=str)


_ARTICLE_FIELDS = {f.name for f in dataclasses.fields(Article)} - {"comments"}
_COMMENT_FIELDS = {f.name for f in dataclasses.fields(Comment)}


def article_from_dict(data: dict) -> Article:
    """Rebuild an Article from `Article.to_dict()` (derived and unknown keys are ignored)."""
    kwargs = {key: value for key, value in data.items() if key in _ARTICLE_FIELDS}
    if not isinstance(kwargs.get("url"), str):
        raise ValueError("article without a url")
    kwargs["comments"] = [Comment(**{k: v for k, v in c.items() if k in _COMMENT_FIELDS})
                          for c in data.get("comments") or []]
    return Article(**kwargs)


# -- the loader -------------------------------------------------------------------------------------

def connect(redis_url: str, block_seconds: float = POP_BLOCK_SECONDS):
    """A Redis client for the loader; LoadError naming the URL when Redis does not answer."""
    import redis

    try:
        client = redis.Redis.from_url(redis_url, socket_timeout=block_seconds + 30, socket_connect_timeout=10)
        client.ping()
    except (redis.RedisError, ValueError) as exc:
        raise LoadError(f"{redis_url}: cannot reach Redis ({exc})") from None
    return client


class Loader:
    """Pops article messages from Redis and writes them to SQLite; see the module docstring."""

    def __init__(self, client, db_path: str, prefix: str = DEFAULT_PREFIX, batch_size: int = BATCH_SIZE,
                 batch_seconds: float = BATCH_SECONDS, block_seconds: float = POP_BLOCK_SECONDS):
        self.redis = client
        self.db_path = db_path
        self.keys = RedisKeys(prefix)
        self.batch_size = batch_size
        self.batch_seconds = batch_seconds
        self.block_seconds = block_seconds
        self.summary = LoadSummary()
        self.stop_requested = threading.Event()
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._pop_batch = client.register_script(_POP_BATCH)
        self._requeue = client.register_script(_REQUEUE)
        self._renew = client.register_script(_RENEW)
        self._release = client.register_script(_RELEASE)
        self._take_over = client.register_script(_TAKE_OVER)
        self.db = None
        self._last_renew = 0.0

    # -- lifecycle ----------------------------------------------------------------------------------
    def run(self, idle_timeout: float | None = None, progress: Callable[[LoadSummary, int, int], None] | None = None,
            after_commit: Callable[[list[bytes]], None] | None = None) -> LoadSummary:
        """Load until stopped, or until the queue has been empty with no live worker for `idle_timeout` s.

        `after_commit` is called after each SQLite commit, before the batch is acknowledged (tests
        use it to play a loader that dies at the worst moment).
        """
        self._lock()
        try:
            self.summary.requeued = int(self._requeue(keys=[self.keys.processing, self.keys.items]))
            if self.summary.requeued:
                logger.info("put back %d messages a stopped loader had taken", self.summary.requeued)
            from pipeline.store import StoreError

            try:
                self.db = open_db(self.db_path)
            except StoreError as exc:
                raise LoadError(str(exc)) from None
            self._close_abandoned_runs()
            seeds = sorted(s.decode() for s in self.redis.smembers(self.keys.seeds))
            self.summary.crawl_id = start_crawl(self.db, "redis", seeds)
            self.summary.status = "running"
            try:
                self._loop(idle_timeout, progress, after_commit)
                self.summary.status = "stopped" if self.stop_requested.is_set() else "finished"
            except BaseException:
                self.summary.status = "failed"
                raise
            finally:
                self._record()
        finally:
            if self.db is not None:
                self.db.close()
            self._unlock()
        return self.summary

    def stop(self, *_args) -> None:
        """Finish the batch in hand, then stop (a signal handler)."""
        self.stop_requested.set()

    def _loop(self, idle_timeout, progress, after_commit) -> None:
        idle_since = time.monotonic()
        last_progress = time.monotonic()
        while not self.stop_requested.is_set():
            self._keep_lock()
            messages = self._take_batch()
            now = time.monotonic()
            if messages:
                self._write(messages, after_commit)
                idle_since = now
            elif self._live_workers() or self.redis.llen(self.keys.items):
                idle_since = now
            elif idle_timeout is not None and now - idle_since >= idle_timeout:
                break
            if progress and now - last_progress >= PROGRESS_EVERY_SECONDS:
                last_progress = now
                progress(self.summary, self.redis.llen(self.keys.items), self._live_workers())

    def _take_batch(self) -> list[bytes]:
        """Move up to batch_size messages onto the processing list: wait for the first, then fill."""
        first = self.redis.blmove(self.keys.items, self.keys.processing, self.block_seconds, "LEFT", "RIGHT")
        if first is None:
            return []
        batch = [first]
        deadline = time.monotonic() + self.batch_seconds
        while len(batch) < self.batch_size and not self.stop_requested.is_set():
            batch += self._pop_batch(keys=[self.keys.items, self.keys.processing],
                                     args=[self.batch_size - len(batch)])
            remaining = deadline - time.monotonic()
            if len(batch) >= self.batch_size or remaining <= 0:
                break
            more = self.redis.blmove(self.keys.items, self.keys.processing, min(remaining, self.block_seconds),
                                     "LEFT", "RIGHT")
            if more is None:
                break
            batch.append(more)
        return batch

    def _write(self, messages: list[bytes], after_commit) -> None:
        """Write a batch (split so that no article appears twice in one transaction), then acknowledge it."""
        articles: list[Article] = []
        ids: set[str] = set()
        for raw in messages:
            kind, payload = self._read(raw)
            if kind == "article":
                key = article_id(payload.url)
                if key in ids:  # the same page twice (a re-crawl queued behind the first): keep both versions
                    self._save(articles)
                    articles, ids = [], set()
                articles.append(payload)
                ids.add(key)
            elif kind == "worker_closed":
                self._note_worker(payload)
        self._save(articles)
        if after_commit is not None:
            after_commit(messages)
        # Acknowledge: the processing list holds exactly this batch (one loader at a time).
        self.redis.delete(self.keys.processing)
        self.summary.batches += 1

    def _read(self, raw: bytes):
        try:
            message = json.loads(raw)
            if message.get("type") == "article":
                article = article_from_dict(message["article"])
                return "article", article
            if message.get("type") == "worker_closed":
                return "worker_closed", message
            raise ValueError(f"unknown message type {message.get('type')!r}")
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            # Never dropped: kept on a list of their own, with the reason, for a person to look at.
            kept = {"reason": str(exc), "message": raw.decode("utf-8", "replace")}
            self.redis.rpush(self.keys.rejected, json.dumps(kept, ensure_ascii=False))
            self.summary.rejected += 1
            logger.warning("rejected a message (%s); kept on %s", exc, self.keys.rejected)
            return "rejected", None

    def _save(self, articles: list[Article]) -> None:
        if not articles:
            return
        statuses = save_articles(self.db, articles, self.summary.crawl_id)
        for status in statuses:
            setattr(self.summary, status, getattr(self.summary, status) + 1)
        self.summary.loaded += len(articles)

    def _note_worker(self, message: dict) -> None:
        worker = str(message.get("worker"))
        stats = message.get("stats") or {}
        self.summary.workers_finished.append(worker)
        self.summary.worker_stats[worker] = {"reason": message.get("reason"), "stats": stats}
        self.summary.pages += int(stats.get("response_received_count", 0) or 0)
        self.summary.errors += sum(v for k, v in stats.items()
                                   if k.startswith(("reprints/errors/", "httperror/response_ignored_status_count/"))
                                   and isinstance(v, int))

    def _live_workers(self) -> int:
        now = self.redis.time()[0]
        return int(self.redis.zcount(self.keys.workers, now, "+inf"))

    def _record(self) -> None:
        if self.db is None or self.summary.crawl_id is None:
            return
        totals: dict[str, float] = {}
        for entry in self.summary.worker_stats.values():
            for key, value in entry["stats"].items():
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    totals[key] = totals.get(key, 0) + value
        s = self.summary
        stats = {"loader": {"loaded": s.loaded, "new": s.new, "updated": s.updated, "unchanged": s.unchanged,
                            "requeued": s.requeued, "rejected": s.rejected, "batches": s.batches},
                 "workers": s.worker_stats, "totals": totals}
        finish_crawl(self.db, s.crawl_id, s.status,
                     {"pages": s.pages, "new": s.new, "updated": s.updated, "errors": s.errors + s.rejected}, stats)

    def _close_abandoned_runs(self) -> None:
        """Earlier loader runs still marked running were killed (we hold the only lock): say so."""
        with self.db.conn:
            self.db.execute("update crawls set status = 'interrupted' where spider = 'redis' and status = 'running'")

    # -- the one-writer lock -----------------------------------------------------------------------
    def _lock(self) -> None:
        key = self.keys.loader_lock
        ms = LOCK_SECONDS * 1000
        if self.redis.set(key, self.holder, nx=True, px=ms):
            self._last_renew = time.monotonic()
            return
        current = self.redis.get(key)
        holder = current.decode() if current else ""
        host, _, rest = holder.partition(":")
        pid = rest.partition(":")[0]
        if host == socket.gethostname() and pid.isdigit() and not process_alive(int(pid)):
            if self._take_over(keys=[key], args=[holder, self.holder, ms]):
                logger.info("took over the lock of a loader that is no longer running (%s)", holder)
                self._last_renew = time.monotonic()
                return
        elif not holder and self.redis.set(key, self.holder, nx=True, px=ms):
            self._last_renew = time.monotonic()
            return
        raise LoadError(f"another loader is running ({holder}); SQLite takes one writer: stop it first, "
                        f"or wait {LOCK_SECONDS}s if it was killed on another machine")

    def _keep_lock(self) -> None:
        if time.monotonic() - self._last_renew < 1.0:
            return
        if not self._renew(keys=[self.keys.loader_lock], args=[self.holder, LOCK_SECONDS * 1000]):
            raise LoadError("lost the loader lock (this loader stalled too long, and another may have started)")
        self._last_renew = time.monotonic()

    def _unlock(self) -> None:
        try:
            self._release(keys=[self.keys.loader_lock], args=[self.holder])
        except Exception:  # the lock expires by itself
            logger.warning("could not release the loader lock; it expires in %ss", LOCK_SECONDS)


def run_loader(redis_url: str, db_path: str, prefix: str = DEFAULT_PREFIX, idle_timeout: float | None = None,
               batch_size: int = BATCH_SIZE, progress: bool = True) -> LoadSummary:
    """`reprints load`: connect, stop cleanly on SIGINT/SIGTERM, report progress on stderr."""
    import redis

    loader = Loader(connect(redis_url), db_path, prefix, batch_size=batch_size)
    previous = {}
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous[signum] = signal.signal(signum, loader.stop)
    try:
        return loader.run(idle_timeout, _print_progress if progress else None)
    except redis.RedisError as exc:
        # Whatever was taken and not written is still on the processing list: the next loader writes it.
        raise LoadError(f"{redis_url}: lost Redis ({exc}); nothing is lost, start the loader again") from None
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _print_progress(summary: LoadSummary, queued: int, workers: int) -> None:
    print(f"loading: {summary.loaded} articles written ({summary.new} new, {summary.updated} updated), "
          f"{queued} queued, {workers} workers live", file=sys.stderr, flush=True)


def describe(summary: LoadSummary) -> str:
    """The one-line report `reprints load` ends with."""
    parts = [f"loaded {summary.loaded} articles ({summary.new} new, {summary.updated} updated, "
             f"{summary.unchanged} unchanged) in {summary.batches} batches"]
    if summary.workers_finished:
        parts.append(f"{len(summary.workers_finished)} workers finished, {summary.pages} pages, "
                     f"{summary.errors} errors")
    if summary.requeued:
        parts.append(f"{summary.requeued} messages recovered from a stopped loader")
    if summary.rejected:
        parts.append(f"{summary.rejected} unreadable messages kept on the rejected list")
    return "; ".join(parts)


def main(argv: list[str] | None = None) -> int:
    """`python -m pipeline.load --redis URL [--db PATH] [--idle-timeout S]` (what `reprints load` runs)."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m pipeline.load", description=main.__doc__)
    parser.add_argument("--redis", required=True, help="redis://HOST:PORT[/DB]")
    parser.add_argument("--db", default="reprints.db")
    parser.add_argument("--idle-timeout", type=float, default=None,
                        help="exit once the queue has been empty, with no live worker, this many seconds")
    parser.add_argument("--redis-prefix", default=DEFAULT_PREFIX)
    parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    try:
        summary = run_loader(args.redis, args.db, args.redis_prefix, args.idle_timeout, args.batch_size)
    except LoadError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    print(describe(summary), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
