"""Which platform made a page, and whether the page holds an article at all.

Detection scores markers per platform: the generator meta decides alone; otherwise
template markers (Blogger's widget scripts and class names, WordPress's wp-content paths
and wp-json links, directory phrases and structure, feed URLs) add up, and the best score
over a threshold wins. Markers are looked up in sets and strings gathered in one pass
over the tree: regular expressions over half a megabyte of HTML cost more than the
extraction itself.
"""

from __future__ import annotations

import re

from lxml import etree
from lxml.html import HtmlElement

from pipeline.extract.dom import meta_content, normalize, text_of

# Markers per platform: (where, what, weight). "generator" looks in the generator meta and
# decides alone; "class" and "id" are exact class/id tokens; "link" is a substring of any
# href/src/action; "text" a substring of the lowercased HTML source.
GENERATOR = 100
MARKERS: dict[str, tuple[tuple[str, str, int], ...]] = {
    "blogger": (
        ("generator", "blogger", GENERATOR),
        ("link", "blogger.com/static", 4),
        ("link", "blogger.com/comment.g", 4),
        ("link", "blogger.com/post-edit.g", 4),
        ("link", "blogger.com/email-post.g", 4),
        ("link", "/feeds/posts/default", 3),
        ("link", "blogblog.com", 3),
        ("text", "_widgetmanager._init", 4),
        ("text", "<$blogitem", 4),
        ("class", "post-body", 2),
        ("class", "date-header", 2),
        ("class", "post-footer-line", 2),
        ("id", "comments-block", 2),
        ("text", "layouttype", 2),
    ),
    "wordpress": (
        ("generator", "wordpress", GENERATOR),
        ("link", "/wp-content/", 3),
        ("link", "/wp-includes/", 3),
        ("link", "/wp-json/", 4),
        ("link", "xmlrpc.php", 2),
        ("link", "wlwmanifest", 2),
        ("class", "single-post", 3),
        ("class", "wp-block-paragraph", 2),
        ("class", "commentlist", 1),
        ("class", "comment-list", 1),
        ("link", "/comments/feed", 1),
        ("text", "api.w.org", 2),
    ),
    "directory": (
        ("text", "article source:", 3),
        ("text", "resource box", 1),
        ("text", "about the author", 1),
        ("text", "submitted on", 2),
        ("text", "free reprint", 2),
        ("text", "submit articles", 1),
        ("text", "expert author", 2),
        ("link", "?expert=", 2),
        ("link", "/expert/", 2),
        ("text", "ezinearticles", 3),
        ("text", "a1articles", 3),
        ("text", "article directory", 2),
        ("class", "art_body", 3),
        ("class", "art_source", 3),
        ("class", "author_box", 2),
        ("link", "ezinearticles.com", 3),
        ("link", "a1articles.com", 3),
        ("link", "sooperarticles.com", 3),
        ("link", "articlesbase.com", 3),
        ("link", "goarticles.com", 3),
        ("id", "article-content", 3),
        ("id", "article-body", 2),
        ("id", "article-resource", 3),
        ("id", "article-byline", 3),
        ("class", "resource-box", 3),
        ("class", "article-source", 3),
    ),
}
# Markers must add up to this much before a platform is named; below it, "generic".
MIN_SCORE = 4
# A directory is named only when it outscores the blog engines by this margin: blogs
# republish directory articles with their "Article Source:" lines.
DIRECTORY_MARGIN = 2


# Pages that are not articles, recognised from their title or their few words of text.
BLOCKED = re.compile(
    r"excessive (?:amount of )?traffic|confirm that you are (?:a person|human)|are you a robot|"
    r"verify (?:that )?you are (?:a )?human|unusual traffic|access denied|attention required|"
    r"please enable cookies|checking your browser|ddos protection|captcha|request unsuccessful|"
    r"bot detection|too many requests",
    re.I,
)
NOT_FOUND = re.compile(
    r"^\s*(?:404\b|error 404|page not found|not found|nothing found|file not found|"
    r"blog not found|blog nicht gefunden|blog introuvable|blog no encontrado|"
    r"this blog is (?:open to invited readers only|private)|"
    r".{0,60}(?:doesn'?t|does not) exist|.{0,60}is no longer available|sorry, .{0,60}not found)",
    re.I,
)
# Server and application error pages (status pages, redirect stubs, database errors).
SERVER_ERROR = re.compile(
    r"^\s*(?:[345]\d\d\b\s*[-:]?\s*(?:not found|gone|moved|found|forbidden|unauthorized|bad request|"
    r"internal server error|service unavailable|bad gateway|gateway time-?out|see other|error)|"
    r"gone|moved|moved permanently|moved temporarily|object moved|document moved|forbidden|"
    r"internal server error|service (?:temporarily )?unavailable|bad gateway|"
    r"error establishing a database connection|server error in '/' application|"
    r"database error|an error occurred|site (?:is )?(?:temporarily )?(?:down|unavailable))\s*\.?\s*$",
    re.I,
)
# The start of a document that is not an HTML page (a PDF, an image, a feed).
NOT_HTML = re.compile(r"^\s*(?:%PDF-|\x89PNG|GIF8|\xff\xd8\xff|PK\x03\x04)")
FEED_START = re.compile(r"^\s*(?:<\?xml[^>]*>\s*)?(?:<\?xml-stylesheet[^>]*>\s*|<!--.*?-->\s*)*"
                        r"<(?:rss|feed|rdf:RDF|urlset|sitemapindex)\b", re.S)
INVISIBLE = frozenset({"script", "style", "noscript", "template"})
# A blocked or error page is short: above this many words of text it is an article that
# happens to mention captchas or errors.
MAX_GUARD_WORDS = 400


def detect_platform(html: str, doc: HtmlElement) -> str:
    """'blogger' | 'wordpress' | 'directory' | 'generic' from the page's markers."""
    features = page_features(html, doc)
    scores = {name: 0 for name in MARKERS}
    for name, markers in MARKERS.items():
        for where, what, weight in markers:
            if what in features[where]:
                if weight >= GENERATOR:
                    return name
                scores[name] += weight
    blog = max(scores["blogger"], scores["wordpress"])
    if scores["directory"] >= MIN_SCORE and scores["directory"] >= blog + DIRECTORY_MARGIN:
        return "directory"
    best = max(("blogger", "wordpress"), key=lambda name: scores[name])
    return best if scores[best] >= MIN_SCORE else "generic"


def page_features(html: str, doc: HtmlElement) -> dict:
    """What the markers look at, gathered in one pass over the tree."""
    return {
        "generator": meta_content(doc, "generator").lower(),
        "class": {name for value in _CLASS_VALUES(doc) for name in value.split()},
        "id": set(_ID_VALUES(doc)),
        "link": "\n".join(_LINK_VALUES(doc)).lower(),
        "text": html.lower(),
    }


# Attribute values straight from libxml2: walking the tree in Python costs a proxy object per element.
_CLASS_VALUES = etree.XPath("descendant-or-self::*/@class", smart_strings=False)
_ID_VALUES = etree.XPath("descendant-or-self::*/@id", smart_strings=False)
_LINK_VALUES = etree.XPath("descendant-or-self::*/@*[name() = 'href' or name() = 'src' or name() = 'action']",
                           smart_strings=False)


def visible_text(doc: HtmlElement, max_words: int) -> str:
    """The body's text outside scripts and styles, read until `max_words` words are found."""
    body = doc.find(".//body")
    if body is None:
        return ""
    parts: list[str] = []
    words = 0
    walker = etree.iterwalk(body, events=("start", "end"))
    for event, element in walker:
        if event == "start" and element.tag in INVISIBLE:
            walker.skip_subtree()
            continue
        piece = element.text if event == "start" else (element.tail if element is not body else None)
        if piece and piece.strip():
            parts.append(piece)
            words += len(piece.split())
            if words >= max_words:
                break
    return " ".join(parts)


def not_html(text: str) -> bool:
    """True for a document that is no HTML page (a PDF, an image, an RSS/Atom feed, a sitemap)."""
    return bool(NOT_HTML.match(text[:16]) or FEED_START.match(text[:4096])) or "<" not in text[:4096]


def page_problem(doc: HtmlElement) -> str | None:
    """Why a page holds no article (blocked, captcha, not found, empty), or None."""
    text = visible_text(doc, MAX_GUARD_WORDS + 1)
    title = normalize(doc.findtext(".//title") or "")
    words = len(text.split())
    if words == 0:
        return "empty page"
    if words <= MAX_GUARD_WORDS:
        if BLOCKED.search(title) or (BLOCKED.search(text) and _has_challenge(doc)):
            return f"blocked: anti-bot or captcha page ({title or 'no title'})"
        headings = [text_of(h) for h in doc.iter("h1")]
        if NOT_FOUND.search(title) or any(NOT_FOUND.search(h) for h in headings):
            return f"not found: {title or 'error page'}"
        if SERVER_ERROR.search(title) or any(SERVER_ERROR.search(h) for h in headings):
            return f"error page: {title or headings[0]}"
    if meta_content(doc, "robots") == "noindex" and NOT_FOUND.search(title):
        return f"not found: {title}"
    return None


def _has_challenge(doc: HtmlElement) -> bool:
    """True when the page carries a captcha widget or a challenge form."""
    for element in doc.iter("div", "form", "script", "iframe"):
        marker = " ".join(element.get(name) or "" for name in ("class", "id", "src", "action"))
        if re.search(r"recaptcha|captcha|challenge|cf-browser-verification|hcaptcha", marker, re.I):
            return True
    return False
