"""Per-platform page parsers: one post page in, one Article (with its comments) out.

Pure functions: no Scrapy, no network, no database. A crawl and `reprints reprocess`
(which reads the WARC archive) call the very same `extract`.

    >>> article = extract(html, "http://example.blogspot.com/2008/03/post.html")
    >>> article.title, article.published, len(article.comments)

`detect_platform` names the engine behind a page, `extract` dispatches to its parser
(falling back to generic extraction when a theme's markup is not recognised) and raises
`ExtractError` for pages that hold no single article, and `decode_html` turns fetched
bytes into text whatever charset the page claims.

Modules: `detect` (platform markers, error/anti-bot/empty pages), `encoding` (bytes to
text), `dom` (tree, selectors, block texts, nh3 sanitizing), `dates`, `page` (shared
metadata), `layout` (the selector-table reader), `comments` (numbered comment threads),
`consensus` (a body container settled against trafilatura), and one module per platform:
`blogger`, `wordpress`, `directory`, `generic` (with `movabletype` for MT/TypePad).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from lxml import etree
from lxml.html import HtmlElement

from pipeline.extract import blogger, directory, generic, wordpress
from pipeline.extract.detect import detect_platform as _detect_from_markup
from pipeline.extract.detect import not_html, page_problem
from pipeline.extract.dom import parse
from pipeline.extract.encoding import decode_html
from pipeline.model import PLATFORMS, Article, ExtractError

__all__ = ["detect_platform", "extract", "decode_html", "ExtractError"]

# Hosts that name their platform outright.
HOST_PLATFORMS = (
    (re.compile(r"^https?://[^/]*\.blogspot\.[a-z.]+/", re.I), "blogger"),
    (re.compile(r"^https?://[^/]*\.wordpress\.com/", re.I), "wordpress"),
    (re.compile(r"^https?://(?:www\.)?(?:ezinearticles|a1articles|sooperarticles|articlesbase|goarticles|"
                r"articledashboard|articlealley|isnare|articlecity|amazines|bestmanagementarticles)"
                r"\.com/", re.I), "directory"),
)

PARSERS: dict[str, Callable[[HtmlElement, str], Article | None]] = {
    "blogger": blogger.parse,
    "wordpress": wordpress.parse,
    "directory": directory.parse,
    "generic": generic.parse,
}


def detect_platform(html: str, url: str = "", doc: HtmlElement | None = None) -> str:
    """'blogger' | 'wordpress' | 'directory' | 'generic' from generator meta, markers and feed links."""
    if doc is None:
        try:
            doc = parse(html)
        except (ValueError, TypeError, etree.LxmlError):
            return "generic"
    found = _detect_from_markup(html, doc)
    if found == "generic":
        for pattern, platform in HOST_PLATFORMS:
            if pattern.match(url or ""):
                return platform
    return found


def extract(html: str | bytes, url: str, platform: str | None = None) -> Article:
    """One post page in, one Article out; ExtractError for pages holding no single article."""
    if isinstance(html, bytes):
        html = decode_html(html)
    if not html or not html.strip():
        raise ExtractError("empty page")
    if not_html(html):
        raise ExtractError("not an HTML page (a feed, a PDF or an image)")
    if platform is not None and platform not in PLATFORMS:
        raise ValueError(f"unknown platform {platform!r}; expected one of {', '.join(PLATFORMS)}")
    try:
        doc = parse(html)
    except (ValueError, TypeError, etree.LxmlError) as error:  # lxml refuses documents with no elements
        raise ExtractError(f"unparsable page: {error}") from error
    problem = page_problem(doc)
    if problem:
        raise ExtractError(problem)
    if blogger.is_blog_not_found(doc):
        raise ExtractError("not found: blogger blog not found")
    platform = platform or detect_platform(html, url, doc)
    article = PARSERS[platform](doc, url)
    if article is None:
        article = generic.parse(doc, url)
        article.platform = platform
    if not article.paragraphs and not (article.title and article.comments):
        raise ExtractError(f"no article text found ({platform} page)")
    return article
