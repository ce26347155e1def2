"""Crawl throughput: the real crawl against a null crawl of the same synthetic web, in one run.

For each size, one `crawler.sampleweb.synthetic.SyntheticWeb` is built and served from this
process; then two crawls run over it, each in its own process with the settings
`reprints crawl --no-throttle` uses:

- the null crawl (`crawler.spiders.null`, the `auto` spider with no item pipelines): it fetches
  and follows exactly what the real crawl does and drops every post page. This is the ceiling.
- the real crawl (`auto`): extraction, cleaning, topic and spam scoring in the process pool,
  SQLite writes, the WARC archive.

Figures come from each crawl's own stats: pages/s is `response_received_count` over
`elapsed_time_seconds` (spider open to close, so process start-up is left out and the pool's
drain at the end is in); CPU seconds per page by stage are `reprints/cpu_seconds/<stage>` over
the articles extracted. Peak memory is the largest sum of resident set sizes over the crawl's
process tree (the crawl process, the forkserver and the pool workers), sampled from /proc every
0.2 s: shared pages count once per process, so it errs high. `CrawlClock`, an extension both
crawls get, adds the crawl process's own CPU seconds (the reactor and its threads) between
open and close.

`python -m pipeline.benchmarks.throughput --pages 2000` prints the rows; `... crawl ...` is the
crawl driver the benchmark runs (also for profiling one crawl: `--profile FILE`).
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.benchmarks import Row
from pipeline.processes import process_tree, resident_bytes

PROJECT = Path(__file__).resolve().parents[2]
SIZES = (2_000, 20_000)
QUICK_SIZES = (500,)
TARGET_RATIO = 0.75  # the bar at 20,000 pages
MEMORY_LIMIT_MB = 1024
STAGES = ("extract", "clean", "topic", "spam")
SAMPLE_SECONDS = 0.2
ROUNDS = 2  # null, real, real, null
CRAWL_TIMEOUT_SECONDS = 3600
REFERENCE = "ANCHORS: null crawl 112 (100-120) pages/s on 31 KB pages, following links"


@dataclass
class CrawlResult:
    spider: str
    stats: dict
    wall_seconds: float  # the subprocess, start-up included
    peak_rss_mb: float  # the process tree's largest summed RSS
    peak_process_mb: float  # the largest single process
    processes: int  # how many processes the tree held at most
    tree_cpu_seconds: float  # CPU of every process of the tree, as last seen
    server_cpu_seconds: float  # this process (the web's server threads) while the crawl ran
    busy_seconds: float = 0.0  # CPU the whole machine spent while the crawl ran (/proc/stat)
    articles: int = 0  # rows in `articles` after the crawl (real crawl only)
    db_stats: dict = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return int(self.stats.get("response_received_count", 0))

    @property
    def seconds(self) -> float:
        return float(self.stats.get("elapsed_time_seconds", 0.0))

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0

    @property
    def others_cores(self) -> float:
        """How many cores other processes (not this crawl, not the server) kept busy, on average."""
        others = self.busy_seconds - self.tree_cpu_seconds - self.server_cpu_seconds
        return max(0.0, others / self.wall_seconds) if self.wall_seconds else 0.0

    @property
    def tree_cpu_ms_per_page(self) -> float:
        return 1000 * self.tree_cpu_seconds / self.pages if self.pages else 0.0

    @property
    def process_cpu_ms_per_page(self) -> float:
        cpu = self.stats.get("throughput/process_cpu_seconds", 0.0)
        return 1000 * cpu / self.pages if self.pages else 0.0


def run(quick: bool = False) -> list[Row]:
    """Null and real crawl over 2,000 and 20,000 pages (quick: 500); see the module's docstring."""
    rows: list[Row] = []
    for pages in QUICK_SIZES if quick else SIZES:
        rows += measure(pages, rounds=1 if quick else ROUNDS, gate=pages >= 20_000)
    return rows


def measure(pages: int, seed: int = 0, rounds: int = ROUNDS, gate: bool = True,
            workers: int | None = None) -> list[Row]:
    """Build a web of `pages` pages, load-test its server, then crawl it null and real, `rounds` times each.

    Rounds alternate the order (null, real, real, null, ...), so a machine that gets busier or
    quieter during the run weighs on both crawls alike; each rate is the mean over its rounds.
    """
    from crawler.sampleweb.synthetic import SyntheticWeb

    nulls: list[CrawlResult] = []
    reals: list[CrawlResult] = []
    with tempfile.TemporaryDirectory(prefix="reprints-throughput-") as tmp, SyntheticWeb(pages, seed) as web:
        served, served_bytes = web.served_bytes()
        load = web.measure(seconds=3.0, threads=4)
        urls = list(web.start_urls.values())
        words = sum(a.word_count for a in web.corpus.articles.values()) / max(1, len(web.corpus.articles))
        for n in range(rounds):
            order = ("null", "auto") if n % 2 == 0 else ("auto", "null")
            for spider in order:
                result = crawl(urls, spider, Path(tmp) / f"{spider}-{n}.db", workers=workers)
                (nulls if spider == "null" else reals).append(result)
        description = (f"{len(web.sites)} sites, {len(web.article_urls()):,} posts of {words:.0f} words, "
                       f"{served:,} HTML pages of {served_bytes / served / 1024:.1f} KB, "
                       f"built in {web.render_seconds:.0f}s")
    return rows_for(pages, description, load, nulls, reals, gate)


def rows_for(pages: int, description: str, load: dict, nulls: list[CrawlResult], reals: list[CrawlResult],
             gate: bool) -> list[Row]:
    area, label = "throughput", f"{pages:,} pages"
    null_rate = mean(r.pages_per_second for r in nulls)
    real_rate = mean(r.pages_per_second for r in reals)
    ratio = real_rate / null_rate if null_rate else 0.0
    per_round = ", ".join(f"{r.pages_per_second / n.pages_per_second:.2f}" for n, r in zip(nulls, reals))
    others = " ".join(f"{n.others_cores:.1f}/{r.others_cores:.1f}" for n, r in zip(nulls, reals))
    real = reals[-1]
    stats = real.db_stats or real.stats
    extracted = int(stats.get("reprints/articles_extracted", 0)) or 1
    stage_ms = {s: 1000 * float(stats.get(f"reprints/cpu_seconds/{s}", 0.0)) / extracted for s in STAGES}
    pool_ms_per_page = sum(stage_ms.values()) * extracted / max(1, real.pages)
    null_ms = mean(r.process_cpu_ms_per_page for r in nulls)
    real_ms = mean(r.process_cpu_ms_per_page for r in reals)
    workers = int(real.stats.get("throughput/pool_workers", 1)) or 1
    # With the machine to itself, the real crawl is bound by the busier of its reactor (one core) and its
    # pool (`workers` cores, what the other core leaves), the null crawl by its reactor alone.
    cores = os.cpu_count() or 2
    pool_cores = min(workers, cores - 1 or 1)
    bound = min(1000 / real_ms if real_ms else 1e9,
                1000 * pool_cores / pool_ms_per_page if pool_ms_per_page else 1e9,
                1000 * cores / (real_ms + pool_ms_per_page) if real_ms + pool_ms_per_page else 1e9)
    projected = bound / (1000 / null_ms) if null_ms else 0.0
    fetched_kb = nulls[0].stats.get("httpcompression/response_bytes", 0) / max(
        1, nulls[0].stats.get("httpcompression/response_count", 1)) / 1024
    server_share = max(r.server_cpu_seconds / r.wall_seconds for r in nulls + reals)
    fastest = max(null_rate, real_rate)
    real_peak = max(r.peak_rss_mb for r in reals)
    rows = [
        Row(area, f"{label}: synthetic web", description),
        Row(area, f"{label}: server, 4 keep-alive gzip clients in another process",
            load["requests_per_second"], "req/s", "nginx ~34,000 req/s (ANCHORS)",
            f"> 5 x {fastest:.0f} (fastest crawl)", load["requests_per_second"] > 5 * fastest),
        Row(area, f"{label}: server CPU while crawling (at most)", round(100 * server_share, 1),
            "% of a core"),
        Row(area, f"{label}: null crawl (auto spider, no item pipelines)", round(null_rate, 1), "pages/s",
            REFERENCE),
        Row(area, f"{label}: real crawl, all stages", round(real_rate, 1), "pages/s"),
        Row(area, f"{label}: real / null pages per second", round(ratio, 3), "",
            f"rounds: {per_round}; inline work would halve it (issue)", f">= {TARGET_RATIO}" if gate else "",
            ratio >= TARGET_RATIO if gate else None),
        Row(area, f"{label}: real / null if the 2 cores were ours (from CPU s/page)", round(projected, 3), "",
            "reactor on one core, pool on what is left"),
        Row(area, f"{label}: pages fetched null / real; articles stored",
            f"{nulls[0].pages:,} / {real.pages:,}; {real.articles:,} (page {fetched_kb:.1f} KB)"),
        Row(area, f"{label}: crawl seconds null / real (open to close)",
            " ".join(f"{n.seconds:.0f}/{r.seconds:.0f}" for n, r in zip(nulls, reals)), "s",
            "first item after " + " ".join(f"{n.stats.get('throughput/first_item_seconds', 0):.1f}/"
                                           f"{r.stats.get('throughput/first_item_seconds', 0):.1f}"
                                           for n, r in zip(nulls, reals)) + " s"),
        Row(area, f"{label}: other processes' load while crawling null / real", others, "cores",
            f"of {os.cpu_count()}: the machine is shared"),
    ]
    for stage in STAGES:
        rows.append(Row(area, f"{label}: CPU per article, {stage} (pool)", round(stage_ms[stage], 2), "ms"))
    rows += [
        Row(area, f"{label}: CPU per article, all stages (pool); per page fetched",
            f"{sum(stage_ms.values()):.1f}; {pool_ms_per_page:.1f}", "ms"),
        Row(area, f"{label}: crawl process CPU per page, null / real", f"{null_ms:.2f} / {real_ms:.2f}",
            "ms"),
        Row(area, f"{label}: whole tree CPU per page, null / real",
            f"{mean(r.tree_cpu_ms_per_page for r in nulls):.1f} / "
            f"{mean(r.tree_cpu_ms_per_page for r in reals):.1f}", "ms"),
        Row(area, f"{label}: peak memory, real crawl (process tree RSS)", round(real_peak), "MB",
            f"{real.processes} processes", f"< {MEMORY_LIMIT_MB}", real_peak < MEMORY_LIMIT_MB),
        Row(area, f"{label}: peak memory, null crawl (process tree RSS)",
            round(max(r.peak_rss_mb for r in nulls)), "MB"),
    ]
    return rows


def mean(values) -> float:
    values = list(values)
    return sum(values) / len(values) if values else 0.0


# -- running one crawl -------------------------------------------------------------------------

def crawl(urls: list[str], spider: str, db: Path, workers: int | None = None,
          profile: Path | None = None, nice_pool: int = 0) -> CrawlResult:
    """One crawl in a subprocess (the driver below), sampling its process tree's memory meanwhile.

    `nice_pool` (an experiment, off by default) lowers the priority of every process the crawl
    process starts (the forkserver and the pool workers), so the reactor keeps its core.
    """
    stats_file = db.with_suffix(".stats.json")
    cmd = [sys.executable, "-m", "pipeline.benchmarks.throughput", "crawl", "--spider", spider,
           "--db", str(db), "--stats", str(stats_file)]
    if workers is not None:
        cmd += ["--workers", str(workers)]
    if profile is not None:
        cmd += ["--profile", str(profile)]
    env = {**os.environ, "NO_PROXY": "*", "no_proxy": "*"}
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        env.pop(name, None)
    cpu_before, busy_before, started = time.process_time(), machine_busy_seconds(), time.perf_counter()
    with open(db.with_suffix(".stderr"), "wb") as err:
        proc = subprocess.Popen([*cmd, *urls], cwd=PROJECT, env=env, stdout=subprocess.DEVNULL, stderr=err)
        sampler = TreeSampler(proc.pid, nice_children=nice_pool)
        sampler.start()
        try:
            code = proc.wait(timeout=CRAWL_TIMEOUT_SECONDS)
        finally:
            sampler.stop()
            if proc.poll() is None:
                proc.kill()
    wall = time.perf_counter() - started
    server_cpu = time.process_time() - cpu_before
    busy = machine_busy_seconds() - busy_before
    if code != 0:
        tail = db.with_suffix(".stderr").read_text(errors="replace")[-2000:]
        raise RuntimeError(f"{spider} crawl failed ({code}): {tail}")
    stats = json.loads(stats_file.read_text())
    result = CrawlResult(spider, stats, wall, sampler.peak_mb, sampler.peak_process_mb,
                         sampler.most_processes, sampler.cpu_seconds, server_cpu, busy)
    if spider != "null":
        with sqlite3.connect(db) as conn:
            result.articles = conn.execute("select count(*) from articles").fetchone()[0]
            row = conn.execute("select stats from crawls order by id desc limit 1").fetchone()
            result.db_stats = json.loads(row[0]) if row and row[0] else {}
    return result


def machine_busy_seconds() -> float:
    """CPU seconds every core has spent busy since boot (/proc/stat: all but idle and iowait)."""
    try:
        with open("/proc/stat", "rb") as f:
            fields = [int(v) for v in f.readline().split()[1:9]]
    except (OSError, ValueError):
        return 0.0
    user, nice, system, idle, iowait, irq, softirq, steal = fields
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


class TreeSampler:
    """The summed RSS of a process and all its descendants, sampled from /proc in a thread."""

    def __init__(self, pid: int, every: float = SAMPLE_SECONDS, nice_children: int = 0):
        self.pid = pid
        self.nice_children = nice_children
        self._niced: set[int] = set()
        self.every = every
        self.peak_mb = 0.0
        self.peak_process_mb = 0.0
        self.most_processes = 0
        self._cpu: dict[int, float] = {}  # pid -> CPU seconds, as last seen
        self._tick = os.sysconf("SC_CLK_TCK")
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def cpu_seconds(self) -> float:
        """User + system CPU of every process seen in the tree (up to its last sample)."""
        return sum(self._cpu.values())

    def sample(self) -> None:
        pids = process_tree(self.pid)
        if self.nice_children:
            for pid in set(pids) - self._niced - {self.pid}:
                try:
                    os.setpriority(os.PRIO_PROCESS, pid, self.nice_children)
                except OSError:
                    pass
                self._niced.add(pid)
        for pid in pids:
            try:
                with open(f"/proc/{pid}/stat", "rb") as f:
                    fields = f.read().rsplit(b")", 1)[1].split()
                self._cpu[pid] = (int(fields[11]) + int(fields[12])) / self._tick
            except (OSError, ValueError, IndexError):
                pass
        sizes = [resident_bytes(pid) for pid in pids]
        sizes = [s for s in sizes if s]
        if sizes:
            self.peak_mb = max(self.peak_mb, sum(sizes) / 2**20)
            self.peak_process_mb = max(self.peak_process_mb, max(sizes) / 2**20)
            self.most_processes = max(self.most_processes, len(sizes))

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.every)


# -- the crawl driver (runs in the crawl's own process) ---------------------------------------------

class CrawlClock:
    """Extension both crawls get: this process's CPU seconds from spider open to close (its main
    thread's apart), and when the first item and the last response came (seconds after open), into
    the crawl's stats under `throughput/`."""

    def __init__(self, crawler):
        self.stats = crawler.stats
        self.opened_cpu = 0.0
        self.opened = 0.0
        self.last_response = 0.0
        self.opened_main = 0.0
        self.first_item = 0.0

    @classmethod
    def from_crawler(cls, crawler):
        from scrapy import signals

        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.response_received, signal=signals.response_received)
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider):
        self.opened_main = main_thread_cpu()
        self.opened_cpu = time.process_time()
        self.opened = self.last_response = time.monotonic()

    def response_received(self, response, request, spider):
        self.last_response = time.monotonic()

    def item_scraped(self, item, response, spider):
        if not self.first_item:
            self.first_item = time.monotonic()

    def spider_closed(self, spider, reason):
        process = time.process_time() - self.opened_cpu
        # The reactor runs on the main thread; the rest is the pool's feeder thread, Twisted's threads...
        # (threads gone by now count in `process`, hence "other" = process - main).
        main = main_thread_cpu() - self.opened_main
        self.stats.set_value("throughput/process_cpu_seconds", process)
        self.stats.set_value("throughput/main_thread_cpu_seconds", main)
        self.stats.set_value("throughput/other_threads_cpu_seconds", max(0.0, process - main))
        self.stats.set_value("throughput/last_response_seconds", self.last_response - self.opened)
        if self.first_item:
            self.stats.set_value("throughput/first_item_seconds", self.first_item - self.opened)


def main_thread_cpu() -> float:
    """CPU seconds (user + system) of this process's main thread, from /proc."""
    pid = os.getpid()
    try:
        with open(f"/proc/{pid}/task/{pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


def drive(args) -> None:
    """Run one crawl as `reprints crawl --no-throttle` would, plus CrawlClock; write its stats as JSON."""
    from crawler.runner import crawl_settings, run_crawl
    from crawler.spiders.null import NullSpider
    from crawler.spiders.sites import SPIDERS
    from pipeline.store import open_db

    open_db(args.db).close()  # as `reprints crawl` does before crawling
    settings = crawl_settings(args.db, loopback=True)
    extensions = {**settings.getdict("EXTENSIONS"), f"{__name__}.CrawlClock": 900}
    extra = {"EXTENSIONS": extensions, "REMOTE_CONTROL_JOBS_DIR": str(Path(args.db).parent / "jobs")}
    if args.workers is not None:
        extra["REPRINTS_PROCESS_WORKERS"] = args.workers
    settings.setdict(extra, priority="cmdline")
    # run_crawl picks the spider class from this table; the null spider joins it in this process
    # only, so both crawls go through the very same function.
    SPIDERS.setdefault("null", NullSpider)
    platform = "null" if args.spider == "null" else args.spider
    if args.profile:
        import cProfile

        # The main thread's CPU time, not wall time: on a busy machine wall time mostly measures waiting.
        profiler = cProfile.Profile(time.thread_time)
        summary = profiler.runcall(run_crawl, args.urls, settings, platform, False)
        profiler.dump_stats(args.profile)
    else:
        summary = run_crawl(args.urls, settings, platform, progress=False)
    configured = settings.get("REPRINTS_PROCESS_WORKERS")
    workers = int(configured) if configured not in (None, "") else max(1, (os.cpu_count() or 2) - 1)
    stats = {**summary.stats, "throughput/pool_workers": workers if args.spider != "null" else 0}
    Path(args.stats).write_text(json.dumps(stats, default=str, sort_keys=True))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m pipeline.benchmarks.throughput")
    sub = parser.add_subparsers(dest="command")
    bench = sub.add_parser("bench", help="measure (the default): print the rows")
    bench.add_argument("--pages", type=int, action="append",
                       help="web sizes (repeatable; default 2000 and 20000)")
    bench.add_argument("--workers", type=int, help="REPRINTS_PROCESS_WORKERS for both crawls")
    bench.add_argument("--seed", type=int, default=0)
    bench.add_argument("--rounds", type=int, default=ROUNDS, help="crawls of each kind, in alternating order")
    one = sub.add_parser("crawl", help="the crawl driver: one crawl, its stats written as JSON")
    one.add_argument("--spider", default="auto")
    one.add_argument("--db", required=True)
    one.add_argument("--stats", required=True)
    one.add_argument("--workers", type=int)
    one.add_argument("--profile", help="write cProfile stats of the crawl process here")
    one.add_argument("urls", nargs="+")
    args = parser.parse_args(argv if argv is not None else (sys.argv[1:] or ["bench"]))
    if args.command == "crawl":
        drive(args)
        return
    rows = []
    for pages in args.pages or SIZES:
        rows += measure(pages, seed=args.seed, rounds=args.rounds, gate=pages >= 20_000, workers=args.workers)
    for row in rows:
        met = "" if row.met is None else ("  [met]" if row.met else "  [NOT met]")
        extra = f"  ({row.reference})" if row.reference else ""
        print(f"{row.name:<72} {row.value} {row.unit}{met}{extra}", flush=True)


if __name__ == "__main__":
    main()
