"""Distributed crawling on scrapy-redis: any number of workers share one frontier in Redis.

`reprints crawl ... --redis redis://HOST:PORT` turns a crawl process into a worker by settings
alone (`configure_worker`); every spider works unchanged:

- the frontier is scrapy-redis's shared request queue (its Scheduler and PriorityQueue), with
  SCHEDULER_PERSIST on: the first worker to finish must not wipe the queue the others still use;
- the duplicate filter is a Bloom filter in one fixed-size Redis bitmap (`BloomDupeFilter`), so its
  memory is set by REPRINTS_BLOOM_CAPACITY and REPRINTS_BLOOM_ERROR_RATE, not by the crawl's length
  (scrapy-redis's own filter keeps every fingerprint in a set that grows without limit);
- start URLs become seeds on scrapy-redis's start-URL list (`{"url", "meta": {"platform"}}`); a seed is
  fetched like any start URL, through the duplicate filter, so it is fetched once however many
  commands seed it;
- workers run ProcessPipeline and TopicFilterPipeline, then push each article as JSON to a Redis
  list (`RedisItemPipeline`) instead of writing SQLite; `reprints load` (pipeline/load.py) is the
  single writer;
- a worker exits once the frontier has stayed empty for MAX_IDLE_TIME_BEFORE_CLOSE seconds
  (scrapy-redis's setting name; 0 waits for ever).

Why not scrapy-redis's RedisSpider: under Scrapy 2.19 its `start_requests()` is never called (start
URLs then only arrive through `spider_idle`), and its idle clock is a class attribute set at import
time, so a worker that has run longer than MAX_IDLE_TIME_BEFORE_CLOSE closes at the first moment its
downloader is empty, although the other workers are still adding pages to the frontier. `RedisWorker`
keeps the same start-URL format and setting names with a per-worker idle clock.

Two things stay with the worker that holds them, not in Redis: a request that carries a fetched post
(the further comment pages of a WordPress post, `cb_kwargs["page"]`) is queued locally, so a post's
pages are fetched and archived by one worker; and robots.txt is fetched once per worker and site.
Requests in Redis are JSON, not pickle: any client of the Redis server could otherwise run code on
every worker.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import logging
import math
import inspect
import os
import socket
import sys
import time
import uuid
from collections import deque
from pathlib import Path
from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.downloadermiddlewares.offsite import OffsiteMiddleware
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.utils.misc import load_object
from scrapy.utils.request import request_from_dict
from scrapy_redis.connection import get_redis_from_settings
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler
from twisted.internet import task

from crawler.items import PostPage
from pipeline.load import DEFAULT_PREFIX, RedisKeys, article_message, worker_message

logger = logging.getLogger(__name__)

# Named settings, with their defaults (crawler/settings.py may set them).
DEFAULTS = {
    "REPRINTS_REDIS_PREFIX": DEFAULT_PREFIX,
    # scrapy-redis's name: seconds the frontier must stay empty before a worker exits (0: never).
    "MAX_IDLE_TIME_BEFORE_CLOSE": 60,
    # How often an idle worker looks at Redis for new work (Scrapy's own heartbeat is 5 s).
    "REPRINTS_REDIS_POLL_SECONDS": 0.5,
    # A worker's registration lives this long unless renewed (every third of it).
    "REPRINTS_WORKER_TTL": 15,
    # The Bloom filter: the number of distinct requests it is sized for, and its false-positive
    # rate at that number (a false positive is a page never fetched). 10M at 1e-6: 34 MiB, 20 hashes.
    "REPRINTS_BLOOM_CAPACITY": 10_000_000,
    "REPRINTS_BLOOM_ERROR_RATE": 1e-6,
    # Fingerprints a worker remembers having checked, to spare a Redis round trip for links it meets
    # again (navigation repeats on every page); cleared when full (about 100 bytes each).
    "REPRINTS_DUPEFILTER_LOCAL_CACHE": 100_000,
}
# Redis strings hold at most 512 MiB: 2**32 bits.
MAX_BLOOM_BITS = 2 ** 32


def _setting(settings, name):
    value = settings.get(name)
    return DEFAULTS[name] if value is None else value


def active_seconds(settings) -> int:
    """How long a worker counts as active after it last took work: its idle timeout, plus a heartbeat's TTL."""
    return int(max(0.0, float(_setting(settings, "MAX_IDLE_TIME_BEFORE_CLOSE"))) +
               float(_setting(settings, "REPRINTS_WORKER_TTL")))


# -- settings ---------------------------------------------------------------------------------------

def worker_overlay(settings, redis_url: str, prefix: str | None = None, idle_timeout: float | None = None) -> dict:
    """The settings that make a crawl with `settings` a worker of the distributed crawl at `redis_url`.

    Component dicts are the project's own with our changes, so other components stay as they are.
    """
    if settings.get("JOBDIR"):
        raise ValueError("--jobdir and --redis do not mix: with --redis the frontier is kept in Redis")
    keys = RedisKeys(prefix or _setting(settings, "REPRINTS_REDIS_PREFIX"))
    pipelines = dict(settings.getdict("ITEM_PIPELINES"))
    pipelines["crawler.pipelines.StorePipeline"] = None
    pipelines["crawler.distributed.RedisItemPipeline"] = 500
    downloader = dict(settings.getdict("DOWNLOADER_MIDDLEWARES"))
    downloader["scrapy.downloadermiddlewares.offsite.OffsiteMiddleware"] = None
    downloader["crawler.distributed.SharedOffsiteMiddleware"] = 50
    spider_mw = dict(settings.getdict("SPIDER_MIDDLEWARES"))
    spider_mw["crawler.distributed.RedisWorker"] = 10
    overlay = {
        "REDIS_URL": redis_url,
        "REPRINTS_REDIS_PREFIX": keys.prefix,
        "SCHEDULER": "crawler.distributed.SharedScheduler",
        "SCHEDULER_PERSIST": True,  # else the first worker to close wipes the shared queue
        "SCHEDULER_FLUSH_ON_START": False,
        "SCHEDULER_IDLE_BEFORE_CLOSE": 0,  # a blocking pop would stall the reactor
        "SCHEDULER_QUEUE_KEY": keys.requests,
        "SCHEDULER_QUEUE_CLASS": "crawler.distributed.RequestQueue",
        "SCHEDULER_DUPEFILTER_KEY": keys.dupefilter,
        "DUPEFILTER_CLASS": "crawler.distributed.BloomDupeFilter",
        "REDIS_START_URLS_KEY": keys.start_urls,
        "ITEM_PIPELINES": pipelines,
        "DOWNLOADER_MIDDLEWARES": downloader,
        "SPIDER_MIDDLEWARES": spider_mw,
        # Validators of conditional requests live in a worker's local database: not shared, so off.
        "REPRINTS_CONDITIONAL": False,
    }
    if idle_timeout is not None:
        overlay["MAX_IDLE_TIME_BEFORE_CLOSE"] = idle_timeout
    return overlay


def configure_worker(settings, redis_url: str, prefix: str | None = None, idle_timeout: float | None = None):
    """Make `settings` (crawler.runner.crawl_settings) those of a distributed worker; returns them."""
    settings.setdict(worker_overlay(settings, redis_url, prefix, idle_timeout), priority="cmdline")
    return settings


# -- requests in Redis, as JSON ---------------------------------------------------------------------

class RequestSerializer:
    """JSON with tags for what JSON lacks (bytes, non-string keys, tuples, a fetched post page).

    scrapy-redis pickles requests by default; a pickle from Redis runs code on load.
    """

    @staticmethod
    def dumps(obj) -> str:
        return json.dumps(_tag(obj), separators=(",", ":"))

    @staticmethod
    def loads(data):
        return _untag(json.loads(data))


def _tag(value):
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, bytes):
        return {"$b": base64.b64encode(value).decode("ascii")}
    if isinstance(value, list):
        return [_tag(v) for v in value]
    if isinstance(value, tuple):
        return {"$t": [_tag(v) for v in value]}
    if isinstance(value, dict):
        if all(isinstance(k, str) and not k.startswith("$") for k in value):
            return {k: _tag(v) for k, v in value.items()}
        return {"$d": [[_tag(k), _tag(v)] for k, v in value.items()]}
    if isinstance(value, PostPage):
        return {"$page": _tag(dataclasses.asdict(value))}
    raise TypeError(f"cannot queue a request holding a {type(value).__name__} in Redis")


def _untag(value):
    if isinstance(value, list):
        return [_untag(v) for v in value]
    if isinstance(value, dict):
        if len(value) == 1:
            (tag, inner), = value.items()
            if tag == "$b":
                return base64.b64decode(inner)
            if tag == "$t":
                return tuple(_untag(v) for v in inner)
            if tag == "$d":
                return {_untag(k): _untag(v) for k, v in inner}
            if tag == "$page":
                page = _untag(inner)
                page["comment_pages"] = [tuple(p) for p in page.get("comment_pages", [])]
                return PostPage(**page)
        return {k: _untag(v) for k, v in value.items()}
    return value


# Take the highest-priority request from KEYS[1] and, if there was one, mark worker ARGV[1] active in
# KEYS[2] for ARGV[2] s (Redis time: no clock skew between machines). A worker is active from the moment
# it holds work until its idle timeout could have passed, so seeding never takes a crawl in progress, or
# one whose workers are still waiting for more work, for a finished one. Returns {request or nil, the
# crawl's generation (KEYS[3])}.
_TAKE_REQUEST = """
local taken = redis.call('ZRANGE', KEYS[1], 0, 0)[1]
if taken then
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, 0)
  redis.call('ZADD', KEYS[2], tonumber(redis.call('TIME')[1]) + tonumber(ARGV[2]), ARGV[1])
end
return {taken or false, redis.call('GET', KEYS[3])}
"""
# The same for seeds: up to ARGV[3] from the start-URL list KEYS[1].
_TAKE_SEEDS = """
local taken = redis.call('LPOP', KEYS[1], ARGV[3])
if taken then
  redis.call('ZADD', KEYS[2], tonumber(redis.call('TIME')[1]) + tonumber(ARGV[2]), ARGV[1])
end
return {taken or {}, redis.call('GET', KEYS[3])}
"""


class RequestQueue(PriorityQueue):
    """scrapy-redis's priority queue, encoding callbacks by name without scanning the spider each time.

    (`Request.to_dict` finds a callback's name with inspect.getmembers over the whole spider, for
    every request: a large share of a worker's CPU on link-heavy pages.)
    """

    def _encode_request(self, request):
        data = {"url": request.url, "callback": _method_name(self.spider, request.callback),
                "errback": _method_name(self.spider, request.errback), "headers": dict(request.headers)}
        for attr in request.attributes:
            data.setdefault(attr, getattr(request, attr))
        if type(request) is not Request:  # noqa: E721 - exactly Request, as Request.to_dict does
            data["_class"] = f"{type(request).__module__}.{type(request).__name__}"
        return self.serializer.dumps(data)

    def _decode_request(self, encoded_request):
        return request_from_dict(self.serializer.loads(encoded_request), spider=self.spider)

    # Set by SharedScheduler.open: the crawl's generation key and who wants to hear of it, and the
    # set of active workers this one joins whenever it takes a request (see _TAKE_REQUEST).
    generation_key: str | None = None
    on_generation = None
    active_key: str | None = None
    worker_id: str = ""
    active_seconds: int = int(DEFAULTS["REPRINTS_WORKER_TTL"])
    _take = None

    def pop(self, timeout=0):
        """The highest-priority request, atomically: the worker is marked active, and learns the generation."""
        if self.active_key is None or self.generation_key is None:
            return super().pop(timeout)
        if self._take is None:
            self._take = self.server.register_script(_TAKE_REQUEST)
        data, generation = self._take(keys=[self.key, self.active_key, self.generation_key],
                                      args=[self.worker_id, self.active_seconds])
        if self.on_generation is not None:
            self.on_generation(generation)
        return self._decode_request(data) if data else None


def _method_name(spider, func):
    if func is None or not callable(func):
        return func
    name = getattr(func, "__name__", None)
    if getattr(func, "__self__", None) is spider and name and getattr(getattr(spider, name, None), "__func__",
                                                                      None) is getattr(func, "__func__", object()):
        return name
    for member_name, member in inspect.getmembers(spider, inspect.ismethod):
        if member.__func__ is getattr(func, "__func__", None):
            return member_name
    raise ValueError(f"{func!r} is not a method of the spider: a request in Redis names its callback")


# -- the scheduler --------------------------------------------------------------------------------

def carries_page(request) -> bool:
    """A request that carries a post already fetched (its further comment pages) stays with its worker."""
    return any(isinstance(value, PostPage) for value in request.cb_kwargs.values())


class SharedScheduler(Scheduler):
    """scrapy-redis's scheduler, with JSON requests, a local queue for requests that carry a page, and stats."""

    def __init__(self, server, serializer=None, **kwargs):
        super().__init__(server, serializer=serializer or RequestSerializer, **kwargs)
        self.local: deque[Request] = deque()

    def __len__(self):
        return len(self.local) + len(self.queue)

    def open(self, spider):
        # scrapy-redis's open() without its deprecated spider.log() call
        self.spider = spider
        self.queue = load_object(self.queue_cls)(server=self.server, spider=spider,
                                                 key=self.queue_key % {"spider": spider.name},
                                                 serializer=self.serializer)
        if not self.df:
            self.df = load_object(self.dupefilter_cls).from_spider(spider)
        if self.flush_on_start:
            self.flush()
        if hasattr(self.df, "observe_generation") and hasattr(self.queue, "generation_key"):
            self.queue.generation_key = self.df.generation_key
            self.queue.on_generation = self.df.observe_generation
        worker_id = getattr(spider.crawler, "reprints_worker_id", None)
        if worker_id and hasattr(self.queue, "active_key"):
            settings = spider.crawler.settings
            self.queue.active_key = RedisKeys(_setting(settings, "REPRINTS_REDIS_PREFIX")).active
            self.queue.worker_id = worker_id
            self.queue.active_seconds = active_seconds(settings)
        spider.crawler.reprints_dupefilter = self.df  # the worker middleware reports seeding to it
        pending = len(self.queue)
        if pending:
            logger.info("joining a crawl with %d requests in the shared queue", pending)

    def enqueue_request(self, request):
        if carries_page(request):
            self.local.append(request)
            self._inc("scheduler/enqueued/local")
            return True
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            self._inc("dupefilter/filtered")
            return False
        try:
            self.queue.push(request)
        except TypeError as exc:  # something in meta that JSON cannot carry: this worker keeps it
            logger.warning("kept %s on this worker: %s", request.url, exc)
            self.local.append(request)
            self._inc("scheduler/enqueued/local")
            return True
        self._inc("scheduler/enqueued/redis")
        return True

    def next_request(self):
        if self.local:
            self._inc("scheduler/dequeued/local")
            return self.local.popleft()
        request = self.queue.pop(0)  # never a blocking pop: it would stall the reactor
        if request is not None:
            self._inc("scheduler/dequeued/redis")
        return request

    def has_pending_requests(self):
        return bool(self.local) or len(self.queue) > 0

    def close(self, reason):
        # A worker that stops with comment pages still to fetch hands them to the others.
        while self.local:
            request = self.local.popleft()
            try:
                self.queue.push(request)
            except Exception:  # noqa: BLE001 - a request Redis cannot hold is lost: say which
                logger.warning("lost %s on close (could not queue it in Redis)", request.url)
        return super().close(reason)

    def _inc(self, key):
        if self.stats:
            self.stats.inc_value(key)


# -- the duplicate filter: a Bloom filter in a Redis bitmap ---------------------------------------

def bloom_size(capacity: int, error_rate: float) -> tuple[int, int]:
    """(bits, hashes) of a Bloom filter holding `capacity` items at `error_rate` false positives."""
    if capacity < 1 or not 0 < error_rate < 1:
        raise ValueError("REPRINTS_BLOOM_CAPACITY must be >= 1 and REPRINTS_BLOOM_ERROR_RATE between 0 and 1")
    bits = math.ceil(-capacity * math.log(error_rate) / math.log(2) ** 2)
    if bits > MAX_BLOOM_BITS:
        raise ValueError(f"a Bloom filter for {capacity:,} requests at {error_rate:g} needs {bits:,} bits; Redis "
                         f"holds at most {MAX_BLOOM_BITS:,} in one key: lower REPRINTS_BLOOM_CAPACITY or raise "
                         f"REPRINTS_BLOOM_ERROR_RATE")
    hashes = max(1, round(bits / capacity * math.log(2)))
    return bits, hashes


def bloom_offsets(fingerprint: bytes, bits: int, hashes: int) -> list[int]:
    """The bit offsets of one fingerprint: double hashing (Kirsch-Mitzenmacher) over a 128-bit digest."""
    digest = hashlib.blake2b(fingerprint, digest_size=16).digest()
    h1 = int.from_bytes(digest[:8], "big")
    h2 = int.from_bytes(digest[8:], "big") | 1
    return [(h1 + i * h2) % bits for i in range(hashes)]


def bloom_false_positive_rate(bits: int, hashes: int, items: int) -> float:
    """The expected false-positive rate after `items` insertions."""
    return (1 - math.exp(-hashes * items / bits)) ** hashes


# Set every bit of one fingerprint; the request is new if any was unset. Atomic, so two workers
# checking the same URL at once cannot both see it as new. Returns {new, count of new requests}.
_CHECK_AND_SET = """
local new = 0
for i = 1, #ARGV do
  if redis.call('SETBIT', KEYS[1], ARGV[i], 1) == 0 then new = 1 end
end
local count = 0
if new == 1 then count = redis.call('INCR', KEYS[2]) end
return {new, count}
"""
# First opener fixes the size: later workers read it, so all agree on the bit positions.
_INIT = """
if redis.call('EXISTS', KEYS[2]) == 0 then
  redis.call('HSET', KEYS[2], 'bits', ARGV[1], 'hashes', ARGV[2], 'capacity', ARGV[3], 'error_rate', ARGV[4])
end
if redis.call('EXISTS', KEYS[1]) == 0 then redis.call('SETBIT', KEYS[1], tonumber(ARGV[1]) - 1, 0) end
return redis.call('HMGET', KEYS[2], 'bits', 'hashes', 'capacity', 'error_rate')
"""


class BloomDupeFilter(RFPDupeFilter):
    """A scrapy-redis-compatible duplicate filter whose memory is fixed: ceil(bits / 8) bytes in Redis.

    Sized by REPRINTS_BLOOM_CAPACITY (distinct requests) and REPRINTS_BLOOM_ERROR_RATE (the chance that
    a new request is taken for one already seen, once the capacity is reached; lower before). Past the
    capacity it keeps working at a rising error rate, and says so once in the log.
    """

    def __init__(self, server, key, capacity=DEFAULTS["REPRINTS_BLOOM_CAPACITY"],
                 error_rate=DEFAULTS["REPRINTS_BLOOM_ERROR_RATE"], fingerprinter=None, debug=False, stats=None,
                 local_cache=0):
        super().__init__(server, key, debug)
        self.count_key = f"{key}:count"
        self.params_key = f"{key}:params"
        self.generation_key = f"{key}:generation"
        self.fingerprinter = fingerprinter
        self.stats = stats
        self.local: set[bytes] = set()
        self.local_limit = int(local_cache)
        self.generation = server.get(self.generation_key)
        bits, hashes = bloom_size(int(capacity), float(error_rate))
        self._check_and_set = server.register_script(_CHECK_AND_SET)
        stored = server.register_script(_INIT)(keys=[key, self.params_key],
                                               args=[bits, hashes, int(capacity), repr(float(error_rate))])
        self.bits, self.hashes = int(stored[0]), int(stored[1])
        self.capacity, self.error_rate = int(stored[2]), float(stored[3])
        if (self.bits, self.hashes) != (bits, hashes):
            logger.warning("the shared duplicate filter %s was made for %s requests at %s; using it as it is "
                           "(settings ask for %s at %s)", key, self.capacity, self.error_rate, capacity, error_rate)
        self._warned_full = False

    @classmethod
    def from_settings(cls, settings, key=None, fingerprinter=None, stats=None):
        return cls(get_redis_from_settings(settings),
                   key or settings.get("SCHEDULER_DUPEFILTER_KEY") or f"{DEFAULT_PREFIX}:dupefilter",
                   capacity=_setting(settings, "REPRINTS_BLOOM_CAPACITY"),
                   error_rate=_setting(settings, "REPRINTS_BLOOM_ERROR_RATE"),
                   fingerprinter=fingerprinter, debug=settings.getbool("DUPEFILTER_DEBUG"), stats=stats,
                   local_cache=_setting(settings, "REPRINTS_DUPEFILTER_LOCAL_CACHE"))

    @classmethod
    def from_crawler(cls, crawler):
        return cls.from_settings(crawler.settings, fingerprinter=crawler.request_fingerprinter,
                                 stats=crawler.stats)

    @classmethod
    def from_spider(cls, spider):
        crawler = spider.crawler
        key = crawler.settings.get("SCHEDULER_DUPEFILTER_KEY", f"{DEFAULT_PREFIX}:dupefilter")
        return cls.from_settings(crawler.settings, key % {"spider": spider.name},
                                 fingerprinter=crawler.request_fingerprinter, stats=crawler.stats)

    def fingerprint(self, request) -> bytes:
        if self.fingerprinter is not None:
            return self.fingerprinter.fingerprint(request)
        return bytes.fromhex(super().request_fingerprint(request))

    def request_fingerprint(self, request) -> str:
        return self.fingerprint(request).hex()

    def add(self, fingerprint: bytes) -> bool:
        """Record a fingerprint; True if it was new."""
        new, count = self._check_and_set(keys=[self.key, self.count_key],
                                         args=bloom_offsets(fingerprint, self.bits, self.hashes))
        if new and count > self.capacity and not self._warned_full:
            self._warned_full = True
            logger.warning("the duplicate filter holds %s requests, over its capacity of %s: false positives "
                           "(pages never fetched) now exceed %g; raise REPRINTS_BLOOM_CAPACITY for the next crawl",
                           count, self.capacity, self.error_rate)
        return bool(new)

    def contains(self, fingerprint: bytes) -> bool:
        """Whether a fingerprint is (probably) recorded, without recording it."""
        with self.server.pipeline(transaction=False) as pipe:
            for offset in bloom_offsets(fingerprint, self.bits, self.hashes):
                pipe.getbit(self.key, offset)
            return all(pipe.execute())

    def request_seen(self, request) -> bool:
        fingerprint = self.fingerprint(request)
        if fingerprint in self.local:  # this worker set its bits already, in this crawl
            if self.stats is not None:
                self.stats.inc_value("dupefilter/local_hits")
            return True
        new = self.add(fingerprint)
        if self.local_limit:
            if len(self.local) >= self.local_limit:
                self.local.clear()
            self.local.add(fingerprint)
        return not new

    def observe_generation(self, generation) -> None:
        """A new crawl reset the shared filter (seeding, see RedisWorker): what this worker remembers is void."""
        if generation != self.generation:
            self.local.clear()
            self.generation = generation

    def memory_bytes(self) -> int:
        """Bytes the bitmap takes in Redis (constant: ceil(bits / 8))."""
        return int(self.server.strlen(self.key))

    def count(self) -> int:
        return int(self.server.get(self.count_key) or 0)

    def close(self, reason=""):
        """Keep the filter: other workers still use it (RFPDupeFilter.close would delete it)."""

    def clear(self):
        self.server.delete(self.key, self.count_key, self.params_key)
        self.server.incr(self.generation_key)
        self.local.clear()


# -- the allowed domains are the crawl's, not the worker's ---------------------------------------

class SharedOffsiteMiddleware(OffsiteMiddleware):
    """Allowed domains are the hosts of every seed of the crawl (kept in Redis), not only this worker's.

    A worker started without URLs, or with other URLs, fetches requests for any seeded site; a host
    not yet known is looked up in Redis before its request is refused.
    """

    @classmethod
    def from_crawler(cls, crawler):
        middleware = super().from_crawler(crawler)
        middleware.server = get_redis_from_settings(crawler.settings)
        middleware.hosts_key = RedisKeys(_setting(crawler.settings, "REPRINTS_REDIS_PREFIX")).hosts
        return middleware

    def should_follow(self, request, spider):
        if self._allowed(request, spider):
            return True
        known = {h.decode() for h in self.server.smembers(self.hosts_key)}
        if not known - set(spider.allowed_domains or ()):
            return False
        spider.allowed_domains = sorted(set(spider.allowed_domains or ()) | known)
        return self._allowed(request, spider)

    def _allowed(self, request, spider):
        if not getattr(spider, "allowed_domains", None):
            return False  # unlike Scrapy's "nothing listed: all allowed": a worker knows no seed yet
        return super().should_follow(request, spider)


# -- a worker: seeds, idle clock, registration ----------------------------------------------------

# Seed start URLs. A new crawl begins (the duplicate filter, seeds and hosts are cleared) when the
# frontier is empty and no other worker is active (took work within its idle timeout, see
# active_seconds); otherwise seeds join the running crawl, and pages it fetched are not fetched again.
# KEYS: active, requests, start_urls, dupefilter, dupefilter:count, seeds, hosts, dupefilter:params,
# dupefilter:generation. ARGV: worker id, JSON [[url, host, message], ...].
# Returns {1 when a new crawl began, the crawl's generation}: workers forget what they cached of an older one.
_SEED = """
local now = tonumber(redis.call('TIME')[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local active = redis.call('ZCARD', KEYS[1])
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then active = active - 1 end
local fresh = 0
if active == 0 and redis.call('ZCARD', KEYS[2]) == 0 and redis.call('LLEN', KEYS[3]) == 0 then
  fresh = 1
  local bits = redis.call('HGET', KEYS[8], 'bits')
  redis.call('DEL', KEYS[4], KEYS[5], KEYS[6], KEYS[7])
  if bits then redis.call('SETBIT', KEYS[4], tonumber(bits) - 1, 0) end
  redis.call('INCR', KEYS[9])
end
for _, seed in ipairs(cjson.decode(ARGV[2])) do
  redis.call('SADD', KEYS[6], seed[1])
  redis.call('SADD', KEYS[7], seed[2])
  redis.call('RPUSH', KEYS[3], seed[3])
end
return {fresh, redis.call('GET', KEYS[9])}
"""


class RedisWorker:
    """Spider middleware (and signal handlers) that make any spider a worker of the shared crawl.

    - `process_start`: the spider's start requests become seeds in Redis (scrapy-redis's start-URL
      list), so whichever worker is free fetches them;
    - on `spider_idle`: take more seeds, and exit once the frontier (request queue and seeds) has been
      empty, and this worker idle, for MAX_IDLE_TIME_BEFORE_CLOSE seconds;
    - registration: a sorted set of live workers (the loader waits for them), and of active ones:
      those that took work within their idle timeout (plus REPRINTS_WORKER_TTL); seeding starts a new
      crawl only when the frontier is empty and no other worker is active;
    - on close: the worker's stats go to the loader, on the item queue.
    """

    def __init__(self, crawler):
        settings = crawler.settings
        if not settings.get("REDIS_URL"):
            raise NotConfigured("REDIS_URL is not set")
        self.crawler = crawler
        self.server = get_redis_from_settings(settings)
        self.keys = RedisKeys(_setting(settings, "REPRINTS_REDIS_PREFIX"))
        self.worker_id = settings.get("REPRINTS_WORKER_ID") or \
            f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.idle_timeout = float(_setting(settings, "MAX_IDLE_TIME_BEFORE_CLOSE"))
        self.poll = float(_setting(settings, "REPRINTS_REDIS_POLL_SECONDS"))
        self.ttl = float(_setting(settings, "REPRINTS_WORKER_TTL"))
        self.active_seconds = active_seconds(settings)
        self.batch = settings.getint("CONCURRENT_REQUESTS", 16)
        self.last_activity = time.monotonic()
        self.seeded: list[str] = []
        self.heartbeat = None
        self._seed = self.server.register_script(_SEED)
        self._take_seeds = self.server.register_script(_TAKE_SEEDS)
        crawler.reprints_worker_id = self.worker_id  # the item pipeline names the worker in its messages

    @classmethod
    def from_crawler(cls, crawler):
        worker = cls(crawler)
        for handler, signal in ((worker.spider_opened, signals.spider_opened),
                                (worker.spider_idle, signals.spider_idle),
                                (worker.spider_closed, signals.spider_closed),
                                (worker.active, signals.response_received),
                                (worker.active, signals.request_scheduled),
                                (worker.active, signals.item_scraped)):
            crawler.signals.connect(handler, signal=signal)
        return worker

    # -- seeds --------------------------------------------------------------------------------------
    async def process_start(self, start):
        spider = self.crawler.spider
        seeds = []
        async for obj in start:
            if isinstance(obj, Request):
                seeds.append(obj.url)
            else:
                yield obj
        if seeds:
            self.seed(seeds, getattr(spider, "platform", None))
        for request in self.take_seeds():
            yield request

    def seed(self, urls: list[str], platform: str | None) -> bool:
        """Push start URLs for any worker to take; True if they began a new crawl."""
        entries = [[url, (urlsplit(url).hostname or "").lower(),
                    json.dumps({"url": url, "meta": {"platform": platform}})] for url in urls]
        keys = self.keys
        fresh, generation = self._seed(keys=[keys.active, keys.requests, keys.start_urls, keys.dupefilter,
                                             f"{keys.dupefilter}:count", keys.seeds, keys.hosts,
                                             f"{keys.dupefilter}:params", f"{keys.dupefilter}:generation"],
                                       args=[self.worker_id, json.dumps(entries)])
        fresh = bool(fresh)
        self._observe(generation)
        self.seeded += urls
        logger.info("seeded %d start URLs (%s)", len(urls),
                    "a new crawl: the duplicate filter was cleared" if fresh else "joining the running crawl")
        self.crawler.stats.set_value("reprints/redis/new_crawl", fresh)
        return fresh

    def _observe(self, generation) -> None:
        dupefilter = getattr(self.crawler, "reprints_dupefilter", None)
        if dupefilter is not None and hasattr(dupefilter, "observe_generation"):
            dupefilter.observe_generation(generation)

    def take_seeds(self) -> list[Request]:
        """Up to CONCURRENT_REQUESTS seeds from Redis, as start requests (and the crawl's generation)."""
        raw, generation = self._take_seeds(keys=[self.keys.start_urls, self.keys.active,
                                                 f"{self.keys.dupefilter}:generation"],
                                           args=[self.worker_id, self.active_seconds, self.batch])
        self._observe(generation)
        raw = raw or []
        requests = [r for r in (self.seed_request(data) for data in raw) if r is not None]
        if requests:
            self.crawler.stats.inc_value("reprints/redis/seeds_taken", len(requests))
        return requests

    def seed_request(self, data: bytes) -> Request | None:
        """A seed as a start request: the spider's navigation for the seed's platform, through the filter."""
        try:
            seed = json.loads(data)
            url = seed["url"]
            platform = (seed.get("meta") or {}).get("platform")
        except (ValueError, KeyError, TypeError, AttributeError):
            logger.warning("ignored a seed that is not {\"url\": ...} JSON: %r", data[:200])
            return None
        spider = self.crawler.spider
        host = (urlsplit(url).hostname or "").lower()
        if host and host not in (spider.allowed_domains or []):
            spider.allowed_domains = sorted({*(spider.allowed_domains or []), host})
        if hasattr(spider, "navigate") and hasattr(spider, "request"):
            return spider.request(url, spider.navigate, meta={"start_url": True},
                                  cb_kwargs={"platform": platform or getattr(spider, "platform", None) or "auto"})
        return Request(url, meta={"start_url": True})

    # -- idle and registration ----------------------------------------------------------------------
    def active(self, *args, **kwargs):
        self.last_activity = time.monotonic()

    def spider_opened(self, spider):
        # An idle worker asks Redis for work every `poll` seconds instead of Scrapy's 5 s heartbeat.
        engine = self.crawler.engine
        if engine is not None and hasattr(engine, "_SLOT_HEARTBEAT_INTERVAL"):
            engine._SLOT_HEARTBEAT_INTERVAL = min(self.poll, engine._SLOT_HEARTBEAT_INTERVAL)
        self.register()
        self.heartbeat = task.LoopingCall(self.register)
        self.heartbeat.start(max(self.ttl / 3, 0.5), now=False)
        logger.info("worker %s joined the crawl in %s (idle timeout %ss)", self.worker_id, self.keys.prefix,
                    self.idle_timeout)

    def register(self):
        engine = self.crawler.engine
        try:
            busy = engine is not None and engine.spider is not None and not engine.spider_is_idle()
        except (RuntimeError, AttributeError):  # the engine is opening or closing
            busy = False
        now = int(self.server.time()[0])
        with self.server.pipeline() as pipe:
            pipe.zadd(self.keys.workers, {self.worker_id: now + self.ttl})
            if busy:  # kept active while it works; left to expire once it waits
                pipe.zadd(self.keys.active, {self.worker_id: now + self.active_seconds})
            pipe.execute()

    def frontier_size(self) -> int:
        with self.server.pipeline(transaction=False) as pipe:
            pipe.zcard(self.keys.requests)
            pipe.llen(self.keys.start_urls)
            return sum(pipe.execute())

    def spider_idle(self, spider):
        requests = self.take_seeds()
        for request in requests:
            self.crawler.engine.crawl(request)
        now = time.monotonic()
        if requests or self.frontier_size():
            self.last_activity = now
        if self.idle_timeout > 0 and now - self.last_activity >= self.idle_timeout:
            logger.info("the frontier has been empty for %.0fs: worker %s leaves", now - self.last_activity,
                        self.worker_id)
            return
        raise DontCloseSpider

    def spider_closed(self, spider, reason):
        if self.heartbeat is not None and self.heartbeat.running:
            self.heartbeat.stop()
        stats = {k: v for k, v in self.crawler.stats.get_stats().items()
                 if isinstance(v, (int, float, str, bool)) or v is None}
        try:
            with self.server.pipeline() as pipe:
                pipe.rpush(self.keys.items, worker_message(self.worker_id, reason, stats, self.seeded))
                pipe.zrem(self.keys.workers, self.worker_id)
                pipe.zrem(self.keys.active, self.worker_id)
                pipe.execute()
        except Exception as exc:  # noqa: BLE001 - the registration expires by itself
            logger.warning("could not report worker %s closed to Redis: %s", self.worker_id, exc)


# -- items to the loader ----------------------------------------------------------------------------

class RedisItemPipeline:
    """Push each cleaned article to the loader's queue (in place of StorePipeline); archive it as stored."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.server = get_redis_from_settings(crawler.settings)
        self.key = RedisKeys(_setting(crawler.settings, "REPRINTS_REDIS_PREFIX")).items

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, article):
        page_urls = list(getattr(article, "page_urls", [article.url]))
        worker = getattr(self.crawler, "reprints_worker_id", "") or f"{socket.gethostname()}:{os.getpid()}"
        self.server.rpush(self.key, article_message(article, page_urls, worker))
        self.stats.inc_value("reprints/redis/items_pushed")
        archive = getattr(self.crawler, "reprints_archive", None)
        if archive is not None:  # so `reprints reprocess` finds the post in this worker's archive
            archive.write_item(article.url, article.platform, page_urls)
        return article


# -- running a worker without the CLI (tests, benchmarks) -----------------------------------------

class WorkerError(Exception):
    """A worker cannot start: Redis unreachable or the URL malformed."""


def check_redis(redis_url: str) -> None:
    """WorkerError naming the URL unless a Redis server answers there (before Scrapy starts)."""
    import redis

    try:
        client = redis.Redis.from_url(redis_url, socket_connect_timeout=10, socket_timeout=10)
        client.ping()
        version = client.info("server").get("redis_version", "0")
        client.close()
    except (redis.RedisError, ValueError) as exc:
        raise WorkerError(f"{redis_url}: cannot reach Redis ({exc})") from None
    if tuple(int(part) for part in version.split(".")[:2]) < (6, 2):
        raise WorkerError(f"{redis_url}: Redis {version} is too old (6.2 or later: LMOVE, LPOP with a count)")


def run_worker(start_urls: list[str], redis_url: str, db_path: str, platform: str = "auto",
               idle_timeout: float | None = None, loopback: bool = False, prefix: str | None = None,
               extra: dict | None = None, progress: bool = False, max_pages: int | None = None,
               min_topic_score: float = 0.0, verbose: bool = False):
    """One worker in this process (`reprints crawl [URL...] --redis URL`); blocks until it leaves.

    A worker writes no database: `db_path` only places its log and WARC archive (folder made if needed).
    """
    from crawler.runner import crawl_settings, run_crawl

    check_redis(redis_url)
    Path(db_path).resolve().parent.mkdir(parents=True, exist_ok=True)
    settings = crawl_settings(db_path, max_pages=max_pages, min_topic_score=min_topic_score, loopback=loopback,
                              verbose=verbose, extra=extra)
    configure_worker(settings, redis_url, prefix, idle_timeout)
    if extra:  # the caller's settings win over the overlay's (component dicts were merged into it already)
        settings.setdict({k: v for k, v in extra.items() if not isinstance(v, dict)}, priority="cmdline")
    return run_crawl(start_urls, settings, platform, progress=progress)


def main(argv: list[str] | None = None) -> int:
    """`python -m crawler.distributed [URL ...] --redis URL --db PATH [--idle-timeout S] [--no-throttle]`."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m crawler.distributed", description=main.__doc__)
    parser.add_argument("urls", nargs="*")
    parser.add_argument("--redis", required=True)
    parser.add_argument("--db", default="reprints.db", help="the worker's log and WARC archive go beside it")
    parser.add_argument("--platform", default="auto")
    parser.add_argument("--idle-timeout", type=float, default=None)
    parser.add_argument("--redis-prefix", default=None)
    parser.add_argument("--no-throttle", action="store_true")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="any Scrapy setting (JSON values)")
    args = parser.parse_args(argv)
    extra = {}
    for item in args.set:
        name, _, value = item.partition("=")
        try:
            extra[name] = json.loads(value)
        except ValueError:
            extra[name] = value
    try:
        summary = run_worker(args.urls, args.redis, args.db, args.platform, args.idle_timeout, args.no_throttle,
                             args.redis_prefix, extra)
    except (WorkerError, ValueError) as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    print(f"worker: {summary.pages} pages fetched, {summary.stats.get('reprints/redis/items_pushed', 0)} "
          f"articles queued, finish reason {summary.finish_reason}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
