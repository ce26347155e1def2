"""Cleaned articles out as JSON or JSON Lines, streamed row by row, comments nested.

Memory stays flat: one article and its comments are in memory at a time.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import orjson
import sqlite_utils


@dataclass
class ExportFilter:
    """Which articles to export; every field optional."""

    site: str | None = None
    since: str | None = None
    until: str | None = None
    author: str | None = None
    search: str | None = None
    min_topic_score: float | None = None
    include_spam: bool = False
    canonical_only: bool = False


ARTICLE_SQL = """
select a.id, a.url, a.site_id, s.platform, s.name as site_name, a.title,
       au.name as author_name, au.url as author_url, au.bio as author_bio, a.posted_by,
       a.published, a.category, a.tags, a.body, a.word_count, a.language, a.topic_score,
       a.syndicated_from, a.cluster_id, a.content_hash, a.repairs, a.first_seen, a.last_seen
from articles a
left join sites s on s.id = a.site_id
left join authors au on au.id = a.author_id
"""


def _where(flt: ExportFilter) -> tuple[str, list]:
    """SQL conditions and parameters for a filter."""
    clauses, params = [], []
    if flt.site:
        clauses.append("(a.site_id = ? or s.name = ?)")
        params += [flt.site, flt.site]
    if flt.since:
        clauses.append("a.published >= ?")
        params.append(flt.since)
    if flt.until:
        clauses.append("a.published < ?")
        params.append(flt.until)
    if flt.author:
        clauses.append("au.name = ? collate nocase")
        params.append(flt.author)
    if flt.search:
        clauses.append("a.rowid in (select rowid from articles_fts where articles_fts match ?)")
        params.append(flt.search)
    if flt.min_topic_score is not None:
        clauses.append("a.topic_score >= ?")
        params.append(flt.min_topic_score)
    if flt.canonical_only:
        clauses.append("(a.cluster_id is null or a.id in (select canonical_article_id from clusters))")
    return (" where " + " and ".join(clauses) if clauses else ""), params


# Articles fetched per step; their comments come in one query (not one per article). Small enough
# that memory stays flat, large enough that the comment query is not the cost.
ARTICLES_PER_STEP = 500


def iter_records(db: sqlite_utils.Database, flt: ExportFilter = ExportFilter()) -> Iterator[dict]:
    """Yield one export record per matching article, newest first, comments nested."""
    where, params = _where(flt)
    sql = ARTICLE_SQL + where + " order by a.published desc, a.id"
    cursor = db.conn.execute(sql, params)
    columns = [d[0] for d in cursor.description]
    while rows := cursor.fetchmany(ARTICLES_PER_STEP):
        articles = [dict(zip(columns, row)) for row in rows]
        comments = _comments_of(db, [article["id"] for article in articles], flt.include_spam)
        for article in articles:
            yield to_record(article, comments.get(article["id"], []))


def _comments_of(db: sqlite_utils.Database, article_ids: list[str], include_spam: bool) -> dict[str, list[tuple]]:
    """The comments of these articles in page order, keyed by article id."""
    spam_clause = "" if include_spam else " and is_spam = 0"
    by_article: dict[str, list[tuple]] = {}
    marks = ", ".join("?" for _ in article_ids)
    for row in db.conn.execute(
            "select article_id, author, author_url, posted, body, is_spam, spam_score, spam_reasons from comments "
            f"where article_id in ({marks}){spam_clause} order by article_id, position", article_ids):
        by_article.setdefault(row[0], []).append(row[1:])
    return by_article


def to_record(article: dict, comments: list[tuple]) -> dict:
    """Shape one article row and its comment rows into an export record (see schemas/article.schema.json)."""
    return {
        "id": article["id"], "url": article["url"], "site": article["site_id"],
        "site_name": article["site_name"], "platform": article["platform"], "title": article["title"],
        "author": {"name": article["author_name"], "url": article["author_url"], "bio": article["author_bio"]}
        if article["author_name"] else None,
        "posted_by": article["posted_by"], "published": article["published"], "category": article["category"],
        "tags": orjson.loads(article["tags"] or "[]"), "body": article["body"],
        "word_count": article["word_count"], "language": article["language"],
        "topic_score": article["topic_score"], "syndicated_from": article["syndicated_from"],
        "cluster_id": article["cluster_id"], "content_hash": article["content_hash"],
        "repairs": orjson.loads(article["repairs"] or "{}"),
        "first_seen": article["first_seen"], "last_seen": article["last_seen"],
        "comments": [{
            "author": c[0], "author_url": c[1], "posted": c[2], "body": c[3], "is_spam": bool(c[4]),
            "spam_score": c[5], "spam_reasons": orjson.loads(c[6] or "[]"),
        } for c in comments],
    }


# Records between two progress reports: a report per record costs more than the record.
PROGRESS_EVERY = 500


def write_records(records, out, fmt: str = "jsonl", progress=None) -> int:
    """Write records to a text stream as JSON Lines or one JSON array; return how many.

    `progress(n)` is called with the running count every PROGRESS_EVERY records and at the end.
    """
    count = 0
    if fmt == "json":
        out.write("[")
    for record in records:
        text = orjson.dumps(record).decode()
        if fmt == "json":
            out.write(("\n" if count == 0 else ",\n") + text)
        else:
            out.write(text + "\n")
        count += 1
        if progress and count % PROGRESS_EVERY == 0:
            progress(count)
    if fmt == "json":
        out.write("\n]\n" if count else "]\n")
    if progress:
        progress(count)
    return count
