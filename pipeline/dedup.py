"""`reprints dedup`: cluster syndicated copies of one article, and choose each cluster's canonical copy.

The same article turns up on its directory, on blogs that quote it with a "Source:" line,
truncated, corrupted in transit, spun, retitled. `cluster_articles` groups the copies:

1. Hash new and changed articles (by `articles.content_hash`) into the persistent index,
   table `dedup_index` (one MinHash signature per article, see `pipeline.dedup_core`).
   Nothing else is re-hashed: a crawl that adds 100 articles to a million hashes 100.
2. Candidates: identical normalized bodies (exact hash), pairs whose signatures share
   at least MIN_VOTES MinHash values, and pairs joined by a "Source:" line, each with at
   least one new, changed or affected article.
3. Each candidate is verified on its MinHash estimates before it joins a cluster: below
   MIN_CONTAINMENT estimated containment it is dropped; at SURE_JACCARD estimated
   Jaccard or more it joins; in between the two texts are aligned (`dedup_core.verify`:
   containment in order, so that an abridged or spun copy joins and two articles
   quoting one passage do not). Pairs already in one cluster are not checked again.
4. Clusters are the connected components. Each gets a row in `clusters` with its
   canonical copy (`canonical_of`), and its members `articles.cluster_id`; an article
   with no copy keeps cluster_id NULL. Cluster ids survive re-runs.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections import Counter, defaultdict
from functools import lru_cache
from pathlib import Path

import numpy as np
import sqlite_utils

from pipeline import dedup_core as core
from pipeline.dedup_core import (  # noqa: F401  (the shared pure functions, re-exported)
    MIN_CONTAINMENT, NUM_PERM, THRESHOLD, Features, UnionFind, Verdict, candidate_pairs,
    estimated_containment, features, signature, signatures, to_datasketch, tokens, verify,
)

INDEX_TABLE = "dedup_index"
META_TABLE = "dedup_meta"
INDEX_COLUMNS = {"article_id": str, "slot": int, "content_hash": str, "body_hash": str, "shingles": int,
                 "signature": bytes, "pending": int}
META_COLUMNS = {"key": str, "value": str}
PARALLEL_MIN = 20_000   # documents to hash (or pairs to verify) before a process pool pays off
BATCH = 500             # bodies per read and per pool task
_VARS = 500             # ids per "IN (...)" query, under SQLite's variable limit
BULK_UPDATE = 1000      # cluster_id updates from which the FTS update trigger is set aside
SURE_JACCARD = 0.6      # estimated Jaccard at which a pair joins without alignment (hard negatives: <= 0.43)
SURE_SHINGLES = 50      # ... if both texts have at least this many signed shingles
MAX_REJECTIONS = 3      # pairs tried between two clusters, best first, before giving up on them


# ---------------------------------------------------------------------------------------------
# Canonical copy


@lru_cache(maxsize=200_000)
def _norm_url(url: str | None) -> str | None:
    if not url:
        return None
    try:
        from pipeline.urls import normalize_url

        return normalize_url(url)
    except Exception:
        return url.strip().lower().rstrip("/")


def canonical_of(members: list[dict]) -> str:
    """The canonical article id among a cluster's members.

    Members are dicts with `id`, `url`, `platform` (the site's; `site_platform` is read
    too), `syndicated_from` and `published`. The directory original wins (among several
    directory copies: the one most "Source:" lines of the other members name, then the
    earliest); without one, the copy the "Source:" lines name, else the earliest
    published (undated last), then the smallest id, so the choice is stable. A blog post
    that Source lines name more often than the directory copy, published before it, is
    the original that the directory republished.
    """
    if not members:
        raise ValueError("a cluster has at least one member")
    pointed: Counter = Counter()
    sources = [m for m in members if m.get("syndicated_from")]
    if sources:
        exact = {m.get("url"): m["id"] for m in members if m.get("url")}
        normalized: dict[str, str] | None = None
        for m in sources:
            target = exact.get(m["syndicated_from"])
            if target is None:  # the Source: line spells the URL differently
                if normalized is None:
                    normalized = {_norm_url(u): i for u, i in exact.items()}
                target = normalized.get(_norm_url(m["syndicated_from"]))
            if target and target != m["id"]:
                pointed[target] += 1

    def date(m: dict) -> str:
        return str(m.get("published") or "")

    def rank(m: dict) -> tuple:
        return -pointed[m["id"]], not date(m), date(m), str(m["id"])

    directory = [m for m in members if (m.get("platform") or m.get("site_platform")) == "directory"]
    if not directory:
        return min(members, key=rank)["id"]
    best = min(directory, key=rank)
    rivals = [m for m in members if m not in directory and pointed[m["id"]] > pointed[best["id"]]
              and date(m) and date(best) and date(m)[:10] < date(best)[:10]]
    return min(rivals, key=rank)["id"] if rivals else best["id"]


# ---------------------------------------------------------------------------------------------
# The persistent index


def _ensure_index(idx: sqlite_utils.Database) -> None:
    from pipeline import store

    for name, default in ((INDEX_TABLE, dict(columns=INDEX_COLUMNS, pk="article_id")),
                          (META_TABLE, dict(columns=META_COLUMNS, pk="key"))):
        spec = store.TABLES.get(name, default)
        table = idx[name]
        if not table.exists():
            table.create(spec["columns"], pk=spec["pk"])
        else:
            for column, col_type in spec["columns"].items():
                if column not in table.columns_dict:
                    table.add_column(column, col_type)


def _meta(idx: sqlite_utils.Database, key: str) -> str | None:
    row = idx.execute(f"SELECT value FROM {META_TABLE} WHERE key = ?", [key]).fetchone()
    return row[0] if row else None


class _Index:
    """The stored signatures, loaded as arrays in slot order."""

    def __init__(self, idx: sqlite_utils.Database) -> None:
        ids, slots, pending, bhashes, sizes, parts, blobs = [], [], [], [], [], [], []
        for row in idx.execute(f"SELECT article_id, slot, pending, body_hash, shingles, signature "
                               f"FROM {INDEX_TABLE}"):
            ids.append(row[0])
            slots.append(row[1])
            pending.append(bool(row[2]))
            bhashes.append(row[3])
            sizes.append(row[4])
            blobs.append(row[5])
            if len(blobs) == 10_000:
                parts.append(np.frombuffer(b"".join(blobs), dtype="<u4").reshape(-1, NUM_PERM))
                blobs = []
        if blobs:
            parts.append(np.frombuffer(b"".join(blobs), dtype="<u4").reshape(-1, NUM_PERM))
        order = np.argsort(np.array(slots, dtype=np.int64), kind="stable")
        self.ids = [ids[i] for i in order]
        self.body_hash = [bhashes[i] for i in order]
        self.sizes = np.array(sizes, dtype=np.int64)[order]
        self.pending = np.array(pending, dtype=bool)[order]  # hashed, not yet clustered
        sigs = np.concatenate(parts).astype(np.uint32, copy=False) if parts else np.zeros((0, NUM_PERM), np.uint32)
        del parts
        self.sigs = sigs[order]


def hash_bodies(bodies: list[str]) -> tuple[np.ndarray, list[int], list[str]]:
    """Signatures, shingle counts and exact body hashes of a batch of bodies."""
    feats = core.features_batch(bodies)
    sets = [f.signed for f in feats]
    sets = [x if len(x) >= core.MIN_SHINGLES else x[:0] for x in sets]
    return core.signatures(sets), [len(s) for s in sets], [f.body_hash for f in feats]


def _hash_task(task: tuple[list[int], list[str]]):
    rowids, bodies = task
    return (rowids, *hash_bodies(bodies))


def _pool(workers: int):
    """A process pool: forked when this process runs one thread (cheap, and safe from a script
    without a __main__ guard), spawned otherwise (a crawl's reactor threads must not be forked)."""
    import threading

    method = "fork" if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods() \
        else "spawn"
    return multiprocessing.get_context(method).Pool(workers)


def _pool_map(pool, func, tasks, window: int = 6):
    """Like pool.imap, but the tasks are produced in the calling thread (they read SQLite, whose
    connection belongs to this thread), with at most `window` tasks in flight."""
    if pool is None:
        yield from map(func, tasks)
        return
    pending = []
    for task in tasks:
        pending.append(pool.apply_async(func, (task,)))
        if len(pending) >= window:
            yield pending.pop(0).get()
    while pending:
        yield pending.pop(0).get()


def _workers(requested: int | None, jobs: int) -> int:
    if requested is not None:
        return max(1, requested)
    return min(2, os.cpu_count() or 1) if jobs >= PARALLEL_MIN else 1


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _read_bodies(db: sqlite_utils.Database, rowids: list[int]) -> dict[int, str]:
    out = {}
    for chunk in _chunks(rowids, _VARS):
        marks = ",".join("?" * len(chunk))
        for rowid, body in db.execute(f"SELECT rowid, body FROM articles WHERE rowid IN ({marks})", chunk):
            out[rowid] = body or ""
    return out


def _body_batches(db: sqlite_utils.Database, rowids: list[int]):
    """Bodies of `rowids` in batches of BATCH, in order: (rowids, bodies)."""
    for chunk in _chunks(rowids, BATCH):
        found = _read_bodies(db, chunk)
        yield chunk, [found.get(r, "") for r in chunk]


# ---------------------------------------------------------------------------------------------
# Verification of candidate components (a pool task)


def _verify_component_batch(task: tuple[list[int], list[str], list[tuple[int, int, int, int]], float]):
    """Align candidate pairs (a, b, cluster of a, cluster of b) in order, skipping pairs whose
    clusters are already joined; return the accepted pairs and the number aligned."""
    slots, bodies, pairs, threshold = task
    text = dict(zip(slots, bodies))
    feats: dict[int, Features] = {}
    position = 0

    def feature(doc: int) -> Features:
        # Features on demand, in batches: the doc and those of the next pairs not yet computed.
        if doc not in feats:
            wanted = [doc]
            for pair in pairs[position:position + 256]:
                if find(pair[2]) == find(pair[3]):
                    continue
                for d in pair[:2]:
                    if d not in feats and d not in wanted:
                        wanted.append(d)
                if len(wanted) >= 96:
                    break
            feats.update(zip(wanted, core.features_batch([text[d] for d in wanted])))
        return feats[doc]

    parent: dict[int, int] = {}

    def find(x: int) -> int:
        while parent.get(x, x) != x:
            parent[x] = parent.get(parent[x], parent[x])
            x = parent[x]
        return x

    accepted, checked = [], 0
    rejected: Counter = Counter()
    for position, (a, b, ca, cb) in enumerate(pairs):
        ra, rb = find(ca), find(cb)
        if ra == rb:
            continue
        key = (ra, rb) if ra < rb else (rb, ra)
        if rejected[key] >= MAX_REJECTIONS:
            continue  # the best pairs between these two clusters did not align: neither will the rest
        checked += 1
        if core.verify(feature(a), feature(b), threshold).same:
            parent[ra] = rb
            accepted.append((a, b))
        else:
            rejected[key] += 1
    return accepted, checked, len(feats)


def link(pairs_a: np.ndarray, pairs_b: np.ndarray, uf: UnionFind, fetch, *, sure: np.ndarray | None = None,
         threshold: float = THRESHOLD, workers: int | None = None, task_docs: int = 2000) -> dict:
    """Verify candidate pairs (already ordered, best first) and join the accepted ones in `uf`.

    `sure`: pairs whose estimated Jaccard similarity alone settles it (see
    `order_candidates`); they join first, without reading a body. `fetch(rows) ->
    list[str]` returns the bodies of document rows. Pairs already joined in `uf` are
    skipped; the rest are split into connected candidate components, batched into tasks
    of about `task_docs` documents and aligned (in a process pool when there are many).
    The benchmark and `cluster_articles` both call this.
    """
    stats = {"candidates": int(len(pairs_a)), "accepted_on_estimate": 0, "verified": 0, "accepted": 0}
    if sure is not None and sure.any():
        for x, y in zip(pairs_a[sure].tolist(), pairs_b[sure].tolist()):
            stats["accepted_on_estimate"] += uf.union(x, y)
        pairs_a, pairs_b = pairs_a[~sure], pairs_b[~sure]
    labels = uf.labels()
    live = labels[pairs_a] != labels[pairs_b]
    pairs_a, pairs_b = pairs_a[live], pairs_b[live]
    if len(pairs_a) == 0:
        return stats
    # Candidate components over the current clusters' roots.
    ra, rb = labels[pairs_a], labels[pairs_b]
    roots, inverse = np.unique(np.concatenate([ra, rb]), return_inverse=True)
    comp = UnionFind(len(roots))
    ia, ib = inverse[: len(ra)], inverse[len(ra):]
    for x, y in zip(ia.tolist(), ib.tolist()):
        comp.union(x, y)
    comp_of_pair = comp.labels()[ia]
    order = np.argsort(comp_of_pair, kind="stable")  # keeps the best-first order inside a component
    bounds = np.concatenate(([0], np.flatnonzero(np.diff(comp_of_pair[order])) + 1, [len(order)]))
    # Tasks: whole components, about task_docs documents each.
    tasks, cur_pairs, cur_docs = [], [], set()
    for s, e in zip(bounds[:-1], bounds[1:]):
        idx = order[s:e]
        cur_pairs.extend(zip(pairs_a[idx].tolist(), pairs_b[idx].tolist(), ra[idx].tolist(), rb[idx].tolist()))
        cur_docs.update(pairs_a[idx].tolist())
        cur_docs.update(pairs_b[idx].tolist())
        if len(cur_docs) >= task_docs:
            tasks.append((sorted(cur_docs), cur_pairs))
            cur_pairs, cur_docs = [], set()
    if cur_pairs:
        tasks.append((sorted(cur_docs), cur_pairs))

    def with_bodies():
        for docs, pairs in tasks:
            stats["fetched"] = stats.get("fetched", 0) + len(docs)
            yield docs, fetch(docs), pairs, threshold

    n_workers = _workers(workers, len(pairs_a)) if len(tasks) > 1 else 1
    pool = _pool(n_workers) if n_workers > 1 else None
    try:
        for accepted, checked, featured in _pool_map(pool, _verify_component_batch, with_bodies()):
            stats["verified"] += checked
            stats["featured"] = stats.get("featured", 0) + featured
            stats["fetched"] = stats.get("fetched", 0)
            stats["accepted"] += len(accepted)
            for a, b in accepted:
                uf.union(a, b)
    finally:
        if pool:
            pool.close()
            pool.join()
    return stats


def order_candidates(a: np.ndarray, b: np.ndarray, sigs: np.ndarray, sizes: np.ndarray,
                     min_containment: float = MIN_CONTAINMENT) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Check candidates on their MinHash estimates; return (a, b, sure), best first.

    The Jaccard similarity is estimated from the two whole signatures, the containment of
    the smaller set from it and the set sizes. A pair below `min_containment` is dropped;
    a pair at or above SURE_JACCARD, both texts with SURE_SHINGLES signed shingles or
    more, is `sure`: two texts sharing that much are copies whatever else they hold (no
    shared quotation or stock paragraph comes near it). The rest are aligned.
    """
    votes = core.agreement(sigs, a, b)
    est = estimated_containment(votes, sizes[a], sizes[b])
    keep = est >= min_containment
    a, b, est, votes = a[keep], b[keep], est[keep], votes[keep]
    order = np.argsort(-est, kind="stable")
    a, b, votes = a[order], b[order], votes[order]
    sure = (votes >= SURE_JACCARD * NUM_PERM) & (np.minimum(sizes[a], sizes[b]) >= SURE_SHINGLES)
    return a, b, sure


# ---------------------------------------------------------------------------------------------
# cluster_articles


def _article_rows(db: sqlite_utils.Database):
    """(rowid -> id, id -> rowid, rowid -> content_hash, rowid -> cluster_id), by covering index scans."""
    id_of = dict(db.execute("SELECT rowid, id FROM articles").fetchall())
    chash = dict(db.execute("SELECT rowid, content_hash FROM articles").fetchall())
    cluster = dict(db.execute("SELECT rowid, cluster_id FROM articles WHERE cluster_id IS NOT NULL").fetchall())
    return id_of, chash, cluster


def cluster_articles(db: sqlite_utils.Database, *, threshold: float = THRESHOLD, incremental: bool = True,
                     index_path=None, workers: int | None = None, progress=None) -> dict:
    """Hash new/changed articles into the persistent LSH index, find candidate pairs, verify,
    union-find, write clusters + articles.cluster_id + canonical.

    `threshold`: the share of each copy that aligned runs must cover (see `dedup_core.verify`).
    `incremental=False` drops the index and re-clusters everything. `index_path`: keep the
    index in that SQLite file instead of the corpus database. `workers`: processes for
    hashing and verification (default: 2 for large jobs, else 1).

    Returns counts {"articles", "hashed", "clusters", "copies"} plus "candidates",
    "accepted_on_estimate", "verified" (pairs aligned), "accepted" (of those), "changed"
    (articles whose cluster_id changed) and "seconds".
    """
    started = time.perf_counter()
    say = progress or (lambda message: None)
    idx_db = db if index_path is None else sqlite_utils.Database(str(index_path))
    _ensure_index(idx_db)
    if not incremental or _meta(idx_db, "version") != core.VERSION:
        with idx_db.conn:
            idx_db.execute(f"DELETE FROM {INDEX_TABLE}")
            idx_db[META_TABLE].upsert({"key": "version", "value": core.VERSION}, pk="key")

    id_of, chash_of, cluster_of = _article_rows(db)
    rowid_of = {aid: r for r, aid in id_of.items()}
    stored = {aid: (slot, h) for aid, slot, h in idx_db.execute(
        f"SELECT article_id, slot, content_hash FROM {INDEX_TABLE}")}
    deleted = [aid for aid in stored if aid not in rowid_of]
    changed = [aid for aid, (_, h) in stored.items() if aid in rowid_of and h != chash_of[rowid_of[aid]]]
    new = [aid for aid in rowid_of if aid not in stored]
    say(f"{len(id_of):,} articles: {len(new):,} new, {len(changed):,} changed, {len(deleted):,} gone")

    # 1. Hash what is new or changed; drop what is gone.
    to_hash = sorted((rowid_of[a] for a in new + changed))
    next_slot = int(idx_db.execute(f"SELECT coalesce(max(slot), -1) + 1 FROM {INDEX_TABLE}").fetchone()[0])
    slot_for = {aid: stored[aid][0] for aid in changed}
    for aid in sorted(new, key=lambda a: rowid_of[a]):
        slot_for[aid] = next_slot
        next_slot += 1
    with idx_db.conn:
        for chunk in _chunks(deleted, _VARS):
            idx_db.execute(f"DELETE FROM {INDEX_TABLE} WHERE article_id IN ({','.join('?' * len(chunk))})", chunk)
    n_workers = _workers(workers, len(to_hash))
    pool = _pool(n_workers) if n_workers > 1 else None
    try:
        written = 0
        for rowids, sigs, sizes, bhashes in _pool_map(pool, _hash_task, _body_batches(db, to_hash)):
            rows = []
            for r, sig, size, bh in zip(rowids, sigs, sizes, bhashes):
                aid = id_of[r]
                rows.append((aid, slot_for[aid], chash_of[r], bh, int(size), sig.astype("<u4").tobytes()))
            with idx_db.conn:  # committed as it goes: a crash loses a batch, and `pending` resumes
                idx_db.conn.executemany(
                    f"INSERT OR REPLACE INTO {INDEX_TABLE} (article_id, slot, content_hash, body_hash, shingles, "
                    f"signature, pending) VALUES (?, ?, ?, ?, ?, ?, 1)", rows)
            written += len(rows)
            if written % 100_000 < len(rows):
                say(f"hashed {written:,} of {len(to_hash):,}")
    finally:
        if pool:
            pool.close()
            pool.join()
    say(f"hashed {len(to_hash):,}")

    # 2. Load the index; mark what must be (re)linked.
    index = _Index(idx_db)
    n = len(index.ids)
    row_of_id = {aid: i for i, aid in enumerate(index.ids)}
    doc_rowid = np.array([rowid_of[a] for a in index.ids], dtype=np.int64)
    old_cluster = np.array([cluster_of.get(r, -1) for r in doc_rowid.tolist()], dtype=np.int64)
    dirty = index.pending.copy()  # hashed now, or by a run that stopped before clustering
    # Relink whole clusters that a changed article belonged to, or that lost a member.
    touched = set(old_cluster[dirty].tolist()) - {-1}
    members_now = Counter(old_cluster.tolist())
    stored_sizes = dict(db.execute("SELECT id, size FROM clusters").fetchall())
    touched |= {c for c, size in stored_sizes.items() if members_now.get(c, 0) != size}
    touched |= {c for c in members_now if c != -1 and c not in stored_sizes}
    if touched:
        dirty |= np.isin(old_cluster, np.array(sorted(touched), dtype=np.int64))
    uf = UnionFind.from_groups(n, np.where(dirty, -1, old_cluster))
    stats = {"candidates": 0, "accepted_on_estimate": 0, "verified": 0, "accepted": 0}
    if dirty.any():
        # 3a. Exact duplicates join without verification.
        by_hash: dict[str, list[int]] = defaultdict(list)
        for i, bh in enumerate(index.body_hash):
            if bh:
                by_hash[bh].append(i)
        for group in by_hash.values():
            if len(group) > 1 and dirty[group].any():
                for x in group[1:]:
                    uf.union(group[0], x)
        # 3b. "Source:" lines name a copy in the corpus: always a candidate.
        src_a, src_b = _source_pairs(db, doc_rowid, dirty, row_of_id)
        # 3c. MinHash LSH candidates, checked on the estimate, best first.
        a, b, votes = candidate_pairs(index.sigs, dirty)
        a, b, sure = order_candidates(a, b, index.sigs, index.sizes)
        pa = np.concatenate([src_a, a]).astype(np.int64)
        pb = np.concatenate([src_b, b]).astype(np.int64)
        sure = np.concatenate([np.zeros(len(src_a), dtype=bool), sure])
        say(f"{len(pa):,} candidate pairs")

        def fetch(rows: list[int]) -> list[str]:
            rowids = doc_rowid[rows].tolist()
            found = _read_bodies(db, rowids)
            return [found.get(r, "") for r in rowids]

        stats = link(pa, pb, uf, fetch, sure=sure, threshold=threshold, workers=workers)
        say(f"joined {stats['accepted_on_estimate']:,} on the estimate; aligned {stats['verified']:,}, "
            f"accepted {stats['accepted']:,}")
    # 4. Write clusters.
    labels = uf.labels()
    written = _write_clusters(db, labels, doc_rowid, old_cluster, dirty)
    if index.pending.any():
        with idx_db.conn:
            idx_db.execute(f"UPDATE {INDEX_TABLE} SET pending = 0 WHERE pending = 1")
    total = db.execute("SELECT count(*), coalesce(sum(size), 0) FROM clusters").fetchone()
    return {"articles": len(id_of), "hashed": len(to_hash), "clusters": total[0], "copies": total[1] - total[0],
            **stats, "changed": written, "seconds": round(time.perf_counter() - started, 3)}


@lru_cache(maxsize=200_000)
def _article_id_of(url: str) -> str | None:
    from pipeline.store import article_id

    try:
        return article_id(url)
    except Exception:
        return None


def _source_pairs(db, doc_rowid: np.ndarray, dirty: np.ndarray, row_of_id: dict):
    """Pairs (copy, copied) where a dirty article's "Source:" line names an article in the corpus."""
    rows = np.flatnonzero(dirty)
    src_a, src_b = [], []
    rowid_to_row = {int(doc_rowid[i]): int(i) for i in rows}
    for chunk in _chunks(doc_rowid[rows].tolist(), _VARS):
        marks = ",".join("?" * len(chunk))
        for rowid, source in db.execute(
                f"SELECT rowid, syndicated_from FROM articles WHERE rowid IN ({marks}) "
                f"AND syndicated_from IS NOT NULL AND syndicated_from != ''", chunk):
            target = row_of_id.get(_article_id_of(source))
            me = rowid_to_row[rowid]
            if target is not None and target != me:
                src_a.append(min(me, target))
                src_b.append(max(me, target))
    return np.array(src_a, dtype=np.int64), np.array(src_b, dtype=np.int64)


def _members_info(db, rowids: list[int]) -> dict[int, dict]:
    info = {}
    for chunk in _chunks(rowids, _VARS):
        marks = ",".join("?" * len(chunk))
        for rowid, aid, url, source, published, platform in db.execute(
                f"SELECT a.rowid, a.id, a.url, a.syndicated_from, a.published, s.platform FROM articles a "
                f"LEFT JOIN sites s ON s.id = a.site_id WHERE a.rowid IN ({marks})", chunk):
            info[rowid] = {"id": aid, "url": url, "syndicated_from": source, "published": published,
                           "platform": platform}
    return info


def _write_clusters(db, labels: np.ndarray, doc_rowid: np.ndarray, old_cluster: np.ndarray,
                    dirty: np.ndarray) -> int:
    """Rewrite the components that hold a dirty article; an old cluster id goes to the component
    that keeps most of its members. Returns the number of articles whose cluster_id changed."""
    n = len(labels)
    existing = {r[0] for r in db.execute("SELECT id FROM clusters")}
    members_of: dict[int, list[int]] = defaultdict(list)
    if n and dirty.any():
        affected = np.isin(labels, np.unique(labels[dirty]))
        for i in np.flatnonzero(affected).tolist():
            members_of[int(labels[i])].append(i)
    votes = sorted((-count, cid, root) for root, members in members_of.items() if len(members) > 1
                   for cid, count in Counter(old_cluster[members].tolist()).items() if cid != -1)
    claims: dict[int, int] = {}
    for _, cid, root in votes:
        if cid not in claims.values() and root not in claims:
            claims[root] = cid
    next_id = max(existing | set(old_cluster.tolist()) | {0}) + 1
    clustered = [i for members in members_of.values() if len(members) > 1 for i in members]
    info = _members_info(db, doc_rowid[clustered].tolist())
    rows, assign = [], {}
    for root, members in members_of.items():
        if len(members) < 2:
            assign[members[0]] = -1
            continue
        cid = claims.get(root)
        if cid is None:
            cid, next_id = next_id, next_id + 1
        rows.append((cid, canonical_of([info[int(doc_rowid[i])] for i in members]), len(members)))
        for i in members:
            assign[i] = cid
    updates = [(None if cid == -1 else cid, int(doc_rowid[i])) for i, cid in assign.items() if cid != old_cluster[i]]
    live = {cid for cid, _, _ in rows} | (set(old_cluster.tolist()) - {-1})
    released = {int(old_cluster[i]) for i, cid in assign.items() if old_cluster[i] != -1}
    stale = sorted((released - {cid for cid, _, _ in rows}) | (existing - live))
    with db.conn:
        db.conn.executemany(
            "INSERT INTO clusters (id, canonical_article_id, size) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE "
            "SET canonical_article_id = excluded.canonical_article_id, size = excluded.size", rows)
        _update_cluster_ids(db, updates)
        for chunk in _chunks(stale, _VARS):
            marks = ",".join("?" * len(chunk))
            db.execute(f"UPDATE articles SET cluster_id = NULL WHERE cluster_id IN ({marks})", chunk)
            db.execute(f"DELETE FROM clusters WHERE id IN ({marks})", chunk)
    return len(updates)


def _update_cluster_ids(db, updates: list[tuple[int | None, int]]) -> None:
    """Set articles.cluster_id; many rows at once without re-indexing their text.

    The FTS update trigger that sqlite-utils creates fires on any column; cluster_id is
    not indexed text, so for a large update it is dropped and re-created inside the same
    transaction (SQLite DDL is transactional: a failure rolls both back).
    """
    if not updates:
        return
    triggers = []
    if len(updates) >= BULK_UPDATE:
        triggers = db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'articles' "
                              "AND sql LIKE '%AFTER UPDATE ON%' AND sql LIKE '%\\_fts%' ESCAPE '\\'").fetchall()
        for name, _ in triggers:
            db.execute(f'DROP TRIGGER "{name}"')
    db.conn.executemany("UPDATE articles SET cluster_id = ? WHERE rowid = ?", updates)
    for _, sql in triggers:
        db.execute(sql)


def open_index(path: str | Path) -> sqlite_utils.Database:
    """An index database beside the corpus (for `index_path`)."""
    idx = sqlite_utils.Database(str(path))
    _ensure_index(idx)
    return idx


__all__ = ["cluster_articles", "canonical_of", "link", "order_candidates", "hash_bodies", "features",
           "signatures", "candidate_pairs", "verify", "estimated_containment", "UnionFind", "Features",
           "Verdict", "THRESHOLD", "MIN_CONTAINMENT"]
