"""Page-level metadata every parser shares: title, site name, feed link, dates, authors."""

from __future__ import annotations

import re
from urllib.parse import urljoin

from lxml.html import HtmlElement

from pipeline.extract.dates import to_iso
from pipeline.extract.dom import (
    attr_first,
    compile_selectors,
    meta_content,
    normalize,
    select_all,
    text_of,
)
from pipeline.urls import safe_http_url

FEED_LINKS = compile_selectors(
    'link[rel~="alternate"][type="application/atom+xml"]',
    'link[rel~="alternate"][type="application/rss+xml"]',
)
# A comment feed is not the blog's feed.
COMMENT_FEED = re.compile(r"/comments?/|comments/feed|/feeds/\d+/comments", re.I)
COMMENT_FEED_TITLE = re.compile(r"comments? feed|kommentar-feed|flux des commentaires", re.I)
# Class or id tokens of sidebars, widgets, menus and site footers.
WIDGET = re.compile(
    r"^(?:widget.*|sidebar.*|.*tag-?cloud.*|menu.*|nav|navigation|site-footer|footer|secondary)$", re.I
)
CANONICAL = compile_selectors('link[rel="canonical"]')
DATE_META = (
    "article:published_time", "datepublished", "date", "dc.date", "dc.date.issued",
    "dcterms.created", "pubdate", "publishdate", "og:published_time", "sailthru.date",
)
DATE_ELEMENTS = compile_selectors(
    'time[itemprop="datePublished"]', '[itemprop="datePublished"]', "time.published",
    "time.entry-date", "abbr.published", "time[datetime]",
)
AUTHOR_META = ("author", "article:author", "dc.creator", "sailthru.author", "parsely-author")
# Byline words to strip from an author's name.
BYLINE_PREFIX = re.compile(
    r"^\s*(?:(?:posted|written|published|submitted|penned|article|eingestellt|geschrieben|verfasst|"
    r"publié|écrit|publicado|escrito|pubblicato|scritto|geplaatst|geschreven)\s+)?"
    r"(?:by|von|par|por|da|di|door|from|author)\s*:?\s+",
    re.I,
)
BYLINE_SUFFIX = re.compile(
    r"\s*(?:\bsaid\s*(?:\.{3}|…)?|\bsays\s*:?|\bwrote\s*:?|\bsagt\s*:?|\bschreibt\s*:?|\bdit\s*:?"
    r"|\bdice\s*:?|\bschreef\s*:?|:)\s*$",
    re.I,
)
VIEW_POSTS_BY = re.compile(r"^(?:view|see|more) (?:all )?(?:posts|articles|entries) (?:by|from)\s+", re.I)
# "Posted 8:11 AM by Marty Lederman [link]", "Posted on May 5 by Jo": the name follows "by".
POSTED_BY = re.compile(r"^(?:posted|written|published|submitted)\b.{0,60}?\bby\s+(.+)$", re.I)
# What follows a name in a byline: "[link]", "| 3 comments", " at 4:15 PM", " on May 5".
BYLINE_TAIL = re.compile(
    r"\s*(?:\[[^\]]*\]|\|.*"
    r"|\s(?:at|on|@)\s+(?:\d|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d).*"
    r"|\s@\s.*)$",
    re.I,
)
TITLE_SEPARATORS = re.compile(r"\s+(?:[|\u2013\u2014\u00bb\u00ab:]|-{1,2}|::)\s+")


def in_widget(element: HtmlElement) -> bool:
    """True for sidebar widgets, menus and site footers (tag clouds are not a post's tags)."""
    tokens = (element.get("class") or "").split() + [element.get("id") or ""]
    return element.tag in ("aside", "nav") or any(WIDGET.match(token) for token in tokens if token)


def feed_url(doc: HtmlElement, url: str = "") -> str | None:
    """The page's Atom/RSS alternate link: the site's feed, never a comment feed (None if that is all)."""
    links = [el for el in select_all(doc, FEED_LINKS) if el.get("href", "").strip()]
    for link in links:
        href, title = link.get("href").strip(), link.get("title") or ""
        if not COMMENT_FEED.search(href) and not COMMENT_FEED_TITLE.search(title):
            return urljoin(url, href)
    return None


def page_title(doc: HtmlElement) -> str:
    """The <title> text."""
    element = doc.find(".//title")
    return normalize(element.text_content()) if element is not None else ""


def meta_published(doc: HtmlElement) -> str | None:
    """A publication date from meta tags or microdata, as ISO 8601."""
    for name in DATE_META:
        value = to_iso(meta_content(doc, name))
        if value:
            return value
    return element_date(select_all(doc, DATE_ELEMENTS))


def element_date(elements: list[HtmlElement]) -> str | None:
    """The first date found in the elements' datetime/title/content attributes or text."""
    for element in elements:
        for value in (element.get("datetime"), element.get("title"), element.get("content")):
            iso = to_iso(value)
            if iso:
                return iso
        iso = to_iso(text_of(element))
        if iso:
            return iso
    return None


def clean_author(name: str) -> str:
    """A person's name without "Posted by" before it or "said..." after it."""
    name = VIEW_POSTS_BY.sub("", normalize(name))
    byline = POSTED_BY.match(name)
    if byline:
        name = byline.group(1)
    name = BYLINE_TAIL.sub("", name)
    for _ in range(2):
        name = BYLINE_SUFFIX.sub("", BYLINE_PREFIX.sub("", name)).strip(" ,|-\u2013\u2014")
    return name


def author_link(element: HtmlElement | None, url: str = "") -> str | None:
    """The href of the element, or of the first link inside it, made absolute."""
    if element is None:
        return None
    link = element if element.tag == "a" else element.find(".//a[@href]")
    if link is None:
        return None
    href = (link.get("href") or "").strip()
    if not href or href.startswith("#"):
        return None
    # Only a link a reader can safely follow: no javascript:, data:, mailto: (in any disguise).
    return safe_http_url(urljoin(url, href))


def meta_author(doc: HtmlElement) -> str | None:
    """An author name from meta tags, when it reads as a name rather than a URL."""
    for name in AUTHOR_META:
        value = meta_content(doc, name)
        if value and "://" not in value:
            return clean_author(value)
    return None


def og_title(doc: HtmlElement) -> str:
    """The og:title or twitter:title meta."""
    return meta_content(doc, "og:title", "twitter:title")


def title_without_site(title: str, site_name: str | None) -> str:
    """A <title> with the site's name cut off ("Blog: Post" or "Post | Blog" -> "Post")."""
    if not title:
        return ""
    parts = TITLE_SEPARATORS.split(title)
    if len(parts) < 2:
        return title
    if site_name:
        kept = [p for p in parts if normalize(p).lower() != site_name.lower()]
        if kept and len(kept) < len(parts):
            return " - ".join(kept) if len(kept) > 1 else kept[0]
    return max(parts, key=len)


def site_from_title(full_title: str, post_title: str) -> str | None:
    """What a <title> holds besides the post title ("Blog Name: Post Title" -> "Blog Name")."""
    if not full_title or not post_title or post_title not in full_title:
        return None
    rest = normalize(full_title.replace(post_title, " ")).strip(" :|-\u2013\u2014\u00bb")
    return rest or None


def canonical_url(doc: HtmlElement, url: str = "") -> str:
    """The canonical link of the page, else the given URL."""
    href = attr_first(doc, CANONICAL, "href")
    return urljoin(url, href) if href else url
