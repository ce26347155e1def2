"""The shared reader behind the platform parsers: a table of selectors in, an Article out.

A `Layout` names, in order of preference, where a platform's templates put each part of a
post. `read_post` finds the one post on the page (several mean a listing page), its body
with the chrome cut out, and the metadata around it. Platform modules add only what a
table cannot say (Blogger's date header plus footer time, its dt/dd comment lists).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from lxml.html import HtmlElement

from pipeline.extract.comments import comment_key
from pipeline.extract.consensus import MIN_AGREEMENT, agreement, confirmed, prune
from pipeline.extract.dom import (
    WORDY,
    Selectors,
    blocks,
    drop,
    meta_content,
    outermost,
    sanitize,
    select_all,
    select_first,
    text_length,
    text_of,
)
from pipeline.extract.dates import to_iso
from pipeline.extract.page import (
    author_link,
    clean_author,
    element_date,
    feed_url,
    in_widget,
    meta_author,
    meta_published,
    og_title,
    page_title,
    title_without_site,
)
from pipeline.model import Article, Comment, ExtractError

NOTHING = Selectors(())
COMMENT_AREA_ID = re.compile(r"^(?:comments|comment-list|commentlist|respond|disqus_thread)$")
NO_LINES = re.compile(r"(?!)")
# A "category" longer than this is a sentence caught by a loose selector.
MAX_CATEGORY_CHARS = 100
# "by randfish on December 4, 2010", "Posted by Jo", "Written by Jo Smith".
BY_LINE = re.compile(r"^\s*(?:(?:posted|written|published)\s+)?by\s+\S", re.I)
DATE_IN_LINE = re.compile(
    r"(?:\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}"
    r"|\b\d{1,2}(?:st|nd|rd|th)?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?,?\s+\d{4}"
    r"|\b\d{4}-\d{2}-\d{2}|\b\d{1,2}/\d{1,2}/\d{2,4})(?:\s*(?:at|@|,)?\s*\d{1,2}:\d{2}\s*(?:[ap]\.?m\.?)?)?",
    re.I,
)
# Old themes print the byline in one of the first few elements after the title.
LINES_UNDER_TITLE = 3
# Longer texts under a title are the article, not a byline.
MAX_BYLINE_CHARS = 200
# A name longer than this is a sentence caught by a loose selector.
MAX_AUTHOR_CHARS = 80
# A comment count printed inside the title element ("Post Title 149 Comments").
TITLE_TAIL = re.compile(r"\s*\(?\d+\s+(?:comments?|responses?|replies|kommentare)\)?\s*$", re.I)
# A "site name" longer than this is a tagline or a paragraph.
MAX_SITE_NAME = 120
# A post container must hold at least this much body text to count as a post when
# deciding whether the page is a listing (teasers and empty shells do not count).
MIN_POST_CHARS = 200


@dataclass(frozen=True)
class Layout:
    """Where one platform's templates put each part of a post, in order of preference."""

    name: str
    posts: Selectors  # one element per post: more than one with a body means a listing
    body: Selectors
    title: Selectors = NOTHING
    body_chrome: Selectors = NOTHING  # share widgets, ads, related posts inside the body
    chrome_lines: re.Pattern = NO_LINES  # whole blocks that are chrome ("Labels: x, y")
    published: Selectors = NOTHING
    author: Selectors = NOTHING
    categories: Selectors = NOTHING
    site_name: Selectors = NOTHING
    comments: Callable[[HtmlElement, str], list[Comment]] | None = None


def find_post(
    doc: HtmlElement, layout: Layout, single: bool = False
) -> tuple[HtmlElement, HtmlElement] | None:
    """The (post, body) pair of the page; ExtractError when several posts are shown.

    A post container without a body container of its own is its own body (themes that
    print paragraphs straight into `article.post`). Posts inside comment threads
    (comments marked up as `hentry`) are not candidates.
    """
    posts = []
    for post in outermost(p for p in select_all(doc, layout.posts) if not in_comments(p)):
        body = select_first(post, layout.body)
        if body is not None and in_comments(body):
            body = None
        posts.append((post, body if body is not None else post))
    full = [pair for pair in posts if pair[1] is not pair[0] and text_length(pair[1]) >= MIN_POST_CHARS]
    if len(full) > 1 and not single:
        raise ExtractError(f"listing page: {len(full)} {layout.name} posts")
    if full:
        return max(full, key=lambda pair: text_length(pair[1])) if single else full[0]
    with_body = [pair for pair in posts if pair[1] is not pair[0]]
    if with_body:
        return with_body[0]
    bodies = [b for b in outermost(select_all(doc, layout.body)) if not in_comments(b)]
    full_bodies = [b for b in bodies if text_length(b) >= MIN_POST_CHARS]
    if len(full_bodies) > 1 and not single:
        raise ExtractError(f"listing page: {len(full_bodies)} {layout.name} post bodies")
    if bodies:
        return doc, (full_bodies or bodies)[0]
    if len(posts) == 1 and text_length(posts[0][0]) >= MIN_POST_CHARS:
        return posts[0]
    return None


def in_comments(element: HtmlElement) -> bool:
    """True when the element sits in a comment (a numbered comment or a comments area)."""
    for node in element.iterancestors():
        if comment_key(node) or COMMENT_AREA_ID.match(node.get("id") or ""):
            return True
    return False


def read_body(
    body: HtmlElement, layout: Layout, url: str, whole_post: bool = False, reference: list[str] | None = None
) -> tuple[list[str], str] | None:
    """The body's paragraphs and sanitized HTML, chrome (and, for a whole post, its title) removed.

    With a reference extraction, only blocks it confirms are kept; None when it found the
    article outside this body.
    """
    if whole_post:
        drop(select_all(body, layout.title)[:1])
    drop(outermost(select_all(body, layout.body_chrome)))
    paragraphs = [p for p in blocks(body) if not layout.chrome_lines.fullmatch(p)]
    if reference:
        if agreement(paragraphs, reference) < MIN_AGREEMENT:
            return None
        kept = confirmed(paragraphs, reference)
        prune(body, set(paragraphs) - set(kept))
        paragraphs = kept
    return paragraphs, sanitize(body, url)


def read_title(doc: HtmlElement, post: HtmlElement, layout: Layout, site_name: str | None) -> str:
    """The post title from the layout, else og:title, else the page's h1, else the <title>."""
    h1 = doc.find(".//body//h1")
    return (
        title_text(post, layout.title)
        or (title_text(doc, layout.title) if post is not doc else "")
        or og_title(doc)
        or (TITLE_TAIL.sub("", text_of(h1)) if h1 is not None and text_of(h1) != site_name else "")
        or title_without_site(page_title(doc), site_name)
    )


def site_title(doc: HtmlElement, selectors) -> str | None:
    """The site's name from its header, else og:site_name."""
    for element in select_all(doc, selectors):
        name = text_of(element)
        if WORDY.search(name) and len(name) <= MAX_SITE_NAME:
            return name
    return meta_content(doc, "og:site_name") or None


def read_author(
    post: HtmlElement, layout: Layout, doc: HtmlElement, url: str
) -> tuple[str | None, str | None]:
    """The post author's name and link (never a commenter's), else a "by NAME" line under the title."""
    for element in select_all(post, layout.author):
        if in_comments(element):
            continue
        name = clean_author(text_of(element))
        if name and len(name) <= MAX_AUTHOR_CHARS:
            return name, author_link(element, url)
    for text in lines_under_title(post, layout):
        if BY_LINE.match(text):
            name = clean_author(text)
            if name and len(name) <= MAX_AUTHOR_CHARS:
                return name, None
    return meta_author(doc), None


def lines_under_title(post: HtmlElement, layout: Layout) -> list[str]:
    """The texts of the few elements after the title: where old themes print "by X on DATE"."""
    title = next((el for el in select_all(post, layout.title) if not in_comments(el)), None)
    if title is None:
        return []
    anchor = title
    while anchor.getnext() is None and anchor.getparent() is not None and anchor.getparent() is not post:
        anchor = anchor.getparent()
    texts = []
    for sibling in anchor.itersiblings():
        if len(texts) >= LINES_UNDER_TITLE:
            break
        if isinstance(sibling.tag, str):
            text = text_of(sibling)
            if text and len(text) <= MAX_BYLINE_CHARS:
                texts.append(text)
    return texts


def date_under_title(post: HtmlElement, layout: Layout) -> str | None:
    """A date printed in the lines right under the title."""
    for text in lines_under_title(post, layout):
        match = DATE_IN_LINE.search(text)
        iso = to_iso(match.group(0)) if match else None
        if iso:
            return iso
    return None


def read_categories(post: HtmlElement, layout: Layout) -> list[str]:
    """Labels, categories and tags, each once, in page order (sidebar widgets left out)."""
    seen: dict[str, None] = {}
    for element in select_all(post, layout.categories):
        if inside_widget(element, post):
            continue
        name = text_of(element).strip(" ,;")
        if name and len(name) < MAX_CATEGORY_CHARS:
            seen.setdefault(name, None)
    return list(seen)


def inside_widget(element: HtmlElement, root: HtmlElement) -> bool:
    """True when a widget, menu or footer lies between the element and root."""
    for ancestor in element.iterancestors():
        if ancestor is root:
            return False
        if in_widget(ancestor):
            return True
    return False


def title_text(node: HtmlElement, selectors) -> str:
    """The first title-like text outside comment threads, widgets and menus."""
    for element in select_all(node, selectors):
        if not in_comments(element) and not inside_widget(element, node):
            value = TITLE_TAIL.sub("", text_of(element))
            if value:
                return value
    return ""


def read_post(
    doc: HtmlElement, layout: Layout, url: str, single: bool = False, reference: list[str] | None = None
) -> Article | None:
    """One Article from a page laid out as `layout` describes, or None when no body is found.

    `reference` is another extractor's reading of the page (see `consensus`): the body
    keeps only the blocks it confirms, and None is returned when it disagrees entirely.
    """
    found = find_post(doc, layout, single)
    if found is None:
        return None
    post, body = found
    site_name = site_title(doc, layout.site_name)
    published = (
        element_date([el for el in select_all(post, layout.published) if not in_comments(el)])
        or meta_published(doc)
        or date_under_title(post, layout)
    )
    author, author_url = read_author(post, layout, doc, url)
    title = read_title(doc, post, layout, site_name)
    categories = read_categories(post, layout) or read_categories(doc, layout)
    comments = layout.comments(doc, url) if layout.comments else []
    read = read_body(body, layout, url, whole_post=body is post, reference=reference)
    if read is None:
        return None
    paragraphs, body_html = read
    return Article(
        url=url,
        platform=layout.name,
        site_name=site_name,
        title=title,
        author=author,
        author_url=author_url,
        published=published,
        categories=categories,
        paragraphs=paragraphs,
        body_html=body_html,
        comments=comments,
        feed_url=feed_url(doc, url),
    )


def chrome_pattern(*phrases: str) -> re.Pattern:
    """One case-insensitive full-match pattern from chrome phrases (regex fragments)."""
    return re.compile("|".join(f"(?:{p})" for p in phrases), re.I)

