"""Cleaning: repair the text, then separate chrome, syndication line and resource box.

`clean_article` is the one entry point the crawl, `reprints extract` and
`reprints reprocess` share. Every step is a pure function of text in this package.
"""

from __future__ import annotations

import html
from collections import Counter
from urllib.parse import urlsplit

from pipeline.clean.boilerplate import bio_name, split_bio, split_syndication, strip_chrome
from pipeline.clean.repair import repair_paragraphs, repair_text
from pipeline.model import Article
from pipeline.urls import normalize_url

# The repair kind that says a body was repaired with an intact copy as hint (`clean_article`).
COPY_CONSULTED = "copy_consulted"


def repair_all(texts: list[str], counts: Counter) -> list[str]:
    """Repair each text, adding what each repair did to `counts`."""
    repaired = []
    for text in texts:
        fixed, fired = repair_text(text)
        counts.update(fired)
        repaired.append(fixed)
    return repaired


def paragraphs_to_html(paragraphs: list[str]) -> str:
    """The body as escaped <p> elements: safe by construction, and it matches `body`."""
    return "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)


def syndication_elsewhere(source: str | None, url: str) -> str | None:
    """A source line naming the page's own site marks an original ("Article Source:" on a directory): None."""
    if source and urlsplit(normalize_url(source)).netloc == urlsplit(normalize_url(url)).netloc:
        return None
    return source


def clean_bio(bio: str, platform: str) -> str | None:
    """Repair a resource box and drop the copyright and chrome lines directories put inside it."""
    lines = [line for line in repair_all(bio.split("\n"), Counter()) if line.strip()]
    kept, _ = strip_chrome(lines, platform)
    return "\n\n".join(kept).strip() or None


def credit_bio_author(article: Article) -> None:
    """A republished article's author is the person its resource box names, not the blog's poster."""
    named = bio_name(article.bio or "")
    if named and article.author != named:
        article.posted_by = article.posted_by or article.author
        article.author = named


def clean_article(article: Article, hint: str | None = None) -> Article:
    """Repair and split one extracted article in place; return it.

    `hint`: the body of another copy of the same article that arrived intact, if one is known;
    it shows the characters lost to "?" where the two copies read alike, and the dash and quote
    style where none of this copy's own marks survived. The repairs then say "copy_consulted",
    so that the restyle after a dedup (pipeline.reprocess) does not consult a copy twice.
    """
    counts: Counter = Counter({COPY_CONSULTED: 1} if hint else {})
    article.title = repair_all([article.title], counts)[0].strip()
    # The whole body at once: the spacing between the relays' line breaks is evidence.
    paragraphs, fired = repair_paragraphs(article.paragraphs, hint)
    counts.update(fired)
    paragraphs = [p for p in paragraphs if p.strip()]
    paragraphs, removed = strip_chrome(paragraphs, article.platform)
    paragraphs, source = split_syndication(paragraphs)
    article.syndicated_from = syndication_elsewhere(article.syndicated_from or source, article.url)
    # Footers glue "Source:" to the copyright line; once the source is out, the copyright stands alone.
    paragraphs, removed_after = strip_chrome(paragraphs, article.platform)
    if removed or removed_after:
        counts["chrome_removed"] += len(removed) + len(removed_after)
    paragraphs, bio = split_bio(paragraphs, article.author)
    article.bio = article.bio or bio
    if article.bio:
        article.bio = clean_bio(article.bio, article.platform)
        credit_bio_author(article)
    article.paragraphs = paragraphs
    article.body_html = paragraphs_to_html(paragraphs)
    for comment in article.comments:
        comment.body = repair_all([comment.body], Counter())[0]
    article.repairs = {kind: n for kind, n in sorted(counts.items()) if n}
    return article
