"""Load rate into SQLite (FTS kept in sync) and export rate, on synthetic articles."""

from __future__ import annotations

import io
import random
import tempfile
import time
from pathlib import Path

from pipeline.benchmarks import Row
from pipeline.export import iter_records, write_records
from pipeline.model import Article, Comment
from pipeline.store import open_db, save_articles

WORDS = ("network marketing downline upline sponsor recruit business home success team leader training "
         "product customer income opportunity plan commission distributor growth market people").split()
BATCH = 500  # articles per transaction, as the crawl's store pipeline batches them
LOAD_TARGET = 5000  # articles/s, issue 6
EXPORT_TARGET = 20000  # articles/s, issue 6


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
        db = open_db(str(Path(tmp) / "bench.db"))
        started = time.perf_counter()
        for start in range(0, count, BATCH):
            save_articles(db, articles[start:start + BATCH], None, "2026-01-01T00:00:00+00:00")
        load_rate = count / (time.perf_counter() - started)
        started = time.perf_counter()
        exported = write_records(iter_records(db), io.StringIO())
        export_rate = exported / (time.perf_counter() - started)
        db.close()
    return [
        Row("store", f"load, FTS in sync ({count:,} x 800 words, {BATCH} per transaction)", round(load_rate), "articles/s",
            "sqlite-utils bulk upsert ~13k/s, FTS build ~5k/s (ANCHORS)", f">= {LOAD_TARGET:,} at 100k",
            load_rate >= LOAD_TARGET),
        Row("store", f"export to JSON Lines ({count:,})", round(export_rate), "articles/s", "",
            f">= {EXPORT_TARGET:,} at 100k", export_rate >= EXPORT_TARGET),
    ]
