"""The corpus in SQLite through sqlite-utils: schema, upserts on stable keys, crawl records.

`ensure_schema` creates and migrates every table, index and FTS5 index in one
idempotent call. `save_article` upserts one cleaned article with its author, site
and comments; a changed article keeps `first_seen` and its previous text goes to
`article_versions`, so nothing is overwritten without a trace. `BatchWriter` does the
same for bulk loads, writing one batch while the caller prepares the next.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import sqlite3
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import urlsplit

import orjson
import sqlite_utils

from pipeline.model import Article
from pipeline.processes import process_alive
from pipeline.urls import author_key, normalize_url

SCHEMA_VERSION = 1

# Columns per table, in the order DESIGN.md lists them. Types are sqlite-utils types.
TABLES: dict[str, dict] = {
    "sites": dict(
        columns={"id": str, "platform": str, "name": str, "feed_url": str, "first_seen": str, "last_crawled": str},
        pk="id",
    ),
    "authors": dict(
        columns={"id": str, "name": str, "bio": str, "url": str, "site_id": str},
        pk="id", foreign_keys=[("site_id", "sites", "id")],
    ),
    "crawls": dict(
        columns={"id": int, "spider": str, "start_urls": str, "started": str, "finished": str, "status": str,
                 "pages": int, "new": int, "updated": int, "errors": int, "stats": str, "host": str, "pid": int},
        pk="id",
    ),
    "clusters": dict(columns={"id": int, "canonical_article_id": str, "size": int}, pk="id"),
    "articles": dict(
        columns={"id": str, "url": str, "site_id": str, "title": str, "author_id": str, "posted_by": str,
                 "published": str, "category": str, "tags": str, "body": str, "body_html": str, "word_count": int,
                 "language": str, "topic_score": float, "syndicated_from": str, "cluster_id": int,
                 "content_hash": str, "repairs": str, "first_seen": str, "last_seen": str, "crawl_id": int},
        pk="id",
        foreign_keys=[("site_id", "sites", "id"), ("author_id", "authors", "id"), ("crawl_id", "crawls", "id"),
                      ("cluster_id", "clusters", "id")],
    ),
    "article_versions": dict(
        columns={"id": int, "article_id": str, "title": str, "body": str, "content_hash": str,
                 "first_seen": str, "replaced": str},
        pk="id", foreign_keys=[("article_id", "articles", "id")],
    ),
    "comments": dict(
        columns={"id": str, "article_id": str, "position": int, "author": str, "author_url": str,
                 "posted": str, "body": str, "is_spam": int, "spam_score": float, "spam_reasons": str},
        pk="id", foreign_keys=[("article_id", "articles", "id")],
    ),
    # The persistent MinHash LSH index of pipeline/dedup.py: one signature per article, so that a
    # crawl re-hashes only its new and changed articles (content_hash tells which).
    "dedup_index": dict(
        columns={"article_id": str, "slot": int, "content_hash": str, "body_hash": str, "shingles": int,
                 "signature": bytes, "pending": int},
        pk="article_id",
    ),
    "dedup_meta": dict(columns={"key": str, "value": str}, pk="key"),
    "schedules": dict(
        columns={"id": int, "source": str, "spider": str, "interval_seconds": int, "cron": str,
                 "next_run": str, "last_run": str, "enabled": int, "options": str, "created": str,
                 "run_pid": int, "run_job": str, "run_scrapyd": str, "last_error": str},
        pk="id",
    ),
}
INDEXES = {
    "articles": [["site_id"], ["author_id"], ["published"], ["category"], ["cluster_id"], ["content_hash"]],
    "comments": [["article_id", "position"]],
    "article_versions": [["article_id"]],
}
# How long a writer waits for another (a crawl, the scheduler, the loader) before "database is locked".
BUSY_TIMEOUT_MS = 30_000
# Page cache per connection: FTS5 merges touch many pages; 64 MB keeps them in memory.
CACHE_KIB = 64 * 1024
FTS = {"articles": ["title", "body"], "comments": ["body"]}


class StoreError(Exception):
    """The database cannot be opened or written."""


def now_iso() -> str:
    """The current UTC time, ISO 8601 to the second."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def open_db(path: str) -> sqlite_utils.Database:
    """Open (creating if needed) a corpus database and bring its schema up to date.

    Raises StoreError naming the file when it is not SQLite, is locked or cannot be written.
    """
    try:
        db = sqlite_utils.Database(path)
        db.execute("PRAGMA foreign_keys = ON")
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if db.journal_mode != "wal":
            db.enable_wal()
        # WAL + NORMAL survives a killed process intact; only a power cut may lose the last commits.
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        ensure_schema(db)
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path}: {_reason(exc)}") from None
    except OSError as exc:
        raise StoreError(f"{path}: {exc.strerror or exc}") from None
    return db


def _reason(exc: sqlite3.DatabaseError) -> str:
    text = str(exc)
    if "file is not a database" in text:
        return "not an SQLite database"
    if "locked" in text:
        return "the database is locked by another process"
    if "unable to open" in text or "readonly" in text:
        return "cannot be opened for writing"
    return text


def ensure_schema(db: sqlite_utils.Database) -> None:
    """Create missing tables, columns, indexes and FTS indexes; safe to run on every start."""
    for name, spec in TABLES.items():
        table = db[name]
        if not table.exists():
            table.create(spec["columns"], pk=spec["pk"], foreign_keys=spec.get("foreign_keys"))
        else:
            missing = {c: t for c, t in spec["columns"].items() if c not in table.columns_dict}
            for column, col_type in missing.items():
                table.add_column(column, col_type)
    for name, indexes in INDEXES.items():
        existing = {tuple(index.columns) for index in db[name].indexes}
        for columns in indexes:
            if tuple(columns) not in existing:
                db[name].create_index(columns)
    for name, columns in FTS.items():
        if not db[name].detect_fts():
            db[name].enable_fts(columns, create_triggers=True, tokenize="porter")
        _reindex_only_on_text_updates(db, name, columns)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _reindex_only_on_text_updates(db: sqlite_utils.Database, table: str, columns: list[str]) -> None:
    """Narrow sqlite-utils' FTS update trigger to the indexed columns.

    Its trigger re-indexes a row on any update; `last_seen` on every re-crawl and `cluster_id`
    on every dedup run would then rewrite the whole index for nothing.
    """
    trigger = f"{table}_au"
    sql = db.execute("select sql from sqlite_master where type = 'trigger' and name = ?", [trigger]).fetchone()
    watched = ", ".join(f'"{c}"' for c in columns)
    if sql is None or f"AFTER UPDATE OF {watched}" in sql[0]:
        return
    old_values = ", ".join(f'old."{c}"' for c in columns)
    new_values = ", ".join(f'new."{c}"' for c in columns)
    with db.conn:
        db.execute(f'DROP TRIGGER "{trigger}"')
        db.execute(
            f'CREATE TRIGGER "{trigger}" AFTER UPDATE OF {watched} ON "{table}" BEGIN\n'
            f'  INSERT INTO "{table}_fts" ("{table}_fts", rowid, {watched}) VALUES(\'delete\', old.rowid, {old_values});\n'
            f'  INSERT INTO "{table}_fts" (rowid, {watched}) VALUES (new.rowid, {new_values});\n'
            "END")


def article_id(url: str) -> str:
    """The stable key of an article: a hash of its normalized URL."""
    return _article_key(normalize_url(url))


def _article_key(normalized_url: str) -> str:
    return hashlib.sha1(normalized_url.encode()).hexdigest()[:16]


def content_hash(text: str) -> str:
    """A hash of the body with whitespace and case folded, for exact-duplicate detection."""
    return _words_hash(text.split())


def _words_hash(words: list[str]) -> str:
    # Lower-casing after the split equals splitting the lower-cased text: no character
    # becomes or stops being whitespace when lower-cased.
    return hashlib.sha1(" ".join(words).lower().encode()).hexdigest()


def _comment_id(art_id: str, position: int, author: str, body: str) -> str:
    return hashlib.sha1(f"{art_id}\x00{position}\x00{author}\x00{body}".encode()).hexdigest()[:16]


def site_id(url: str) -> str:
    """The key of a site: its host (with a non-default port), lower-cased."""
    return _site_key(normalize_url(url))


def _site_key(normalized_url: str) -> str:
    return urlsplit(normalized_url).netloc


# Every write below is one statement per batch over a JSON array (json_each): SQLite then does a
# whole batch's work, FTS5 included, in one call during which sqlite3 releases the GIL. That is
# what lets BatchWriter build the next batch on the other core.
SITE_UPSERT = """
insert into sites (id, platform, name, feed_url, first_seen, last_crawled)
select value ->> 'id', value ->> 'platform', value ->> 'name', value ->> 'feed_url', value ->> 'when',
       value ->> 'when'
from json_each(?) where true
on conflict(id) do update set platform = excluded.platform, last_crawled = excluded.last_crawled,
    name = coalesce(excluded.name, sites.name), feed_url = coalesce(excluded.feed_url, sites.feed_url)
"""
# One row per author across sites: the first spelling, URL and site stay; the fuller bio wins
# (copies often truncate the resource box).
AUTHOR_UPSERT = """
insert into authors (id, name, bio, url, site_id)
select value ->> 'id', value ->> 'name', value ->> 'bio', value ->> 'url', value ->> 'site_id'
from json_each(?) where true
on conflict(id) do update set
    bio = case when length(coalesce(excluded.bio, '')) > length(coalesce(authors.bio, ''))
               then excluded.bio else authors.bio end,
    url = coalesce(authors.url, excluded.url)
"""
ARTICLE_COLUMNS = ("id", "url", "site_id", "title", "author_id", "posted_by", "published", "category", "tags",
                   "body", "body_html", "word_count", "language", "topic_score", "syndicated_from",
                   "content_hash", "repairs", "first_seen", "last_seen", "crawl_id")


def _from_json(columns: tuple[str, ...]) -> str:
    """`select` of the named fields of each object in a JSON array bound as the one parameter."""
    return f"select {', '.join(f'value ->> {c!r}' for c in columns)} from json_each(?) where true"


# first_seen is never overwritten, and a re-crawl without a crawl id keeps the old one. An article
# whose text is unchanged is not rewritten at all (its FTS rows stay as they are): only last_seen moves.
ARTICLE_UPSERT = (
    f"insert into articles ({', '.join(ARTICLE_COLUMNS)}) {_from_json(ARTICLE_COLUMNS)} "
    "on conflict(id) do update set "
    + ", ".join(f"{c} = excluded.{c}" for c in ARTICLE_COLUMNS if c not in ("id", "first_seen", "crawl_id"))
    + ", crawl_id = coalesce(excluded.crawl_id, articles.crawl_id)"
    " where articles.content_hash is not excluded.content_hash"
)
ARTICLES_IN = "(select value from json_each(?))"
EXISTING_ARTICLES = f"select id, content_hash from articles where id in {ARTICLES_IN}"
VERSIONS_INSERT = ("insert into article_versions (article_id, title, body, content_hash, first_seen, replaced) "
                   f"select id, title, body, content_hash, first_seen, ? from articles where id in {ARTICLES_IN}")
# An unchanged text keeps its row, but the repairs say how the text was made, and a rebuild with a
# sibling's style hint (pipeline.reprocess.restyle) can give the same text a new account.
UNCHANGED_UPDATE = ("update articles set last_seen = ?, repairs = incoming.repairs from "
                    "(select value ->> 'id' as id, value ->> 'repairs' as repairs from json_each(?)) as incoming "
                    f"where articles.id = incoming.id and articles.id in {ARTICLES_IN}")
COMMENT_COLUMNS = ("id", "article_id", "position", "author", "author_url", "posted", "body", "is_spam",
                   "spam_score", "spam_reasons")
COMMENT_INSERT = f"insert or replace into comments ({', '.join(COMMENT_COLUMNS)}) {_from_json(COMMENT_COLUMNS)}"
STORED_COMMENTS = ("select id, is_spam, spam_score, spam_reasons from comments "
                   "where article_id = ? order by position")


def author_id(name: str) -> str:
    """The stable key of an author: a hash of the normalized name."""
    return hashlib.sha1(author_key(name).encode()).hexdigest()[:16]


def save_article(db: sqlite_utils.Database, article: Article, crawl_id: int | None = None,
                 when: str | None = None) -> str:
    """Upsert one cleaned article with its site, author and comments; "new", "updated" or "unchanged"."""
    return save_articles(db, [article], crawl_id, when)[0]


def save_articles(db: sqlite_utils.Database, articles: list[Article], crawl_id: int | None = None,
                  when: str | None = None) -> list[str]:
    """Upsert a batch of cleaned articles in one transaction; return each one's status.

    "new", "updated" (its previous title and body go to `article_versions`, `first_seen` is kept)
    or "unchanged". Comments are replaced by the page's current list only when it changed.
    """
    return _write_batch(db.conn, _prepare_batch(articles, crawl_id, when or now_iso()))


class BatchWriter:
    """Save batches of articles on a writer thread with its own connection, one batch in flight.

    Turning articles into rows is Python work; writing them is SQLite work, done in whole-batch
    statements during which sqlite3 releases the GIL. So while batch k is written, the caller
    builds batch k+1 on the other core. Bulk loads (`reprints reprocess`, the benchmarks) use it;
    a crawl and the Redis loader save synchronously, since they act on each batch's statuses at once.

    `on_saved(articles, statuses)` runs in the caller's thread after a batch has committed. A write
    that fails raises StoreError naming the file, from the next `save` or from `close`; the failed
    batch is rolled back and batches committed before it stay.
    """

    def __init__(self, path: str, crawl_id: int | None = None,
                 on_saved: Callable[[list[Article], list[str]], None] | None = None):
        self.path = path
        self.crawl_id = crawl_id
        self.on_saved = on_saved
        self._db: sqlite_utils.Database | None = None
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="reprints-store")
        self._in_flight: tuple[list[Article], Future] | None = None

    def save(self, articles: list[Article], when: str | None = None) -> None:
        """Prepare a batch here, wait for the previous one to commit, then hand this one over."""
        batch = _prepare_batch(articles, self.crawl_id, when or now_iso())
        self._wait()
        self._in_flight = (articles, self._thread.submit(self._write, batch))

    def close(self) -> None:
        """Wait for the last batch, then close the writer's connection."""
        try:
            self._wait()
        finally:
            self._thread.submit(self._close_db).result()
            self._thread.shutdown()

    def __enter__(self) -> BatchWriter:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def _wait(self) -> None:
        if self._in_flight is None:
            return
        articles, future = self._in_flight
        self._in_flight = None
        statuses = future.result()
        if self.on_saved is not None:
            self.on_saved(articles, statuses)

    def _write(self, batch: _Batch) -> list[str]:
        # Runs on the writer thread, which alone uses this connection.
        if self._db is None:
            self._db = open_db(self.path)
        try:
            return _write_batch(self._db.conn, batch)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: {_reason(exc)}") from None

    def _close_db(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


@dataclass
class _Batch:
    """A batch of articles turned into rows: all the Python work of a save, done before any SQL."""

    when: str
    ids: list[str]
    hashes: list[str]
    articles_json: bytes
    sites_json: bytes
    authors_json: bytes
    comments: list[list[dict]]


def _prepare_batch(articles: list[Article], crawl_id: int | None, when: str) -> _Batch:
    rows = [_article_row(article, crawl_id, when) for article in articles]
    sites = [{"id": row["site_id"], "platform": a.platform, "name": a.site_name, "feed_url": a.feed_url,
              "when": when} for row, a in zip(rows, articles)]
    authors = [{"id": row["author_id"], "name": a.author, "bio": a.bio, "url": a.author_url,
                "site_id": row["site_id"]} for row, a in zip(rows, articles) if row["author_id"]]
    return _Batch(when=when, ids=[row["id"] for row in rows], hashes=[row["content_hash"] for row in rows],
                  articles_json=orjson.dumps(rows), sites_json=orjson.dumps(sites),
                  authors_json=orjson.dumps(authors),
                  comments=[_comment_rows(row["id"], article) for row, article in zip(rows, articles)])


def _write_batch(conn: sqlite3.Connection, batch: _Batch) -> list[str]:
    """Write a prepared batch in one transaction; return each article's status."""
    with conn:
        stored = dict(conn.execute(EXISTING_ARTICLES, [orjson.dumps(batch.ids)]).fetchall())
        statuses = ["new" if art_id not in stored else ("unchanged" if stored[art_id] == content else "updated")
                    for art_id, content in zip(batch.ids, batch.hashes)]
        conn.execute(SITE_UPSERT, [batch.sites_json])
        conn.execute(AUTHOR_UPSERT, [batch.authors_json])
        updated = _ids_with(batch.ids, statuses, "updated")
        if updated:
            conn.execute(VERSIONS_INSERT, [batch.when, orjson.dumps(updated)])
        conn.execute(ARTICLE_UPSERT, [batch.articles_json])
        unchanged = _ids_with(batch.ids, statuses, "unchanged")
        if unchanged:
            conn.execute(UNCHANGED_UPDATE, [batch.when, batch.articles_json, orjson.dumps(unchanged)])
        _save_comments(conn, batch, statuses)
    return statuses


def _ids_with(ids: list[str], statuses: list[str], wanted: str) -> list[str]:
    return list(dict.fromkeys(art_id for art_id, status in zip(ids, statuses) if status == wanted))


def _article_row(article: Article, crawl_id: int | None, when: str) -> dict:
    """The `articles` row of an article (first_seen and crawl_id are kept from a stored row by the upsert)."""
    body = article.body
    url = normalize_url(article.url)
    words = body.split()
    return {
        "id": _article_key(url), "url": article.url, "site_id": _site_key(url),
        "title": article.title, "author_id": author_id(article.author) if article.author else None,
        "posted_by": article.posted_by, "published": article.published,
        "category": (article.categories or [None])[0], "tags": json.dumps(article.categories),
        "body": body, "body_html": article.body_html, "word_count": len(words),
        "language": article.language, "topic_score": article.topic_score,
        "syndicated_from": article.syndicated_from, "content_hash": _words_hash(article.title.split() + words),
        "repairs": json.dumps(article.repairs, sort_keys=True), "first_seen": when, "last_seen": when,
        "crawl_id": crawl_id,
    }


def _comment_rows(art_id: str, article: Article) -> list[dict]:
    return [{"id": _comment_id(art_id, i, c.author, c.body), "article_id": art_id, "position": i,
             "author": c.author, "author_url": c.author_url, "posted": c.posted, "body": c.body,
             "is_spam": int(c.is_spam), "spam_score": round(float(c.spam_score), 4),
             "spam_reasons": json.dumps(c.spam_reasons)}
            for i, c in enumerate(article.comments)]


def _save_comments(conn: sqlite3.Connection, batch: _Batch, statuses: list[str]) -> None:
    """Replace each article's comments with the page's current ones, in page order, when they changed.

    A new article has no stored comments to compare or delete: its comments go in with the batch's.
    """
    inserts = []
    for art_id, status, comments in zip(batch.ids, statuses, batch.comments):
        if status != "new":
            stored = conn.execute(STORED_COMMENTS, [art_id]).fetchall()
            if stored == [(c["id"], c["is_spam"], c["spam_score"], c["spam_reasons"]) for c in comments]:
                continue
            conn.execute("delete from comments where article_id = ?", [art_id])
        inserts += comments
    if inserts:
        conn.execute(COMMENT_INSERT, [orjson.dumps(inserts)])


def start_crawl(db: sqlite_utils.Database, spider: str, start_urls: list[str]) -> int:
    """Record a crawl as running (with this host and process); return its id."""
    mark_dead_crawls(db)
    with db.conn:
        return db["crawls"].insert({
            "spider": spider, "start_urls": json.dumps(start_urls), "started": now_iso(), "status": "running",
            "pages": 0, "new": 0, "updated": 0, "errors": 0, "host": socket.gethostname(), "pid": os.getpid(),
        }).last_pk


def mark_dead_crawls(db: sqlite_utils.Database) -> int:
    """Crawls still 'running' whose process on this host is gone were killed: say so. Return how many."""
    dead = [row["id"] for row in db.query("select id, pid from crawls where status = 'running' and host = ?",
                                          [socket.gethostname()]) if not process_alive(row["pid"])]
    with db.conn:
        for crawl in dead:
            db["crawls"].update(crawl, {"status": "killed"})
    return len(dead)


def finish_crawl(db: sqlite_utils.Database, crawl: int, status: str, counts: dict, stats: dict) -> None:
    """Record a crawl's end, its counts and Scrapy's stats."""
    with db.conn:
        db["crawls"].update(crawl, {
            "finished": now_iso(), "status": status, **counts,
            "stats": json.dumps(stats, default=str, sort_keys=True),
        })
