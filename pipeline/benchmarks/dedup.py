"""Syndicated-copy clustering: pairwise precision/recall and ARI on generated syndication sets,
then time and peak memory of `cluster_articles` at 10k and 100k articles (1,000,000 with
REPRINTS_BENCH_FULL=1), and an incremental run that adds 100 articles.

Every figure goes through `pipeline.dedup.cluster_articles` on a real corpus database:
quality sets are loaded with `store.save_article`, the large ones in bulk (same columns).
The large runs happen in a child process so that its peak memory (with its pool workers)
can be measured.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

from pipeline.benchmarks import Row
from pipeline.benchmarks.syndication import GenArticle, Rates, generate
from pipeline.processes import process_tree, resident_bytes

AREA = "dedup"
TARGETS = {"precision": 0.99, "recall": 0.97, "ari": 0.95}
ARI_REFERENCE = "MinHash on NEWS-COPY ~0.73 ARI (literature)"
TIME_LIMIT_1M = 15 * 60  # seconds
MEMORY_LIMIT = 6 * 1024  # MB


# ---------------------------------------------------------------------------------------------
# Scoring


def score(labels: np.ndarray, predicted: np.ndarray) -> dict:
    """Pairwise precision, recall and adjusted Rand index of a clustering against true labels."""
    from sklearn.metrics import adjusted_rand_score

    labels = np.asarray(labels, dtype=np.int64)
    predicted = np.asarray(predicted, dtype=np.int64)

    def pairs(x: np.ndarray) -> int:
        _, counts = np.unique(x, return_counts=True)
        return int((counts * (counts - 1) // 2).sum())

    _, pred_dense = np.unique(predicted, return_inverse=True)
    joint = labels * (int(pred_dense.max(initial=0)) + 1) + pred_dense
    tp, pp, tt = pairs(joint), pairs(predicted), pairs(labels)
    return {"precision": tp / pp if pp else 1.0, "recall": tp / tt if tt else 1.0,
            "ari": float(adjusted_rand_score(labels, predicted)), "true_pairs": tt, "predicted_pairs": pp}


def _predicted(db, ids: list[str]) -> np.ndarray:
    """Each article's cluster, singletons numbered apart (negative)."""
    cluster = dict(db.execute("SELECT id, cluster_id FROM articles").fetchall())
    return np.array([cluster.get(a) if cluster.get(a) is not None else -(i + 1) for i, a in enumerate(ids)])


def canonical_accuracy(db, articles: list[GenArticle]) -> float:
    """Share of clusters whose canonical article is the true original of most of its members."""
    from pipeline.store import article_id

    truth = {article_id(a.url): a for a in articles}
    right = total = 0
    for cid, canonical in db.execute("SELECT id, canonical_article_id FROM clusters"):
        members = [truth[r[0]] for r in db.execute("SELECT id FROM articles WHERE cluster_id = ?", [cid])
                   if r[0] in truth]
        if not members:
            continue
        labels = [m.label for m in members]
        majority = max(set(labels), key=labels.count)
        original = next((m for m in members if m.label == majority and m.role == "original"), None)
        if original is None:
            continue
        total += 1
        right += article_id(original.url) == canonical
    return right / total if total else 1.0


def hard_negative_merges(db, articles: list[GenArticle]) -> tuple[int, int]:
    """(wrongly merged, total) pairs of articles copying different originals of one family:
    same-author same-theme siblings, or articles sharing a quoted passage."""
    from pipeline.store import article_id

    cluster = dict(db.execute("SELECT id, cluster_id FROM articles").fetchall())
    by_family: dict[int, list[GenArticle]] = {}
    for a in articles:
        if a.kind in ("sibling", "quoting", "source"):
            by_family.setdefault(a.family, []).append(a)
    merged = total = 0
    for members in by_family.values():
        clusters = [cluster.get(article_id(a.url)) for a in members]
        for i, x in enumerate(members):
            for j in range(i + 1, len(members)):
                if members[j].label != x.label:
                    total += 1
                    merged += clusters[i] is not None and clusters[i] == clusters[j]
    return merged, total


# ---------------------------------------------------------------------------------------------
# Quality


def quality(n: int, source: str, seed: int = 11, use_simulator: bool | None = None, rates: Rates | None = None,
            name: str = "") -> tuple[dict, list[Row]]:
    """Generate, load with save_article, cluster, score."""
    import sqlite_utils

    from pipeline.dedup import cluster_articles
    from pipeline.store import article_id, ensure_schema, save_article

    articles = list(generate(n, seed=seed, source=source, use_simulator=use_simulator, rates=rates))
    db = sqlite_utils.Database(memory=True)
    ensure_schema(db)
    for a in articles:
        save_article(db, a.to_article(), when="2026-01-01T00:00:00+00:00")
    started = time.perf_counter()
    counts = cluster_articles(db)
    elapsed = time.perf_counter() - started
    ids = [article_id(a.url) for a in articles]
    result = score(np.array([a.label for a in articles]), _predicted(db, ids))
    result["canonical"] = canonical_accuracy(db, articles)
    result["hard_merged"], result["hard_pairs"] = hard_negative_merges(db, articles)
    result["seconds"] = elapsed
    result["articles"] = len(articles)
    result["originals"] = len({a.label for a in articles})
    result["counts"] = counts
    label = f"{len(articles):,} articles from {result['originals']:,} {name or source} originals"
    rows = [
        Row(AREA, f"pairwise precision ({label})", round(result["precision"], 4), "",
            "", f">= {TARGETS['precision']}", result["precision"] >= TARGETS["precision"]),
        Row(AREA, f"pairwise recall ({label})", round(result["recall"], 4), "",
            "", f">= {TARGETS['recall']}", result["recall"] >= TARGETS["recall"]),
        Row(AREA, f"adjusted Rand index ({label})", round(result["ari"], 4), "", ARI_REFERENCE,
            f">= {TARGETS['ari']}", result["ari"] >= TARGETS["ari"]),
        Row(AREA, f"canonical = the original ({source})", round(result["canonical"], 4), "share of clusters"),
        Row(AREA, f"hard-negative pairs merged ({source}: same-theme siblings, shared quotes)",
            f"{result['hard_merged']:,} of {result['hard_pairs']:,}", "pairs", "", "0"),
    ]
    db.close()
    return result, rows


def jaccard_baseline(n: int, seed: int = 11, threshold: float = 0.5) -> dict:
    """Plain datasketch MinHashLSH at a Jaccard threshold, clusters as connected components:
    what the containment and alignment checks add."""
    from datasketch import MinHashLSH

    from pipeline.dedup import UnionFind, features, signatures, to_datasketch

    articles = list(generate(n, seed=seed, use_simulator=False))
    sigs = signatures([features(a.body).signed for a in articles])
    lsh = MinHashLSH(threshold=threshold, num_perm=sigs.shape[1])
    hashes = [to_datasketch(s) for s in sigs]
    for i, m in enumerate(hashes):
        lsh.insert(i, m)
    uf = UnionFind(len(articles))
    for i, m in enumerate(hashes):
        for j in lsh.query(m):
            if j != i and m.jaccard(hashes[j]) >= threshold:
                uf.union(i, j)
    return score(np.array([a.label for a in articles]), uf.labels())


# ---------------------------------------------------------------------------------------------
# Scale


SHARD = 20_000  # articles per generator shard: shards are generated in parallel, each its own families


def _shard(args: tuple[int, int, int, int]) -> tuple[list[dict], list[dict], list[int], list[GenArticle]]:
    """Rows for `articles` and `sites` of one shard, its labels, and `extra` articles held back."""
    from pipeline.store import article_id, content_hash, site_id

    number, size, extra, seed = args
    when = "2026-01-01T00:00:00+00:00"
    rows, sites, labels, held = [], {}, [], []
    for i, a in enumerate(generate(size + extra, seed=seed * 100_003 + number, use_simulator=False,
                                   first_label=number * 10_000_000)):
        if i >= size:
            held.append(a)
            continue
        sid = site_id(a.url)
        sites.setdefault(sid, {"id": sid, "platform": a.platform, "name": a.site_name, "first_seen": when,
                               "last_crawled": when})
        rows.append({"id": article_id(a.url), "url": a.url, "site_id": sid, "title": a.title,
                     "published": a.published, "body": a.body, "word_count": len(a.body.split()),
                     "syndicated_from": a.syndicated_from, "content_hash": content_hash(a.title + "\n" + a.body),
                     "tags": "[]", "repairs": "{}", "first_seen": when, "last_seen": when})
        labels.append(a.label)
    return rows, list(sites.values()), labels, held


def build_corpus(path: str, n: int, seed: int = 5, hold_back: int = 0) -> tuple[list[str], np.ndarray, list]:
    """A corpus database of n generated articles, generated in parallel shards and loaded in bulk.

    The FTS insert trigger is set aside during the load (the FTS index of these rows stays
    empty: clustering never reads it) and restored after, so the update trigger that
    `cluster_articles` meets is the real one. Returns (article ids, labels, the
    `hold_back` articles generated after the last shard's, not loaded).
    """
    import multiprocessing

    from pipeline.store import open_db

    db = open_db(path)
    triggers = db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name = 'articles_ai'"
                          ).fetchall()
    for name, _ in triggers:
        db.execute(f'DROP TRIGGER "{name}"')
    shards = [(i, min(SHARD, n - i * SHARD), hold_back if (i + 1) * SHARD >= n else 0, seed)
              for i in range((n + SHARD - 1) // SHARD)]
    ids, labels, extra = [], [], []
    workers = min(2, os.cpu_count() or 1)
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        for rows, sites, shard_labels, held in pool.imap(_shard, shards):
            with db.conn:
                db["sites"].upsert_all(sites, pk="id")
                db["articles"].insert_all(rows, pk="id", batch_size=2000, replace=True)
            ids += [r["id"] for r in rows]
            labels += shard_labels
            extra += held
    for _, sql in triggers:
        db.execute(sql)
    db.conn.commit()
    db.close()
    return ids, np.array(labels), extra


def add_articles(path: str, articles: list[GenArticle]) -> None:
    """Add articles the way a crawl does."""
    from pipeline.store import open_db, save_article

    db = open_db(path)
    for a in articles:
        save_article(db, a.to_article())
    db.close()


def _pss(pid: int) -> int | None:
    """Proportional set size (bytes): shared pages of forked workers counted once in all."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def _tree_rss(pid: int) -> int:
    """Memory (bytes) of a process and all its descendants: PSS where the kernel gives it, else RSS."""
    return sum(pss if (pss := _pss(p)) is not None else resident_bytes(p) for p in process_tree(pid))


def run_child(path: str, incremental: bool = True) -> dict:
    """`cluster_articles` on the corpus at `path` in a child process: its counts, wall time and
    the peak resident memory of the child with its workers (sampled every 0.2 s)."""
    code = ("import json, sys, time; from pipeline.store import open_db; from pipeline.dedup import cluster_articles;"
            "db = open_db(sys.argv[1]); t = time.perf_counter();"
            "c = cluster_articles(db, incremental=sys.argv[2] == '1'); c['wall'] = time.perf_counter() - t;"
            "print(json.dumps(c))")
    import resource

    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code, path, "1" if incremental else "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    peak = [0]

    def sample() -> None:
        while proc.poll() is None:
            peak[0] = max(peak[0], _tree_rss(proc.pid))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    sampler.join()
    if proc.returncode != 0:
        raise RuntimeError(f"cluster_articles failed: {err.strip()[-2000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    counts = json.loads(out.strip().splitlines()[-1])
    counts["elapsed"] = time.perf_counter() - started
    counts["peak_mb"] = peak[0] / 2**20
    # CPU seconds of the child and its workers: what the machine's other load does not inflate much.
    counts["cpu"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    counts["load"] = max(load_before, os.getloadavg()[0])
    return counts


def scale(n: int, workdir: str) -> tuple[dict, list[Row]]:
    """Build an n-article corpus, cluster it from scratch, score it, then add 100 articles."""
    import sqlite_utils

    path = str(Path(workdir) / f"corpus-{n}.db")
    t0 = time.perf_counter()
    ids, labels, extra = build_corpus(path, n, hold_back=100)
    build = time.perf_counter() - t0
    full = run_child(path, incremental=False)
    db = sqlite_utils.Database(path)
    quality_at = score(labels, _predicted(db, ids))
    db.close()
    add_articles(path, extra)
    incr = run_child(path, incremental=True)
    result = {"n": n, "build": build, "full": full, "incremental": incr, **quality_at}
    rows = [
        Row(AREA, f"cluster {n:,} articles from scratch", round(full["wall"], 1), "s",
            f"{full['cpu']:.0f} CPU-s (process + workers); load average {full['load']:.1f} on "
            f"{os.cpu_count()} cores", f"<= {TIME_LIMIT_1M} at 1,000,000" if n >= 1_000_000 else "",
            full["wall"] <= TIME_LIMIT_1M if n >= 1_000_000 else None),
        Row(AREA, f"peak memory, {n:,} (process + workers)", round(full["peak_mb"]), "MB", "",
            f"<= {MEMORY_LIMIT:,}", full["peak_mb"] <= MEMORY_LIMIT),
        Row(AREA, f"throughput at {n:,}", round(n / full["wall"]), "articles/s"),
        Row(AREA, f"precision / recall / ARI at {n:,}",
            f"{quality_at['precision']:.4f} / {quality_at['recall']:.4f} / {quality_at['ari']:.4f}", "",
            "", ">= 0.99 / 0.97 / 0.95",
            quality_at["precision"] >= 0.99 and quality_at["recall"] >= 0.97 and quality_at["ari"] >= 0.95),
        Row(AREA, f"incremental: +100 articles to {n:,}", round(incr["wall"], 2), "s",
            f"hashed {incr['hashed']} (the rest stay in the index)", "hashes only the 100",
            incr["hashed"] == 100),
    ]
    os.remove(path)
    for suffix in ("-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    return result, rows


# ---------------------------------------------------------------------------------------------


def run(quick: bool = False) -> list[Row]:
    """Quality on generated sets, then scale (10k, 100k; 1M with REPRINTS_BENCH_FULL=1)."""
    rows: list[Row] = []
    if quick:
        _, r = quality(1000, "markov", use_simulator=False)
        return rows + r
    _, r = quality(3000, "markov")
    rows += r
    harsh = Rates(truncate=1.0, spin=1.0, corrupt=0.6, chrome=0.9, intro=0.2, recopy=0.3)
    _, r = quality(2000, "markov", seed=12, use_simulator=False, rates=harsh,
                   name="markov, every copy truncated and spun,")
    rows += r[:3]
    try:
        _, r = quality(3000, "real")
        rows += r
    except FileNotFoundError as exc:
        rows.append(Row(AREA, "real-text originals", f"skipped: {exc}"))
    for threshold in (0.5, 0.3):
        base = jaccard_baseline(3000, threshold=threshold)
        rows.append(Row(AREA, f"baseline: datasketch MinHashLSH, Jaccard >= {threshold}, no alignment (3,000)",
                        f"P {base['precision']:.3f} R {base['recall']:.3f} ARI {base['ari']:.3f}", "",
                        ARI_REFERENCE))
    sizes = [10_000, 100_000] + ([1_000_000] if os.environ.get("REPRINTS_BENCH_FULL") == "1" else [])
    times = {}
    with tempfile.TemporaryDirectory(prefix="reprints-dedup-") as tmp:
        for n in sizes:
            result, r = scale(n, tmp)
            rows += r
            times[n] = result["full"]
    for small, big in zip(sizes, sizes[1:]):
        ratio = times[big]["cpu"] / times[small]["cpu"]
        wall = times[big]["wall"] / times[small]["wall"]
        rows.append(Row(AREA, f"CPU time growth {small:,} -> {big:,} ({big // small}x articles)", round(ratio, 2),
                        "x", f"linear would be {big // small}; wall time {wall:.1f}x",
                        f"<= {1.5 * big / small:.0f}", ratio <= 1.5 * big / small))
    return rows


if __name__ == "__main__":  # pragma: no cover
    from pipeline.benchmarks.report import run_all

    run_all(quick="--quick" in sys.argv, areas=(AREA,))
