"""Distributed crawl rate: one and two Redis workers beside a single-process crawl, over one synthetic web.

The web is the project's synthetic web (`crawler.sampleweb.synthetic.SyntheticWeb`: the sample web's
templates and damage over a corpus of any size), served from this process. Each configuration
crawls all of it with every stage on (extraction, cleaning, spam, topic):

- single process, no Redis: the runner `reprints crawl` uses (writes SQLite itself), with its page
  processing pool as by default, and without it (pages processed in the crawl process: one core);
- one worker, two workers: `python -m crawler.distributed` processes sharing a redis-server on
  loopback, with the loader (`python -m pipeline.load`) writing SQLite alongside; each worker
  processes its pages itself (no pool), so a worker is one process and wants one core.

Pages/s is counted at the server: requests answered (robots.txt aside) between the first and the
last of the configuration, timed by a thread that watches the server's request log, so process
start-up and the workers' idle timeout are left out (wall time, with them, is reported too).
Everything runs on this machine, with whatever else runs on it: CPU milliseconds per page (crawl
processes, loader and redis-server) is the figure other load disturbs least. On two cores the
default single crawl already keeps both busy (crawl process plus page pool), so a second worker
on the same machine cannot add much: workers are for more machines.
"""

from __future__ import annotations

import os
import resource
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from pipeline.benchmarks import Row

IDLE_SECONDS = 2
WATCH_SECONDS = 0.1


class Watch:
    """Times the server's request log: when the first and the last request of a run came."""

    def __init__(self, web):
        self.web = web
        self.first = self.last = None
        self.seen = len(web.requests)
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stopping.wait(WATCH_SECONDS):
            count = len(self.web.requests)
            if count != self.seen:
                now = time.monotonic()
                self.first = self.first or now
                self.last = now
                self.seen = count

    def stop(self) -> float:
        self.stopping.set()
        self.thread.join()
        return (self.last - self.first) if self.first and self.last else 0.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """A throwaway redis-server on loopback without persistence."""

    def __init__(self, folder: Path):
        self.port = _free_port()
        self.proc = subprocess.Popen([shutil.which("redis-server") or "/usr/bin/redis-server", "--port",
                                      str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                                      "--dir", str(folder)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        self.url = f"redis://127.0.0.1:{self.port}/0"
        import redis

        self.client = redis.Redis.from_url(self.url)
        deadline = time.monotonic() + 10
        while True:
            try:
                self.client.ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.05)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


def _pages(requests) -> list:
    return [r for r in requests if r.path != "/robots.txt"]


def _once(requests) -> bool:
    """Every page asked for once (a page that answered 5xx is retried, as in any crawl)."""
    seen: dict = {}
    for r in _pages(requests):
        seen.setdefault((r.site, r.path), []).append(r.status)
    return all(len(statuses) == 1 or all(s >= 500 for s in statuses) for statuses in seen.values())


def _articles(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute("select count(*) from articles").fetchone()[0]


# A single-process crawl without Redis, through the same runner `reprints crawl` uses, with the
# page-processing pool set (0: pages processed in the crawl process itself, one core).
SINGLE_DRIVER = (
    "import sys; from crawler.runner import crawl_settings, run_crawl; "
    "s = crawl_settings(sys.argv[1], loopback=True, extra={'REPRINTS_PROCESS_WORKERS': int(sys.argv[2])} "
    "if sys.argv[2] != 'default' else None); run_crawl(sys.argv[3:], s, progress=False)"
)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _redis_cpu(redis: RedisServer | None) -> float:
    if redis is None:
        return 0.0
    info = redis.client.info("cpu")
    return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


def _single(web, folder: Path, pool: str) -> dict:
    db = folder / f"single-{pool}.db"
    cpu, before = _children_cpu(), len(web.requests)
    watch = Watch(web)
    started = time.monotonic()
    subprocess.run([sys.executable, "-c", SINGLE_DRIVER, str(db), pool, *web.start_urls.values()], check=True,
                   capture_output=True)
    wall = time.monotonic() - started
    span = watch.stop()
    requests = web.requests[before:]
    pages = len(_pages(requests))
    rate = pages / span if span else 0.0
    # With a pool, its processes are the forkserver's children: their CPU is not counted here.
    cpu_ms = (_children_cpu() - cpu) * 1000 / pages if pool == "0" and pages else None
    return {"pages": pages, "rate": rate, "wall": wall, "articles": _articles(db), "cpu_ms": cpu_ms,
            "once": _once(requests)}


def _distributed(web, redis: RedisServer, folder: Path, workers: int) -> dict:
    redis.client.flushall()
    db = folder / f"workers{workers}.db"
    cpu, redis_cpu, before = _children_cpu(), _redis_cpu(redis), len(web.requests)
    watch = Watch(web)
    started = time.monotonic()
    procs = []
    for n in range(workers):
        urls = list(web.start_urls.values()) if n == 0 else []
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "crawler.distributed", *urls, "--redis", redis.url, "--db",
             str(folder / f"w{workers}-{n}" / "w.db"), "--no-throttle", "--idle-timeout", str(IDLE_SECONDS),
             "--set", f"USER_AGENT=reprints/0.1 (bench worker {n})", "--set", "REPRINTS_PROCESS_WORKERS=0"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        if n == 0:  # the others join once the seeds are in (else they would leave before any work came)
            _wait(lambda: redis.client.exists("reprints:seeds") or procs[0].poll() is not None, 60)
    loader = subprocess.Popen([sys.executable, "-m", "pipeline.load", "--redis", redis.url, "--db", str(db),
                               "--idle-timeout", "1"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for proc in procs:
        if proc.wait(timeout=1800) != 0:
            raise RuntimeError("a worker failed")
    if loader.wait(timeout=600) != 0:
        raise RuntimeError("the loader failed")
    wall = time.monotonic() - started
    span = watch.stop()
    requests = web.requests[before:]
    pages = len(_pages(requests))
    rate = pages / span if span else 0.0
    shares = sorted(sum(1 for r in _pages(requests) if f"worker {n})" in r.user_agent) for n in range(workers))
    cpu_ms = ((_children_cpu() - cpu) + (_redis_cpu(redis) - redis_cpu)) * 1000 / pages if pages else None
    return {"pages": pages, "rate": rate, "wall": wall, "articles": _articles(db), "shares": shares,
            "once": _once(requests),
            "cpu_ms": cpu_ms, "redis_ms": (_redis_cpu(redis) - redis_cpu) * 1000 / pages if pages else None,
            "dupefilter_bytes": int(redis.client.strlen("reprints:dupefilter"))}


def _wait(condition, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.1)


def _fingerprint_set_bytes(redis: RedisServer, count: int) -> float:
    """Bytes per request of scrapy-redis's own duplicate filter (a set of 40-character hex SHA1s)."""
    import hashlib

    redis.client.delete("bench:set")
    with redis.client.pipeline(transaction=False) as pipe:
        for i in range(count):
            pipe.sadd("bench:set", hashlib.sha1(str(i).encode()).hexdigest())
            if i % 5000 == 4999:
                pipe.execute()
        pipe.execute()
    size = redis.client.memory_usage("bench:set", samples=0) or 0
    redis.client.delete("bench:set")
    return size / count


def run(quick: bool = False) -> list[Row]:
    if not (shutil.which("redis-server") or Path("/usr/bin/redis-server").exists()):
        return [Row("distributed", "not measured", "redis-server is not installed (Debian: redis-server)")]
    from crawler.sampleweb.synthetic import SyntheticWeb

    web = SyntheticWeb(300 if quick else 1000)
    web.start()
    served = web.served_bytes()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            redis = RedisServer(folder)
            try:
                runs = {"single, default pool": _single(web, folder, "default"),
                        "single": _single(web, folder, "0"),
                        "1 worker": _distributed(web, redis, folder, 1),
                        "2 workers": _distributed(web, redis, folder, 2)}
                per_request = _fingerprint_set_bytes(redis, 20_000 if quick else 200_000)
            finally:
                redis.stop()
    finally:
        web.stop()
    return _rows(web, served, runs, per_request)


def _rows(web, served: tuple[int, int], runs: dict, per_request: float) -> list[Row]:
    single, one, two, pooled = runs["single"], runs["1 worker"], runs["2 workers"], runs["single, default pool"]
    reference = "ANCHORS (null crawl): Scrapy 112; scrapy-redis 81 (1 worker) / 135 (2 workers)"
    served, size = served
    rows = [
        Row("distributed", f"synthetic web: {len(web.sites)} sites, {served} HTML pages of ~{size / served / 1024:.0f} KB; "
            f"every stage on; {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}",
            " / ".join(str(r["articles"]) for r in runs.values()), "articles stored",
            "single with pool / single / 1 worker / 2 workers"),
        Row("distributed", "single process, no Redis, as `reprints crawl` runs (page pool on)",
            round(pooled["rate"], 1), "pages/s", reference),
        Row("distributed", "single process, no Redis, pages processed in-process (1 core)", round(single["rate"], 1),
            "pages/s", reference),
        Row("distributed", "1 worker + Redis + loader (1 process a worker)", round(one["rate"], 1), "pages/s",
            reference),
        Row("distributed", "2 workers + Redis + loader (1 process a worker)", round(two["rate"], 1), "pages/s",
            reference),
        Row("distributed", "2 workers / 1 worker", round(two["rate"] / one["rate"], 2) if one["rate"] else 0, "x",
            "135 / 81 = 1.67 (ANCHORS)"),
        Row("distributed", "CPU per page: single / 1 worker / 2 workers (workers, loader and Redis)",
            " / ".join(f"{r['cpu_ms']:.0f}" for r in (single, one, two)), "ms"),
        Row("distributed", "of which redis-server (1 worker / 2 workers)",
            f"{one['redis_ms']:.2f} / {two['redis_ms']:.2f}", "ms"),
        Row("distributed", "pages fetched (single with pool / single / 1 worker / 2 workers)",
            " / ".join(str(r["pages"]) for r in runs.values()), "", "", "each page once",
            all(r["once"] for r in runs.values())),
        Row("distributed", "2 workers: pages fetched by each", " / ".join(map(str, two["shares"]))),
        Row("distributed", "wall time incl. start-up, idle exit, loader (single / 1 worker / 2 workers)",
            " / ".join(f"{r['wall']:.0f}" for r in (single, one, two)), "s"),
        Row("distributed", "duplicate filter memory (Bloom: 10M requests at 1e-6), the same at any crawl length",
            round(two["dupefilter_bytes"] / 2 ** 20, 1), "MiB",
            f"scrapy-redis fingerprint set: {per_request:.0f} B/request, growing "
            f"({per_request * 10_000_000 / 2 ** 20:,.0f} MiB at 10M)"),
    ]
    return rows
