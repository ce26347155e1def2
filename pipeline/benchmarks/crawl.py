"""Crawl rate of the bundled sample web: a real `reprints crawl` process over loopback."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pipeline.benchmarks import Row


def run(quick: bool = False) -> list[Row]:
    """Crawl the whole sample web once, all stages on; report pages/s and articles/s."""
    import sqlite3

    from crawler.sampleweb.server import SampleWeb

    with tempfile.TemporaryDirectory() as tmp, SampleWeb() as web:
        db = Path(tmp) / "bench.db"
        urls = [site.start_url for site in web.sites]
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "pipeline.cli", "crawl", *urls, "--db", str(db), "--no-throttle"],
                       check=True, capture_output=True)
        seconds = time.perf_counter() - started
        with sqlite3.connect(db) as conn:
            pages = conn.execute("select pages from crawls order by id desc limit 1").fetchone()[0]
            articles = conn.execute("select count(*) from articles").fetchone()[0]
    return [
        Row("crawl", "sample web crawl, all stages, process start included", round(pages / seconds, 1), "pages/s",
            "Scrapy null crawl 112 pages/s on 31 KB pages (ANCHORS)"),
        Row("crawl", "sample web: pages fetched / articles stored", f"{pages} / {articles}"),
        Row("crawl", "sample web crawl wall time", round(seconds, 2), "s"),
    ]
