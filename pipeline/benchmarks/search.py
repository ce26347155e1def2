"""Full-text search latency through Datasette's JSON API over a synthetic corpus."""

from __future__ import annotations

import asyncio
import random
import statistics
import tempfile
import time
from pathlib import Path

import yaml

from pipeline.benchmarks import Row
from pipeline.benchmarks.store import WORDS, synthetic_article
from pipeline.store import open_db, save_articles

SEARCH_P95_TARGET_MS = 50
SNIPPET_TARGET_MS = 150
QUERIES = 60


def build_corpus(path: Path, count: int) -> None:
    """Fill a database with `count` synthetic articles."""
    rng = random.Random(7)
    db = open_db(str(path))
    for start in range(0, count, 1000):
        save_articles(db, [synthetic_article(i, rng, words=400) for i in range(start, min(count, start + 1000))],
                      None, "2026-01-01T00:00:00+00:00")
    db.close()


def latencies(datasette, paths: list[str]) -> list[float]:
    """Milliseconds per request, in order."""
    async def measure():
        times = []
        for path in paths:
            started = time.perf_counter()
            response = await datasette.client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            times.append((time.perf_counter() - started) * 1000)
        return times

    return asyncio.run(measure())


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def run(quick: bool = False) -> list[Row]:
    """p50 and p95 of table search and of the ranked snippet query."""
    from datasette.app import Datasette

    from pipeline.serve import DATASETTE_DIR, SETTINGS

    count = 5_000 if quick else 100_000
    rng = random.Random(3)
    words = [rng.choice(WORDS) for _ in range(QUERIES)]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "reprints.db"
        build_corpus(path, count)
        metadata = yaml.safe_load((DATASETTE_DIR / "metadata.yml").read_text())
        datasette = Datasette(files=[], immutables=[str(path)], metadata=metadata,
                              plugins_dir=str(DATASETTE_DIR / "plugins"), settings=SETTINGS)
        table = latencies(datasette, [f"/reprints/articles.json?_search={w}&_size=20&_col=title&_col=site_id"
                                      "&_nofacet=1&_nocount=1" for w in words])
        snippet = latencies(datasette, [f"/reprints/search.json?q={w}" for w in words])
    p95, snippet_p95 = percentile(table, 0.95), percentile(snippet, 0.95)
    label = f"{count:,} articles"
    return [
        Row("search", f"table search p50 ({label})", round(statistics.median(table), 1), "ms",
            "Datasette default 164 ms p50 at 100k (ANCHORS)"),
        Row("search", f"table search p95 ({label})", round(p95, 1), "ms", "715 ms p95 at 100k (ANCHORS)",
            f"< {SEARCH_P95_TARGET_MS} ms at 100k", p95 < SEARCH_P95_TARGET_MS),
        Row("search", f"ranked snippet query p50 ({label})", round(statistics.median(snippet), 1), "ms"),
        Row("search", f"ranked snippet query p95 ({label})", round(snippet_p95, 1), "ms", "",
            f"< {SNIPPET_TARGET_MS} ms", snippet_p95 < SNIPPET_TARGET_MS),
    ]
