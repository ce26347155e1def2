"""Movable Type and TypePad posts, the two shapes met in the wild.

Newer TypePad themes wrap a post in `div.entry` (`h3.entry-header`, `div.entry-body`,
`div.entry-more`, `p.entry-footer-info`) and each comment in `div.comment#comment-<id>`
with a "Posted by: NAME | DATE" footer. Older MT/TypePad templates (2003-2007) print
everything flat: `h2` date, `h3` title, the paragraphs, then `p.posted` ("Posted by X on
DATE | Permalink"); after `a#comments`, each comment is an `a#c<number>` anchor, its
paragraphs and a `p.posted` "Posted by: NAME at DATE" line.
"""

from __future__ import annotations

import re

from lxml.html import HtmlElement

from pipeline.extract.comments import CommentRules, DEFAULT_RULES, read_comments
from pipeline.extract.dates import to_iso
from pipeline.extract.dom import (
    blocks,
    compile_selectors,
    meta_content,
    normalize,
    sanitize,
    select_all,
    select_first,
    text_of,
)
from pipeline.extract.layout import Layout, chrome_pattern, read_post
from pipeline.extract.page import author_link, clean_author, feed_url, page_title, title_without_site
from pipeline.model import Article, Comment

GENERATOR = re.compile(r"movable\s*type|typepad|six apart", re.I)
MARKERS = compile_selectors(
    "p.posted", ".entry-footer-info", "div.entry-body", "h3.entry-header", "#comment-data",
    "a[href*='typepad.com/services/trackback']", "a[href*='mt-comments.cgi']",
)
LAYOUT = Layout(
    name="generic",
    posts=compile_selectors("div.entry", ".entry-asset", "div.blogbody"),
    body=compile_selectors(".entry-content", ".entry-body", ".asset-body", ".blogbody"),
    title=compile_selectors("h3.entry-header", ".asset-name", ".entry-header", "h3.title", "h3"),
    body_chrome=compile_selectors(
        ".entry-footer", ".entry-footer-share", ".post-footers", ".asset-footer", ".trackbacks",
        ".entry-categories", ".entry-tags",
    ),
    chrome_lines=chrome_pattern(
        r"permalink", r"comments? \(\d+\)", r"trackback \(\d+\)", r"continue reading.*",
    ),
    published=compile_selectors("abbr.published", ".entry-footer-info", ".post-footers", "h2.date-header"),
    author=compile_selectors(".vcard .fn", ".author .fn", ".entry-author"),
    categories=compile_selectors(
        ".entry-footer-info a[href*='/'][rel='tag']", ".entry-categories a", ".post-footers a",
    ),
    site_name=compile_selectors("#banner-header", "h1#banner-header a", "#banner h1", "h1"),
)
# "Posted by: NAME | DATE", "Posted by: NAME at DATE", "Posted by Kathy on March 20, 2007".
POSTED_BY = re.compile(r"posted by:?\s*(.*?)\s*(?:\||\bat\b|\bon\b)\s*(.*)$", re.I)
TYPEPAD_COMMENTS = CommentRules(
    author=DEFAULT_RULES.author,
    date=compile_selectors("p.comment-footer a[href*='#comment']", ".comment-footer a:last-child"),
    body=compile_selectors(".comment-content", ".comment-body"),
    chrome=compile_selectors(".comment-footer", ".comment-avatar"),
)
FLAT_FOOTER = compile_selectors("p.posted")
COMMENTS_ANCHOR = compile_selectors("a#comments", "a[name='comments']")
COMMENT_ANCHOR = re.compile(r"^c\d+$")
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})


def looks_like(doc: HtmlElement) -> bool:
    """True for pages made by Movable Type or TypePad."""
    generator = meta_content(doc, "generator")
    return bool(GENERATOR.search(generator)) or select_first(doc, MARKERS) is not None


def parse(doc: HtmlElement, url: str) -> Article | None:
    """A TypePad/MT post in either shape, or None when neither fits."""
    article = read_post(doc, LAYOUT, url)
    if article is not None and article.paragraphs:
        article.comments = footer_comments(doc, url)
        article.author = article.author or footer_author(doc)
        return article
    return flat_post(doc, url)


def footer_comments(doc: HtmlElement, url: str) -> list[Comment]:
    """Numbered TypePad comments, author and date taken from their "Posted by:" footers."""
    comments = read_comments(doc, url, TYPEPAD_COMMENTS)
    for element, comment in zip(_comment_footers(doc), comments):
        match = POSTED_BY.search(text_of(element))
        if match:
            comment.author = comment.author or clean_author(match.group(1))
            comment.posted = comment.posted or to_iso(match.group(2))
            if comment.author_url is None:
                comment.author_url = author_link(element, url)
    return comments


def _comment_footers(doc: HtmlElement) -> list[HtmlElement]:
    """The footer paragraph of each numbered comment, in page order."""
    return [el for el in doc.iter("p") if "comment-footer" in (el.get("class") or "")]


def footer_author(doc: HtmlElement) -> str | None:
    """The author named in a post footer ("Posted by Kathy on March 20, 2007")."""
    for element in select_all(doc, compile_selectors(".entry-footer-info", "p.posted")):
        match = POSTED_BY.search(text_of(element))
        if match and clean_author(match.group(1)):
            return clean_author(match.group(1))
    return None


def flat_post(doc: HtmlElement, url: str) -> Article | None:
    """An old flat MT/TypePad page: the run of siblings from the h3 title to p.posted."""
    footer = next((p for p in select_all(doc, FLAT_FOOTER) if "permalink" in text_of(p).lower()), None)
    if footer is None:
        return None
    run: list[HtmlElement] = []
    title_el = date_el = None
    for sibling in footer.itersiblings(preceding=True):
        if not isinstance(sibling.tag, str):
            continue
        if sibling.tag == "h3":
            title_el = sibling
            break
        run.insert(0, sibling)
    if title_el is None:
        return None
    for sibling in title_el.itersiblings(preceding=True):
        if isinstance(sibling.tag, str) and sibling.tag == "h2":
            date_el = sibling
            break
    paragraphs = [b for el in run for b in blocks(_wrap(el)) if not LAYOUT.chrome_lines.fullmatch(b)]
    match = POSTED_BY.search(text_of(footer))
    footer_date = to_iso(text_of(footer))
    site_name = normalize(meta_content(doc, "og:site_name")) or None
    return Article(
        url=url,
        platform="generic",
        site_name=site_name,
        title=text_of(title_el) or title_without_site(page_title(doc), site_name),
        author=clean_author(match.group(1)) if match and match.group(1) else None,
        published=footer_date or (to_iso(text_of(date_el)) if date_el is not None else None),
        paragraphs=paragraphs,
        body_html="".join(sanitize(_wrap(el), url) for el in run),
        comments=flat_comments(doc, url),
        feed_url=feed_url(doc, url),
    )


def _wrap(element: HtmlElement) -> HtmlElement:
    """A detached div holding a copy of the element, for the block reader and sanitizer."""
    from copy import deepcopy

    from lxml.html import Element

    holder = Element("div")
    clone = deepcopy(element)
    clone.tail = None
    holder.append(clone)
    return holder


def flat_comments(doc: HtmlElement, url: str) -> list[Comment]:
    """Comments printed flat after a#comments: anchor, paragraphs, "Posted by:" line."""
    anchor = select_first(doc, COMMENTS_ANCHOR)
    if anchor is None:
        return []
    parent = anchor.getparent()
    start = parent if parent is not None and parent.tag in HEADINGS else anchor
    comments: list[Comment] = []
    pending: list[HtmlElement] = []
    for sibling in start.itersiblings():
        if not isinstance(sibling.tag, str):
            continue
        if sibling.tag in ("h2", "form") or (sibling.tag == "div" and sibling.get("id") == "comment-data"):
            break
        if sibling.tag == "a" and COMMENT_ANCHOR.match(sibling.get("id") or sibling.get("name") or ""):
            pending = []
            continue
        if sibling.tag == "p" and "posted" in (sibling.get("class") or ""):
            match = POSTED_BY.search(text_of(sibling))
            body = "\n".join(b for el in pending for b in blocks(_wrap(el), links=True))
            comments.append(Comment(
                author=clean_author(match.group(1)) if match else "",
                author_url=author_link(sibling, url),
                posted=to_iso(match.group(2)) if match else to_iso(text_of(sibling)),
                body=body,
            ))
            pending = []
            continue
        pending.append(sibling)
    return comments
