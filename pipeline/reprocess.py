"""Rebuild stored articles from the raw archive, with no network.

`rebuild` runs every archived post through `process_page` again: all of them for
`reprints reprocess` (the current cleaning rules over everything ever fetched), or only some.

`restyle` is the "only some" case, run after every dedup. A copy that went through an ASCII
conversion lost its dashes, quotation marks and apostrophes to "?"; the repair puts them back
from their context, but it can mistake one mark for another, and where none survived, nothing
in that copy shows whether its author wrote spaced en or em dashes, single or double quotes
(its repairs then say "dash_style_guessed" or "quote_style_guessed"). Free reprints are
republished verbatim, so an intact copy of the same article in its cluster shows the very
characters: those copies are repaired again from the archive with that copy's body as the hint.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import sqlite_utils

from pipeline.archive import iter_posts
from pipeline.clean import COPY_CONSULTED
from pipeline.clean.lostchars import LABELS
from pipeline.model import Article, ExtractError
from pipeline.process import process_page
from pipeline.store import BatchWriter, article_id

# Articles handed to the store at once.
REBUILD_BATCH = 200
# The marks an ASCII conversion loses and a sibling copy can show (pipeline.clean.lostchars.LABELS).
MARKS = frozenset(LABELS) - {"?", "other"}


def rebuild(db_path: str, folders: list[Path], crawl_id: int | None, counts: dict,
            hints: dict[str, str] | None = None, only: set[str] | None = None,
            on_saved: Callable[[list[Article], list[str]], None] | None = None) -> None:
    """Process the posts archived in `folders` again and store them; add each article's status to `counts`.

    `hints`: article id -> the body of an intact copy of that article (`clean_article`).
    `only`: the article ids to rebuild (default: every archived post). A page that holds no
    article counts as "errors". Raises ArchiveError or StoreError; what was built before is stored.
    """
    hints = hints or {}

    def saved(articles, statuses):
        for status in statuses:
            counts[status] = counts.get(status, 0) + 1
        if on_saved:
            on_saved(articles, statuses)

    with BatchWriter(db_path, crawl_id, on_saved=saved) as writer:
        batch: list[Article] = []
        try:
            for post in (post for folder in folders for post in iter_posts(folder)):
                key = article_id(post.url)
                if only is not None and key not in only:
                    continue
                (first_url, first_body), *rest = post.pages
                try:
                    batch.append(process_page(first_body, first_url, post.platform, rest, hint=hints.get(key)))
                except ExtractError:
                    counts["errors"] = counts.get("errors", 0) + 1
                if len(batch) >= REBUILD_BATCH:
                    writer.save(batch)
                    batch = []
        finally:
            # What was read before a damaged archive file is still stored.
            if batch:
                writer.save(batch)


def copy_hints(db: sqlite_utils.Database, again: bool = False) -> dict[str, str]:
    """Article id -> the body of an intact copy in its cluster, for each stored copy that had
    characters restored and has not been repaired with a copy yet (with `again`, also those that
    have: a rebuild of everything must give them their hint again).

    Intact means no character was restored in it; of several, the cluster's canonical copy, else
    the longest body. A sibling without a single dash, quotation mark, apostrophe or ellipsis has
    nothing to show.
    """
    clusters: dict[int, list[dict]] = defaultdict(list)
    for row in db.execute(
            "select a.id, a.cluster_id, a.body, a.repairs, c.canonical_article_id = a.id from articles a "
            "join clusters c on c.id = a.cluster_id order by a.cluster_id, a.id").fetchall():
        art_id, cluster, body, repairs, canonical = row
        clusters[cluster].append({"id": art_id, "body": body or "", "repairs": json.loads(repairs or "{}"),
                                  "canonical": bool(canonical)})
    hints = {}
    for members in clusters.values():
        intact = [m for m in members if "lost_char" not in m["repairs"]]
        if not intact:
            continue
        sibling = max(intact, key=lambda m: (m["canonical"], len(m["body"])))
        if not MARKS & set(sibling["body"]):
            continue
        for member in members:
            if "lost_char" in member["repairs"] and (again or COPY_CONSULTED not in member["repairs"]):
                hints[member["id"]] = sibling["body"]
    return hints


def restyle(db_path: str, folders: list[Path], db: sqlite_utils.Database) -> dict:
    """Repair again, from the archive folders, the stored copies an intact sibling can correct.

    Returns the rebuilt articles' statuses counted ("updated" where the body changed). Raises
    ArchiveError or StoreError like `rebuild`.
    """
    counts: dict = {}
    hints = copy_hints(db)
    folders = [folder for folder in folders if Path(folder).is_dir()]
    if hints and folders:
        rebuild(db_path, folders, None, counts, hints, only=set(hints))
    return counts
