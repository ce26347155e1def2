"""Comment threads: find each comment by its id, then its author, date and text.

WordPress, TypePad, Movable Type and most hand-made themes give every comment an
element id carrying the comment's number ("comment-123", "li-comment-123",
"div-comment-123", "comment-body-123", "comment-6a00d83..."). Grouping the elements by
that number finds each comment once, in page order (depth-first for threaded replies),
whatever the nesting; a field is looked for only in elements whose nearest numbered
ancestor is the comment itself, so a reply's author is never read as its parent's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml.html import HtmlElement

from pipeline.extract.dates import from_comment_link, to_iso
from pipeline.extract.dom import Selectors, blocks, compile_selectors, select_all, text_of
from pipeline.extract.page import author_link, clean_author, element_date
from pipeline.model import Comment

# "comment-123", "li-comment-123", "div-comment-123", "comment-body-123", "Blog1_cmt-123",
# "comment-6a00d8341c57a853ef017ee3ad947e970d" (TypePad), "c111395608922054770" (Blogger).
COMMENT_ID = re.compile(
    r"(?:^|[-_])(?:comment|cmt)[-_](?:body[-_]|content[-_]|text[-_])?"
    r"((?=[0-9a-f]*\d)[0-9a-f]{1,48})(?:-[a-z]+)?$"
    r"|^c(\d{6,})$",
    re.I,
)
# Pingbacks and trackbacks are comments too (WordPress lists them in the thread, often
# without an id).
PINGBACK_CLASSES = frozenset({"pingback", "trackback"})
# Containers whose numbered children are widgets, not the thread (class or id tokens).
NOT_THREAD = frozenset({"recentcomments", "widget_recent_comments", "widget", "sidebar"})
# Phrases that are chrome inside a comment's text.
COMMENT_CHROME_LINES = re.compile(
    r"(?:reply|reply\s*↓|antworten|répondre|responder|rispondi|beantwoorden|"
    r"report (?:this )?comment|like|like this|delete|edit|permalink|link|quote|"
    r"says:?|said\.{3}|sagt:?|schreibt:?|dit\s*:?|dice:?|.{1,80}\s(?:says|sagt|schreibt):|"
    r"your comment is awaiting moderation\.?|\d+ likes?|loading\.{3}|"
    r"(?:reply|posted|link) to this comment)",
    re.I,
)
# Meta lines that may name the commenter in plain text ("by Ruchir on July 27, 2011").
META = compile_selectors(
    ".comment-meta", ".commentmetadata", ".comment-metadata", ".comment-footer", ".comment-info",
)
BY_NAME = re.compile(r"(?:^|\bposted\s)\s*by:?\s+(.+?)(?:\s+(?:on|at|\|)\s|$)", re.I)
# Links to a comment itself, never to its author.
PERMALINK = re.compile(r"#comment|showComment=|replytocom=|[?&]cid=|#c\d", re.I)
# A comment body longer than this is a page, not a comment: the grouping went wrong.
MAX_COMMENT_CHARS = 20000


@dataclass(frozen=True)
class CommentRules:
    """Where a theme prints each comment's parts, in order of preference."""

    author: Selectors
    date: Selectors
    body: Selectors
    chrome: Selectors  # author, date, reply parts to leave out of the body


DEFAULT_RULES = CommentRules(
    author=compile_selectors(
        ".comment-author .fn", "cite.fn", "b.fn", ".fn", "cite.user", ".comment-author-name",
        ".comment_author", ".comment-author-link", ".commentauthor", ".comment-author cite",
        ".comment-author a", ".comment-author strong", ".comment-author b", ".comment-author", "a.url",
        ".commenter", "cite", ".author",
    ),
    date=compile_selectors(
        "time[datetime]", ".comment-metadata time", ".comment-metadata a", ".commentmetadata a",
        ".comment-meta a", ".comment-date", ".comment_time", ".comment-datetime", ".comment-time",
        "a.comment-meta-time", ".commentmetadata", ".comment-meta", ".comment-metadata",
        ".datetime", ".date", "abbr[title]",
    ),
    body=compile_selectors(
        ".comment-content", ".comment-text", ".comment_text", ".comment-entry", ".comment_entry",
        ".commentbody", ".comment-body-text", "dd.comment", ".comment-body", ".content",
    ),
    chrome=compile_selectors(
        ".comment-author", ".vcard", ".comment-meta", ".commentmetadata", ".comment-metadata",
        ".reply", ".comment-reply-link", ".comment-reply", ".comment-footer", ".comment-date",
        ".comment_meta", ".cm-meta", ".comment-actions", ".comment-avatar", ".avatar",
        ".comment-awaiting-moderation", ".comment-edit-link", ".comment-like", "cite.fn",
        ".comment-permalink", ".comment-datetime", ".comment-url", ".comment-reply-login",
        ".comment_num", ".comment_author", ".comment_time", ".comment-meta-time",
    ),
)


# Last resort for a comment's date: any link or time element of the comment.
ANY_DATE = compile_selectors(
    "time", "a[href*='#comment']", "a[href*='comment-']", "a[href*='showComment']", "a[href*='cid=']",
)


def comment_key(element: HtmlElement) -> str | None:
    """The comment number in an element's id (a pingback's place in the page when it has no id), or None."""
    element_id = element.get("id")
    if not element_id:
        if element.tag == "li" and PINGBACK_CLASSES & set((element.get("class") or "").split()):
            return "ping:" + element.getroottree().getpath(element)
        return None
    match = COMMENT_ID.search(element_id)
    if not match:
        return None
    return (match.group(1) or match.group(2)).lower()


def owner(element: HtmlElement) -> str | None:
    """The key of the nearest numbered comment element at or above this one."""
    node = element
    while node is not None:
        key = comment_key(node) if isinstance(node.tag, str) else None
        if key:
            return key
        node = node.getparent()
    return None


def numbered_comments(root: HtmlElement) -> list[tuple[str, list[HtmlElement]]]:
    """The comments under root as (key, outermost elements) in page order."""
    groups: dict[str, list[HtmlElement]] = {}
    for element in root.iter():
        if not isinstance(element.tag, str) or element.tag in ("a", "span", "input", "img"):
            continue
        key = comment_key(element)
        if key is None or any(not_thread(a) for a in element.iterancestors()):
            continue
        groups.setdefault(key, []).append(element)
    result = []
    for key, elements in groups.items():
        members = set(elements)
        tops = [el for el in elements if not any(a in members for a in el.iterancestors())]
        result.append((key, tops))
    return result


def not_thread(element: HtmlElement) -> bool:
    """True for a widget (a "Recent Comments" list) whose numbered elements are not the thread."""
    tokens = set((element.get("class") or "").split())
    tokens.add(element.get("id") or "")
    return not NOT_THREAD.isdisjoint(tokens)


def own(key: str, scopes: list[HtmlElement], selectors: Selectors) -> list[HtmlElement]:
    """Matches inside the comment's elements that belong to it, by selector preference."""
    found: list[HtmlElement] = []
    for selector in selectors:
        for scope in scopes:
            for element in selector(scope):
                if isinstance(element, HtmlElement) and element not in found and (
                    element in scopes or owner(element) == key
                ):
                    found.append(element)
    return found


def read_comments(root: HtmlElement, url: str = "", rules: CommentRules = DEFAULT_RULES) -> list[Comment]:
    """Every numbered comment under root, in page order."""
    comments = []
    for key, scopes in numbered_comments(root):
        comment = read_comment(key, scopes, url, rules)
        if comment is not None:
            comments.append(comment)
    return comments


def read_comment(key: str, scopes: list[HtmlElement], url: str, rules: CommentRules) -> Comment | None:
    """One comment from its elements: author, link, date and text."""
    author_el = next((el for el in own(key, scopes, rules.author) if is_name(el)), None)
    author = clean_author(text_of(author_el)) if author_el is not None else ""
    if not author:
        author = byline_author(own(key, scopes, META))
    posted = None
    for element in own(key, scopes, rules.date) + own(key, scopes, ANY_DATE):
        posted = comment_date(element)
        if posted:
            break
    body = comment_body(key, scopes, rules)
    if not body and not author:
        return None
    if len(body) > MAX_COMMENT_CHARS:
        return None
    return Comment(author=author, author_url=author_link(author_el, url), posted=posted, body=body)


def byline_author(elements: list[HtmlElement]) -> str:
    """A name from a meta line that reads "by NAME on DATE"."""
    for element in elements:
        match = BY_NAME.search(text_of(element))
        if match:
            name = clean_author(match.group(1))
            if name:
                return name
    return ""


def is_name(element: HtmlElement) -> bool:
    """True when an author candidate holds a name, not a date or a permalink."""
    text = text_of(element)
    if not text or to_iso(text):
        return False
    href = element.get("href") or ""
    return not PERMALINK.search(href)


def comment_date(element: HtmlElement) -> str | None:
    """A comment's date from a datetime/title/content attribute, its text or a ?showComment= link."""
    iso = element_date([element])
    if iso:
        return iso
    links = [element] if element.tag == "a" else element.findall(".//a")
    for link in links:
        iso = from_comment_link(link.get("href"))
        if iso:
            return iso
    return None


def comment_body(key: str, scopes: list[HtmlElement], rules: CommentRules) -> str:
    """The comment's text, paragraphs joined by newlines, meta and replies left out."""
    containers = own(key, scopes, rules.body)[:1] or scopes
    chrome: set[HtmlElement] = set()
    for scope in scopes:
        chrome.update(select_all(scope, rules.chrome))
    for container in containers:
        chrome.difference_update(container.iterancestors())
        chrome.discard(container)

    def skip(element: HtmlElement) -> bool:
        """Leave out meta parts and other comments' elements."""
        if element in chrome:
            return True
        other = comment_key(element)
        return other is not None and other != key

    texts: list[str] = []
    for container in containers:
        texts.extend(blocks(container, skip=skip, wordy=False, links=True))
    return "\n".join(t for t in texts if not COMMENT_CHROME_LINES.fullmatch(t))
