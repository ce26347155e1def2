"""Load rate into SQLite (FTS kept in sync) and export rate, on synthetic articles."""

from __future__ import annotations

import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pipeline.benchmarks import Row
from pipeline.export import iter_records, write_records
from pipeline.model import Article, Comment
from pipeline.store import BatchWriter, open_db

WORDS = ("network marketing downline upline sponsor recruit business home success team leader training "
         "product customer income opportunity plan commission distributor growth market people").split()
# Articles per transaction in this bulk load. `reprints reprocess` writes 200 at a time (a commit every
# few seconds of extraction) and a crawl 100 (REPRINTS_STORE_BATCH), since they wait for pages.
BATCH = 500
LOAD_TARGET = 5000  # articles/s, issue 6
EXPORT_TARGET = 20000  # articles/s, issue 6
EXPORT_MEMORY_TARGET_MB = 200  # peak resident memory of `reprints export`, issue 6


def synthetic_article(i: int, rng: random.Random, words: int = 800) -> Article:
    """A plausible article of `words` words with two comments."""
    text = [" ".join(rng.choice(WORDS) for _ in range(80)) for _ in range(words // 80)]
    return Article(url=f"http://site{i % 50}.example/{i}.html", platform="blogger", site_name=f"Site {i % 50}",
                   title=f"Article {i}", author=f"Author {i % 300}", published=f"20{i % 20:02d}-01-01",
                   paragraphs=text, comments=[Comment(author="reader", body="Thanks for this."),
                                              Comment(author="cheap pills", body="buy now", is_spam=True)])


def run(quick: bool = False) -> list[Row]:
    """Load N articles in batches, FTS in sync, then export them to JSON Lines."""
    count = 1000 if quick else 100_000
    rng = random.Random(1)
    articles = [synthetic_article(i, rng) for i in range(count)]
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "bench.db")
        db = open_db(path)
        started = time.perf_counter()
        with BatchWriter(path) as writer:
            for start in range(0, count, BATCH):
                writer.save(articles[start:start + BATCH], "2026-01-01T00:00:00+00:00")
        load_rate = count / (time.perf_counter() - started)
        started = time.perf_counter()
        with open(Path(tmp) / "in-process.jsonl", "w", encoding="utf-8") as out:
            exported = write_records(iter_records(db), out)
        export_rate = exported / (time.perf_counter() - started)
        db.close()
        export_mb = export_peak_memory_mb(Path(tmp) / "bench.db", Path(tmp) / "out.jsonl")
    return [
        Row("store", f"load, FTS in sync ({count:,} x 800 words, BatchWriter, {BATCH} per transaction)", round(load_rate), "articles/s",
            "sqlite-utils bulk upsert ~13k/s, FTS build ~5k/s (ANCHORS)", f">= {LOAD_TARGET:,} at 100k",
            load_rate >= LOAD_TARGET),
        Row("store", f"export to JSON Lines ({count:,})", round(export_rate), "articles/s", "",
            f">= {EXPORT_TARGET:,} at 100k", export_rate >= EXPORT_TARGET),
        Row("store", f"`reprints export --output` peak memory ({count:,})", round(export_mb), "MB", "",
            f"< {EXPORT_MEMORY_TARGET_MB} MB", export_mb < EXPORT_MEMORY_TARGET_MB),
    ]


# Runs `reprints export` in a fresh interpreter and prints that process's own peak RSS in KiB.
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over exec, so a child forked from this benchmark
# (with its 100k synthetic articles in memory) would report the benchmark's size.
EXPORT_PROBE = """
import re, sys
from pathlib import Path
from pipeline.cli import cli
cli(sys.argv[1:], standalone_mode=False)
print(re.search(r"VmHWM:\\s*(\\d+) kB", Path("/proc/self/status").read_text()).group(1))
"""


def export_peak_memory_mb(db: Path, output: Path) -> float:
    """Peak resident memory of the real export command, run as its own process."""
    probe = subprocess.run([sys.executable, "-c", EXPORT_PROBE, "export", "--db", str(db), "--output", str(output)],
                           check=True, capture_output=True, text=True)
    return int(probe.stdout.split()[-1]) / 1024
