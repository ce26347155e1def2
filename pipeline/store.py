"""The corpus in SQLite through sqlite-utils: schema, upserts on stable keys, crawl records.

`ensure_schema` creates and migrates every table, index and FTS5 index in one
idempotent call. `save_article` upserts one cleaned article with its author, site
and comments; a changed article keeps `first_seen` and its previous text goes to
`article_versions`, so nothing is overwritten without a trace.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import sqlite3
from datetime import datetime, timezone
from urllib.parse import urlsplit

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
# SQLite builds here allow 32766 variables; stay far below for portability.
SQL_VARIABLES_PER_QUERY = 900
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
    return hashlib.sha1(" ".join(text.lower().split()).encode()).hexdigest()


def _comment_id(art_id: str, position: int, author: str, body: str) -> str:
    return hashlib.sha1(f"{art_id}\x00{position}\x00{author}\x00{body}".encode()).hexdigest()[:16]


def site_id(url: str) -> str:
    """The key of a site: its host (with a non-default port), lower-cased."""
    return urlsplit(normalize_url(url)).netloc


def _site_key(normalized_url: str) -> str:
    return urlsplit(normalized_url).netloc


SITE_UPSERT = """
insert into sites (id, platform, name, feed_url, first_seen, last_crawled)
values (:id, :platform, :name, :feed_url, :when, :when)
on conflict(id) do update set platform = excluded.platform, last_crawled = excluded.last_crawled,
    name = coalesce(excluded.name, sites.name), feed_url = coalesce(excluded.feed_url, sites.feed_url)
"""
# One row per author across sites: the first spelling, URL and site stay; the fuller bio wins
# (copies often truncate the resource box).
AUTHOR_UPSERT = """
insert into authors (id, name, bio, url, site_id) values (:id, :name, :bio, :url, :site_id)
on conflict(id) do update set
    bio = case when length(coalesce(excluded.bio, '')) > length(coalesce(authors.bio, ''))
               then excluded.bio else authors.bio end,
    url = coalesce(authors.url, excluded.url)
"""
ARTICLE_COLUMNS = ("id", "url", "site_id", "title", "author_id", "posted_by", "published", "category", "tags",
                   "body", "body_html", "word_count", "language", "topic_score", "syndicated_from",
                   "content_hash", "repairs", "first_seen", "last_seen", "crawl_id")
# first_seen is never overwritten: an update keeps the article's history.
ARTICLE_UPSERT = (
    f"insert into articles ({', '.join(ARTICLE_COLUMNS)}) values ({', '.join(':' + c for c in ARTICLE_COLUMNS)}) "
    "on conflict(id) do update set "
    + ", ".join(f"{c} = excluded.{c}" for c in ARTICLE_COLUMNS if c not in ("id", "first_seen"))
)
COMMENT_COLUMNS = ("id", "article_id", "position", "author", "author_url", "posted", "body", "is_spam",
                   "spam_score", "spam_reasons")
COMMENT_INSERT = (f"insert or replace into comments ({', '.join(COMMENT_COLUMNS)}) "
                  f"values ({', '.join('?' for _ in COMMENT_COLUMNS)})")


def author_id(name: str) -> str:
    """The stable key of an author: a hash of the normalized name."""
    return hashlib.sha1(author_key(name).encode()).hexdigest()[:16]


def _placeholders(values) -> str:
    return ", ".join("?" for _ in values)


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
    when = when or now_iso()
    rows = [_article_row(article, crawl_id, when) for article in articles]
    conn = db.conn
    with conn:
        previous = _existing(conn, "select id, title, body, content_hash, first_seen, crawl_id from articles",
                             [row["id"] for row in rows])
        conn.executemany(SITE_UPSERT, [{"id": row["site_id"], "platform": a.platform, "name": a.site_name,
                                        "feed_url": a.feed_url, "when": when} for row, a in zip(rows, articles)])
        conn.executemany(AUTHOR_UPSERT, [{"id": row["author_id"], "name": a.author, "bio": a.bio,
                                          "url": a.author_url, "site_id": row["site_id"]}
                                         for row, a in zip(rows, articles) if row["author_id"]])
        statuses = []
        for row in rows:
            old = previous.get(row["id"])
            status = "new" if old is None else ("unchanged" if old[3] == row["content_hash"] else "updated")
            if old is not None:
                row["first_seen"] = old[4]
                row["crawl_id"] = row["crawl_id"] if row["crawl_id"] is not None else old[5]
            if status == "updated":
                conn.execute("insert into article_versions (article_id, title, body, content_hash, first_seen, "
                             "replaced) values (?, ?, ?, ?, ?, ?)", [row["id"], old[1], old[2], old[3], old[4], when])
            statuses.append(status)
        conn.executemany(ARTICLE_UPSERT, [row for row, status in zip(rows, statuses) if status != "unchanged"])
        unchanged = [row["id"] for row, status in zip(rows, statuses) if status == "unchanged"]
        if unchanged:
            conn.execute(f"update articles set last_seen = ? where id in ({_placeholders(unchanged)})",
                         [when, *unchanged])
        _save_comments(conn, rows, articles, [status == "new" for status in statuses])
    return statuses


def _article_row(article: Article, crawl_id: int | None, when: str) -> dict:
    """The `articles` row of an article (first_seen is corrected against the stored row)."""
    body = article.body
    url = normalize_url(article.url)
    return {
        "id": _article_key(url), "url": article.url, "site_id": _site_key(url),
        "title": article.title, "author_id": author_id(article.author) if article.author else None,
        "posted_by": article.posted_by, "published": article.published,
        "category": (article.categories or [None])[0], "tags": json.dumps(article.categories),
        "body": body, "body_html": article.body_html, "word_count": len(body.split()),
        "language": article.language, "topic_score": article.topic_score,
        "syndicated_from": article.syndicated_from, "content_hash": content_hash(article.title + "\n" + body),
        "repairs": json.dumps(article.repairs, sort_keys=True), "first_seen": when, "last_seen": when,
        "crawl_id": crawl_id,
    }


def _existing(conn, select_sql: str, ids: list[str]) -> dict[str, tuple]:
    """Rows of `select_sql` whose id is in ids, keyed by id."""
    found = {}
    for start in range(0, len(ids), SQL_VARIABLES_PER_QUERY):
        chunk = ids[start:start + SQL_VARIABLES_PER_QUERY]
        for row in conn.execute(f"{select_sql} where id in ({_placeholders(chunk)})", chunk):
            found[row[0]] = row
    return found


def _save_comments(conn, rows: list[dict], articles: list[Article], new: list[bool]) -> None:
    """Replace each article's comments with the page's current ones, in page order, when they changed.

    A new article has no stored comments to compare or delete: its comments go in with the batch's.
    """
    inserts = []
    for row, article, is_new in zip(rows, articles, new):
        art_id = row["id"]
        comments = [(_comment_id(art_id, i, c.author, c.body), art_id, i, c.author, c.author_url, c.posted,
                     c.body, int(c.is_spam), round(c.spam_score, 4), json.dumps(c.spam_reasons))
                    for i, c in enumerate(article.comments)]
        if not is_new:
            stored = conn.execute("select id, is_spam, spam_score, spam_reasons from comments "
                                  "where article_id = ? order by position", [art_id]).fetchall()
            if stored == [(c[0], c[7], c[8], c[9]) for c in comments]:
                continue
            conn.execute("delete from comments where article_id = ?", [art_id])
        inserts += comments
    conn.executemany(COMMENT_INSERT, inserts)


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
