"""Article-directory pages (EzineArticles, a1articles, SooperArticles, ArticlesBase and kin).

A directory article page has a title, a "By <author>" line, a "Submitted On"/"Posted"
date, the body, the author's resource box ("About the Author", "Author's Resource Box")
and an "Article Source: URL" line. The resource box and source line sit in their own
containers (or after their own headings), so they are taken out of the body here: the
box becomes `bio` and the source URL `syndicated_from`.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

from lxml.html import HtmlElement

from pipeline.extract import generic
from pipeline.extract.comments import read_comments
from pipeline.extract.dates import to_iso
from pipeline.extract.dom import (
    blocks,
    compile_selectors,
    drop,
    meta_content,
    normalize,
    outermost,
    sanitize,
    select_all,
    select_first,
    text_of,
)
from pipeline.extract.page import (
    author_link,
    clean_author,
    feed_url,
    meta_author,
    meta_published,
    og_title,
    page_title,
    title_without_site,
)
from pipeline.model import Article, ExtractError

BODY = compile_selectors(
    "#article-content", "#article-body", ".art_body", ".article-content", ".article-body", "#articleBody",
    "[itemprop='articleBody']", "#article_body", ".article_body", "#articletext", ".articletext",
    ".article-text", "#article-text", ".KonaBody", ".entry-content", "#content-body", ".post-content",
)
TITLE = compile_selectors(
    "#article-title h1", ".article-title h1", "h1.article-title", "h1.art_title", "h1#article-title",
    "h1.title",
    "h1[itemprop='headline']", "[itemprop='headline']", "h1.entry-title", "h1",
)
RESOURCE_BOX = compile_selectors(
    "#article-resource", ".article-resource", "#resource-box", ".resource-box", ".resourcebox",
    "#author-resource", ".author-resource", "#author-bio", ".author-bio", ".authorbio", "#authorbio",
    ".about-author", "#about-author", ".about_author", ".author-box", "#author-box", ".author_box",
    ".article-author-bio", ".author-info", ".author-description", ".authorbox",
    "[itemprop='author'] [itemprop='description']",
)
RESOURCE_HEADING = re.compile(
    r"^\s*(?:about (?:the|this) author|author'?s? resource box|resource box|author'?s? bio(?:graphy)?|"
    r"author info(?:rmation)?|about the writer)\s*(?::\s*|$)",
    re.I,
)
SOURCE_LINE = re.compile(
    r"^\s*(?:article source|source|article from|originally published at)\s*:\s*(\S*)", re.I
)
SOURCE_ELEMENTS = compile_selectors(
    "#article-source", ".article-source", ".art_source", "#source", ".source", ".article_source",
    "#articlesource",
)
BYLINE = compile_selectors(
    "#article-byline", ".article-byline", ".art_info", ".byline", ".article-author", "#article-author",
    ".author-name", ".article-info", ".article-meta", ".meta", ".posted", ".submitted",
)
AUTHOR_LINKS = compile_selectors(
    "a[rel='author']", "a[href*='expert=']", "a[href*='/expert/']", "a[href*='/authors/']",
    "a[href*='/author/']", "a[href*='profile']", "[itemprop='author'] [itemprop='name']",
    "[itemprop='author']", ".fn",
)
BYLINE_END = re.compile(r"\s+(?:\||on|submitted|posted)\b", re.I)
# "About the Author: Jo is ..." in one element: the heading is inline when its parent holds
# this many more characters than the heading itself.
INLINE_HEADING_SLACK = 20
# A resource-box heading is short; a longer element is a paragraph that mentions the author.
MAX_HEADING_CHARS = 60
BY_TEXT = re.compile(r"^\s*(?:by|author|written by|submitted by)\s*:?\s*(.+)$", re.I)
DATE_TEXT = re.compile(
    r"(?:submitted(?: on)?|posted(?: on)?|published(?: on)?|date added|added(?: on)?|date)\s*:?\s*"
    r"((?:[A-Z][a-z]+\.? \d{1,2}(?:st|nd|rd|th)?,? \d{4})|(?:\d{1,2} [A-Z][a-z]+\.? \d{4})|"
    r"(?:\d{4}-\d{2}-\d{2})|(?:\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}))",
    re.I,
)
CATEGORIES = compile_selectors(
    ".breadcrumb a", ".breadcrumbs a", "#breadcrumbs a", "#breadcrumb a", "[itemprop='breadcrumb'] a",
    ".article-category a", ".category a", "a[rel~='tag']", ".article-tags a", ".tags a",
)
NOT_A_CATEGORY = re.compile(r"^(?:home|articles?|all categories|main|index)$", re.I)
BODY_CHROME = compile_selectors(
    ".article-tools", ".art_tools", ".article-actions", ".share", ".social", ".rating", ".rate-article",
    ".print",
    ".related", ".related-articles", "#related-articles", ".ad", ".ads", ".advert", ".advertisement",
    ".adsbygoogle", "#comments", ".comments", "form",
)
CHROME_LINES = re.compile(
    r"(?:print(?: article)?|e-?mail(?: article| to a friend)?|report(?: this)? article|rate this article.*|"
    r"please rate this article.*|article tags?:.*|related articles?:?|add to favorites|"
    r"bookmark(?: this)?(?: article)?|share(?: this)?(?: article)?|\d+ views?|word count:? \d+|"
    r"free (?:business )?articles(?: blog)?|article source:? ?\S*|source:? \S+)",
    re.I,
)
# A byline on a line of its own: "By Roger Smith" (a capitalised name of up to four words).
BYLINE_LINE = re.compile(r"(?:[Bb]y|BY):?\s+[A-Z][\w.'\u2019-]*(?:\s+[A-Z][\w.'\u2019-]*){0,3}")
# "Submitted On March 05, 2008": chrome only when the rest is a date.
DATE_LINE = re.compile(r"(?:submitted|posted|published|date added)(?: on)?:?\s+(.{4,40})", re.I)
TEASERS = compile_selectors(
    ".entry-summary", ".article-summary", ".summary", ".teaser", ".excerpt", ".article-list-item",
    "article.list", "li.article", ".artdesc",
)
# Two teasers and no article body: a category, author, search or home page.
MIN_LISTING_TEASERS = 2
# Containers only listing pages have: an author's page, a category's article list.
LISTINGS = compile_selectors(
    "#expert-author", ".article-list", ".artlist", ".cat_title", ".category-meta", "#author-articles",
)


def parse(doc: HtmlElement, url: str) -> Article:
    """One directory article with its resource box as bio and its source URL."""
    body = _body(doc)
    if body is None and is_listing(doc):
        raise ExtractError("listing page: article directory teasers")
    if body is None:
        article = generic.parse(doc, url)
        article.platform = "directory"
        return _split_generic(article)
    bio_el, heading = resource_box(doc, body)
    source_url = article_source(doc, url)
    bio = _bio_text(bio_el, heading) if bio_el is not None else None
    inside = [el for el in (bio_el, heading) if el is not None and _contains(body, el)]
    drop(inside)
    for element in select_all(body, SOURCE_ELEMENTS):
        drop([element])
    drop(outermost(select_all(body, BODY_CHROME)))
    paragraphs = _cut_tail([p for p in blocks(body) if not is_chrome_line(p)], bio)
    title = text_of(select_first(doc, TITLE)) or og_title(doc) or page_title(doc)
    author, author_url = byline(doc, url)
    return Article(
        url=url,
        platform="directory",
        site_name=meta_content(doc, "og:site_name") or _site_from_title(doc, title),
        title=title,
        author=author,
        author_url=author_url,
        published=submitted_on(doc),
        categories=categories(doc),
        paragraphs=paragraphs,
        body_html=sanitize(body, url),
        comments=read_comments(doc, url),
        feed_url=feed_url(doc, url),
        bio=bio or None,
        syndicated_from=source_url,
    )


def is_chrome_line(text: str) -> bool:
    """True for a directory's own lines: tools, ratings, bylines, dates, the source line."""
    if CHROME_LINES.fullmatch(text) or BYLINE_LINE.fullmatch(text):
        return True
    dated = DATE_LINE.fullmatch(text)
    return bool(dated and to_iso(dated.group(1)))


def is_listing(doc: HtmlElement) -> bool:
    """True for a page of article teasers (category, author, search, home)."""
    return len(select_all(doc, TEASERS)) >= MIN_LISTING_TEASERS or select_first(doc, LISTINGS) is not None


def _body(doc: HtmlElement) -> HtmlElement | None:
    """The article body container (selectors in order of preference), skipping empty matches."""
    for selector in BODY:
        for element in selector(doc):
            text = text_of(element)
            if text and not RESOURCE_HEADING.match(text):
                return element
    return None


def _contains(outer: HtmlElement, inner: HtmlElement) -> bool:
    """True when inner sits inside outer."""
    return any(a is outer for a in inner.iterancestors())


def resource_box(doc: HtmlElement, body: HtmlElement) -> tuple[HtmlElement | None, HtmlElement | None]:
    """The resource box container and its heading element (either may be None)."""
    box = select_first(doc, RESOURCE_BOX)
    if box is not None and box is not body and not _contains(box, body):
        return box, None
    for element in doc.iter("h2", "h3", "h4", "h5", "b", "strong", "p", "div", "span", "dt"):
        own = normalize(element.text or "")
        if not own or not RESOURCE_HEADING.match(own) or len(text_of(element)) > MAX_HEADING_CHARS:
            continue
        following = element.getnext()
        parent = element.getparent()
        inline = element.tag in ("b", "strong", "span") and parent is not None
        if inline and len(text_of(parent)) > len(own) + INLINE_HEADING_SLACK:
            return parent, element
        return following, element
    return None, None


def _bio_text(box: HtmlElement, heading: HtmlElement | None) -> str:
    """The resource box as text, its heading and source line left out."""
    skip = {heading} if heading is not None else set()
    parts = blocks(box, skip=lambda el: el in skip)
    parts = [RESOURCE_HEADING.sub("", p) for p in parts]
    return "\n".join(p for p in parts if p and not SOURCE_LINE.match(p))


def article_source(doc: HtmlElement, url: str) -> str | None:
    """The URL named by the "Article Source:" line."""
    for element in select_all(doc, SOURCE_ELEMENTS):
        found = _source_from(element, url)
        if found:
            return found
    for element in doc.iter("p", "div", "span", "li", "td", "b", "strong"):
        own = normalize(element.text or "")
        if own and SOURCE_LINE.match(own):
            found = _source_from(element, url)
            if found:
                return found
    return None


def _source_from(element: HtmlElement, url: str) -> str | None:
    """The link or URL text that follows "Article Source:" in an element."""
    match = SOURCE_LINE.match(text_of(element))
    if not match:
        return None
    link = element.find(".//a[@href]")
    if link is not None:
        return urljoin(url, link.get("href").strip())
    return match.group(1) or None


def byline(doc: HtmlElement, url: str) -> tuple[str | None, str | None]:
    """The author's name and profile link from the "By ..." line."""
    for line in select_all(doc, BYLINE):
        link = select_first(line, AUTHOR_LINKS)
        if link is None:
            link = line.find(".//a[@href]")
        if link is not None and text_of(link):
            return clean_author(text_of(link)), author_link(link, url)
        match = BY_TEXT.match(text_of(line))
        if match:
            return clean_author(BYLINE_END.split(match.group(1))[0]), None
    link = select_first(doc, AUTHOR_LINKS)
    if link is not None and text_of(link):
        return clean_author(text_of(link)), author_link(link, url)
    return meta_author(doc), None


def submitted_on(doc: HtmlElement) -> str | None:
    """The date from "Submitted On"/"Posted" text, else meta tags."""
    for line in select_all(doc, BYLINE):
        match = DATE_TEXT.search(text_of(line))
        if match and to_iso(match.group(1)):
            return to_iso(match.group(1))
    published = meta_published(doc)
    if published:
        return published
    match = DATE_TEXT.search(text_of(doc.find(".//body")) if doc.find(".//body") is not None else "")
    return to_iso(match.group(1)) if match else None


def categories(doc: HtmlElement) -> list[str]:
    """Breadcrumb categories and tags, "Home" left out."""
    seen: dict[str, None] = {}
    for element in select_all(doc, CATEGORIES):
        name = text_of(element)
        if name and not NOT_A_CATEGORY.match(name) and len(name) < 80:
            seen.setdefault(name, None)
    return list(seen)


def _cut_tail(paragraphs: list[str], bio: str | None) -> list[str]:
    """Drop a resource box or source line the body container itself ends with."""
    out = list(paragraphs)
    for index, text in enumerate(out):
        if RESOURCE_HEADING.fullmatch(text) or (RESOURCE_HEADING.match(text) and len(text) < 40):
            return out[:index]
    if bio:
        first = bio.split("\n")[0]
        if first in out:
            return out[: out.index(first)]
    return out


def _split_generic(article: Article) -> Article:
    """Move a resource box and source line found by generic extraction into bio/syndicated_from."""
    kept: list[str] = []
    bio: list[str] = []
    in_box = False
    for text in article.paragraphs:
        source = SOURCE_LINE.match(text)
        if source and source.group(1):
            article.syndicated_from = article.syndicated_from or source.group(1)
            continue
        if RESOURCE_HEADING.match(text):
            in_box = True
            rest = RESOURCE_HEADING.sub("", text)
            if rest:
                bio.append(rest)
            continue
        (bio if in_box else kept).append(text)
    article.paragraphs = kept
    article.bio = "\n".join(bio) or article.bio
    return article


def _site_from_title(doc: HtmlElement, title: str) -> str | None:
    """The directory's name: what the <title> holds besides the article title."""
    full = page_title(doc)
    rest = normalize(full.replace(title, "")).strip(" -|:")
    return rest or title_without_site(full, None) or None
