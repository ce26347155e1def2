"""Crawl rate of the bundled sample web: a real `reprints crawl` process over loopback.

Also what the crawl's restyle step (`pipeline.reprocess.restyle`) is worth there: of the dashes
and quotation marks that the converted copies lost to "?", how many come out as their author
wrote them, before the restyle (the body `article_versions` kept) and after.
"""

from __future__ import annotations

import subprocess
from collections import Counter
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
            truth = web.truth()
            before, after = restored_marks_as_written(conn, truth)
            all_before, all_after = restored_marks_as_written(conn, truth, LOST_MARKS)
    return [
        Row("crawl", "sample web crawl, all stages, process start included", round(pages / seconds, 1), "pages/s",
            "Scrapy null crawl 112 pages/s on 31 KB pages (ANCHORS)"),
        Row("crawl", "sample web: pages fetched / articles stored", f"{pages} / {articles}"),
        Row("crawl", "sample web crawl wall time", round(seconds, 2), "s"),
        Row("crawl", "sample web: converted copies' dashes and quotes as written, repair alone", before, "%"),
        Row("crawl", "sample web: the same after the restyle from an intact sibling", after, "%"),
        Row("crawl", "sample web: converted copies' lost marks (apostrophes, ellipses too) as written, "
                     "repair alone", all_before, "%"),
        Row("crawl", "sample web: the same after the restyle from an intact sibling", all_after, "%"),
    ]


# The marks an ASCII conversion loses whose form is a matter of house style.
STYLE_MARKS = "–—“”‘"
# All the marks it loses that the repair puts back.
LOST_MARKS = STYLE_MARKS + "’…"


def restored_marks_as_written(conn, truth, marks: str = STYLE_MARKS) -> tuple[float, float]:
    """Share of the `marks` of the converted copies (the sample web's `question` pages) that
    the stored bodies hold as the author's text has them: before the restyle, and after.

    Counted as a multiset per copy: min(stored, written) for each mark, over the written count;
    abridged copies are left out.
    """
    from pipeline.urls import normalize_url

    written = {article.id: Counter(c for c in article.text if c in marks) for article in truth.articles}
    matched = {"before": 0, "after": 0}
    total = 0
    for page in truth.pages:
        if not page.corruptions.get("question") or page.corruptions.get("abridged"):
            continue  # an abridged copy lacks some of the marks its author wrote
        row = conn.execute("select id, body from articles where url = ?", [normalize_url(page.url)]).fetchone() or \
            conn.execute("select id, body from articles where url = ?", [page.url]).fetchone()
        if row is None:
            continue
        art_id, after = row
        first = conn.execute("select body from article_versions where article_id = ? order by id limit 1",
                             [art_id]).fetchone()
        before = first[0] if first else after
        want = written[page.article]
        total += sum(want.values())
        for name, body in (("before", before), ("after", after)):
            have = Counter(c for c in body if c in marks)
            matched[name] += sum(min(have[c], n) for c, n in want.items())
    share = (lambda n: round(100 * n / total, 2) if total else 0.0)
    return share(matched["before"]), share(matched["after"])
