"""The corpus in SQLite through sqlite-utils: schema, upserts on stable keys, crawl records.

`ensure_schema` creates and migrates every table, index and FTS5 index in one
idempotent call. `save_article` upserts one cleaned article with its author, site
and comments; a changed article keeps `first_seen` and its previous text goes to
`article_versions`, so nothing is overwritten without a trace.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import datetime, timezone
from urllib.parse import urlsplit

import sqlite_utils

from pipeline.model import Article
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
                 "pages": int, "new": int, "updated": int, "errors": int, "stats": str},
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
    "schedules": dict(
        columns={"id": int, "source": str, "spider": str, "interval_seconds": int, "cron": str,
                 "next_run": str, "last_run": str, "enabled": int},
        pk="id",
    ),
}
INDEXES = {
    "articles": [["site_id"], ["author_id"], ["published"], ["category"], ["cluster_id"], ["content_hash"]],
    "comments": [["article_id"], ["is_spam"]],
    "article_versions": [["article_id"]],
}
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
        db.execute("PRAGMA busy_timeout = 5000")
        if db.journal_mode != "wal":
            db.enable_wal()
        # WAL + NORMAL survives a killed process intact; only a power cut may lose the last commits.
        db.execute("PRAGMA synchronous = NORMAL")
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
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def article_id(url: str) -> str:
    """The stable key of an article: a hash of its normalized URL."""
    return hashlib.sha1(normalize_url(url).encode()).hexdigest()[:16]


def content_hash(text: str) -> str:
    """A hash of the body with whitespace and case folded, for exact-duplicate detection."""
    return hashlib.sha1(" ".join(text.lower().split()).encode()).hexdigest()


def _comment_id(art_id: str, position: int, author: str, body: str) -> str:
    return hashlib.sha1(f"{art_id}\x00{position}\x00{author}\x00{body}".encode()).hexdigest()[:16]


def site_id(url: str) -> str:
    """The key of a site: its host (with a non-default port), lower-cased."""
    return urlsplit(normalize_url(url)).netloc


def save_site(db: sqlite_utils.Database, article: Article, when: str) -> str:
    """Upsert the article's site; return its id."""
    sid = site_id(article.url)
    existing = _get(db, "sites", sid)
    row = {"id": sid, "platform": article.platform, "last_crawled": when,
           "name": article.site_name or (existing or {}).get("name") or sid,
           "feed_url": article.feed_url or (existing or {}).get("feed_url"),
           "first_seen": (existing or {}).get("first_seen") or when}
    db["sites"].upsert(row, pk="id")
    return sid


def save_author(db: sqlite_utils.Database, article: Article, sid: str) -> str | None:
    """Upsert the article's author (one row per author across sites); return its id."""
    if not article.author:
        return None
    aid = hashlib.sha1(author_key(article.author).encode()).hexdigest()[:16]
    existing = _get(db, "authors", aid) or {}
    row = {"id": aid, "name": existing.get("name") or article.author,
           "bio": _longer(existing.get("bio"), article.bio),
           "url": existing.get("url") or article.author_url, "site_id": existing.get("site_id") or sid}
    db["authors"].upsert(row, pk="id")
    return aid


def _longer(old: str | None, new: str | None) -> str | None:
    """Keep the fuller of two bios: copies often truncate the resource box."""
    return max((b for b in (old, new) if b), key=len, default=None)


def _get(db: sqlite_utils.Database, table: str, pk: str) -> dict | None:
    rows = list(db[table].rows_where("id = ?", [pk]))
    return rows[0] if rows else None


def save_article(db: sqlite_utils.Database, article: Article, crawl_id: int | None = None,
                 when: str | None = None) -> str:
    """Upsert one cleaned article with its site, author and comments.

    Returns "new", "updated" or "unchanged". An update keeps `first_seen` and copies
    the previous title and body into `article_versions`.
    """
    when = when or now_iso()
    with db.conn:
        sid = save_site(db, article, when)
        aid = save_author(db, article, sid)
        art_id = article_id(article.url)
        body = article.body
        digest = content_hash(article.title + "\n" + body)
        old = _get(db, "articles", art_id)
        status = "new" if old is None else ("unchanged" if old["content_hash"] == digest else "updated")
        if status == "updated":
            db["article_versions"].insert({
                "article_id": art_id, "title": old["title"], "body": old["body"],
                "content_hash": old["content_hash"], "first_seen": old["first_seen"], "replaced": when,
            })
        db["articles"].upsert({
            "id": art_id, "url": article.url, "site_id": sid, "title": article.title, "author_id": aid,
            "posted_by": article.posted_by, "published": article.published,
            "category": (article.categories or [None])[0],
            "tags": json.dumps(article.categories), "body": body, "body_html": article.body_html,
            "word_count": len(body.split()), "language": article.language, "topic_score": article.topic_score,
            "syndicated_from": article.syndicated_from, "content_hash": digest,
            "repairs": json.dumps(article.repairs, sort_keys=True),
            "first_seen": old["first_seen"] if old else when, "last_seen": when,
            "crawl_id": crawl_id if crawl_id is not None else (old or {}).get("crawl_id"),
        }, pk="id")
        # Comments change without the body changing: always take the page's current list.
        _save_comments(db, art_id, article)
    return status


def _save_comments(db: sqlite_utils.Database, art_id: str, article: Article) -> None:
    """Replace the article's comments with the page's current ones, in page order."""
    db.execute("DELETE FROM comments WHERE article_id = ?", [art_id])
    rows = [{
        "id": _comment_id(art_id, i, c.author, c.body), "article_id": art_id, "position": i,
        "author": c.author, "author_url": c.author_url, "posted": c.posted, "body": c.body,
        "is_spam": int(c.is_spam), "spam_score": round(c.spam_score, 4),
        "spam_reasons": json.dumps(c.spam_reasons),
    } for i, c in enumerate(article.comments)]
    if rows:
        db["comments"].insert_all(rows, pk="id", replace=True)


def start_crawl(db: sqlite_utils.Database, spider: str, start_urls: list[str]) -> int:
    """Record a crawl as running; return its id."""
    with db.conn:
        return db["crawls"].insert({
            "spider": spider, "start_urls": json.dumps(start_urls), "started": now_iso(), "status": "running",
            "pages": 0, "new": 0, "updated": 0, "errors": 0,
        }).last_pk


def finish_crawl(db: sqlite_utils.Database, crawl: int, status: str, counts: dict, stats: dict) -> None:
    """Record a crawl's end, its counts and Scrapy's stats."""
    with db.conn:
        db["crawls"].update(crawl, {
            "finished": now_iso(), "status": status, **counts,
            "stats": json.dumps(stats, default=str, sort_keys=True),
        })
