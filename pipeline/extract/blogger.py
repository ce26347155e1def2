"""Blogger / Blogspot post pages: classic templates (2004-2008), Layouts (2008-2012), later themes.

The date header (`h2.date-header`) holds the day and the post footer the time: they are
combined unless an `abbr.published` gives the full timestamp. Comments come as a
`dl#comments-block` of dt (author) / dd (body, footer) siblings, as threaded
`li.comment` blocks, or, in hand-made classic templates, as `div.blogComment`.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from lxml.html import HtmlElement

from pipeline.extract import generic
from pipeline.extract.comments import read_comments
from pipeline.extract.dates import combine, from_comment_link, to_iso
from pipeline.extract.dom import blocks, compile_selectors, has_class, select_all, select_first, text_of
from pipeline.extract.layout import Layout, chrome_pattern, read_post, site_title
from pipeline.extract.page import author_link, canonical_url, clean_author, page_title, site_from_title
from pipeline.model import Article, Comment, ExtractError

# Blogger's own page type, in the widget data of every Layouts-era page.
PAGE_TYPE = re.compile(r"""['"]pageType['"]\s*:\s*['"](\w+)['"]""")
LISTING_PAGE_TYPES = frozenset({"index", "archive"})
# Each post carries an edit/e-mail/comment link with its postID; comment deletion links
# carry comment ids and are not counted ("delete-comment.g" never follows a "/").
POST_ID_LINK = re.compile(r"/(?:post-edit|comment|email-post)\.g\?blogID=\d+&(?:amp;)?postID=(\d+)")
# Blogger's own listing URLs: archives, label and search pages, year and month folders.
LISTING_PATH = re.compile(r"_archive\.html$|^/search(?:/|$)|^/\d{4}/(?:\d{2}/?)?$")
LISTING_PAGER = compile_selectors(
    ".blog-pager-older-link[title='Older Posts']", ".blog-pager-newer-link[title='Newer Posts']",
)
BLOG_NOT_FOUND = re.compile(
    r"blog not found|blog nicht gefunden|blog introuvable|blog no encontrado|"
    r"the blog you were looking for|sorry, the page you were looking for in this blog does not exist",
    re.I,
)

LAYOUT = Layout(
    name="blogger",
    posts=compile_selectors(".post-outer", "div.post", "article.post", ".hentry", ".blog-post", "div.posts"),
    body=compile_selectors(
        ".post-body", ".entry-content", ".post-entry", ".entry", "[itemprop='articleBody']",
        ".article_body", ".//span[@class='rss:item']", ".post-content",
    ),
    title=compile_selectors(
        "h3.post-title", "h1.post-title", "h2.post-title", ".post-title", ".entry-title",
        "[itemprop='headline']", "[itemprop='name']",
    ),
    body_chrome=compile_selectors(
        ".post-share-buttons", ".pin-it-button", ".post-footer", ".post-header", "#related-posts",
        ".related-posts", ".blog-pager", ".item-control", ".addthis_toolbox", ".sharethis",
        ".post-icons", ".jump-link", "a[href^='javascript']", ".share-box", ".post-share",
        ".sharedaddy", ".linkwithin_div", ".fb-like", ".twitter-share-button",
    ),
    chrome_lines=chrome_pattern(
        r"posted by .{1,80}", r"labels?: .*", r"email this", r"blogthis!", r"pin it",
        r"share (?:this|to|on) (?:twitter|facebook|pinterest|google)?.{0,20}", r"reactions?:.*",
        r"links to this post", r"post a comment", r"newer post", r"older post", r"home",
        r"<< home", r"subscribe to:? post comments \(atom\)", r"\d+ comments?:?", r"read more\W*",
        r"tweet", r"share",
    ),
    author=compile_selectors(
        ".post-author .fn", ".post-author a", ".post-author", ".author .fn", ".fn", ".entry-author-link",
        ".byline a", "[rel='author']",
    ),
    categories=compile_selectors(
        ".post-labels a", "a[rel~='tag']", ".label-link", ".entry-tags a", ".labels a",
    ),
    site_name=compile_selectors(
        "#blog-title", ".Header h1", "#Header1 h1", "#header-inner h1", ".titlewrapper .title", "#header h1",
        "h1.title", "h1.blog-title", "td.blogtitle",
    ),
)
DATE_HEADERS = compile_selectors("h2.date-header", ".date-header", "div.date", ".date-outer h2")
PUBLISHED = compile_selectors(
    "abbr.published[title]", "time.published[datetime]", "a.timestamp-link abbr[title]",
    "[itemprop='datePublished']",
)
TIMESTAMPS = compile_selectors(
    ".post-timestamp", "a.timestamp-link", ".post-footer a[title='permanent link']",
    ".post-footer em", ".post-footer", ".byline",
)
FOOTER_AUTHOR = re.compile(
    r"posted (?:(?:at\s+)?\d{1,2}:\d{2}\s*(?:[ap]m)?\s+)?by\s+(.+?)"
    r"\s*(?:@|\bat\b|\||:\s*\d|\bon\b|\[|$)",
    re.I,
)

# Comment markup of the three template generations.
COMMENT_BLOCKS = compile_selectors("dl#comments-block", "dl.comments-block", "#comments-block")
THREADED = compile_selectors(".comment-thread li.comment", "#comment-holder li.comment")
CLASSIC_CUSTOM = compile_selectors(".blogComment", "div.comment-body-wrapper")
AUTHOR_LINK = re.compile(r"^https?://(?!www\.blogger\.com/(?:comment|delete))(?!.*showComment=)", re.I)
SAID = re.compile(r"\s*(?:said|sagte|a dit|dijo|disse|ha detto|zei|schreef)\s*(?:\.{3}|…)?\s*:?\s*$", re.I)
AT_TIME_PREFIX = re.compile(r"^\s*(?:at|um|à|a las|alle)\s+[^,]{3,40},\s*", re.I)
POST_PERMALINK = re.compile(r"/\d{4}/\d{2}/[^/]+\.html")
URL_YEAR = re.compile(r"/((?:19|20)\d{2})/\d{2}/")
# Admin controls and action links inside a comment.
COMMENT_CHROME = (
    "item-control", "comment-actions", "delete-comment-icon", "comment-delete", "comment-footer",
)


def parse(doc: HtmlElement, url: str) -> Article:
    """Read a Blogger post page; hand-made templates fall back to generic body extraction."""
    check_single_post(doc, url)
    comments = blogger_comments(doc, url)
    article = read_post(doc, LAYOUT, url)
    structured = article is not None
    if not structured:
        article = generic.parse(doc, url)
        article.platform = "blogger"
        article.site_name = site_title(doc, LAYOUT.site_name) or article.site_name
    article.published = post_date(doc, url) or article.published
    article.author = (article.author if structured else None) or footer_author(doc) or article.author
    article.site_name = article.site_name or site_from_title(page_title(doc), article.title)
    article.title = strip_blog_name(article.title, article.site_name)
    if article.author_url and POST_PERMALINK.search(article.author_url):
        article.author_url = None  # a "posted by X at <permalink>" footer link
    if comments:
        article.comments = comments
    return article


def check_single_post(doc: HtmlElement, url: str = "") -> None:
    """Raise ExtractError for Blogger home, archive, label and error pages."""
    path = urlsplit(url).path if url else None
    if path is not None and (LISTING_PATH.search(path) or path in ("", "/")):
        raise ExtractError(f"listing page: blogger URL {path or '/'} is not a post")
    source = _scripts_text(doc)
    match = PAGE_TYPE.search(source)
    if match and match.group(1) == "error":
        raise ExtractError("not found: blogger error page")
    if match and match.group(1) in LISTING_PAGE_TYPES:
        raise ExtractError(f"listing page: blogger {match.group(1)} page")
    post_ids = {m.group(1) for m in POST_ID_LINK.finditer(_links_text(doc))}
    if len(post_ids) > 1:
        raise ExtractError(f"listing page: {len(post_ids)} blogger posts")
    if select_first(doc, LISTING_PAGER) is not None:
        raise ExtractError("listing page: blogger pager to older posts")


def is_blog_not_found(doc: HtmlElement) -> bool:
    """True for Blogger's "Blog not found" page."""
    title = doc.findtext(".//title") or ""
    return bool(BLOG_NOT_FOUND.search(title))


def _scripts_text(doc: HtmlElement) -> str:
    """The text of the page's inline scripts (where Blogger keeps its page data)."""
    return "\n".join(s.text or "" for s in doc.iter("script") if "pageType" in (s.text or ""))


def _links_text(doc: HtmlElement) -> str:
    """All link targets of the page, one a line."""
    return "\n".join(a.get("href", "") for a in doc.iter("a"))


def post_date(doc: HtmlElement, url: str = "") -> str | None:
    """The post's date and time: abbr.published, else the date header joined to the footer time."""
    for element in select_all(doc, PUBLISHED):
        iso = to_iso(element.get("title") or element.get("datetime") or element.get("content"))
        if iso:
            return iso
    header = header_date(doc, url)
    stamp = next((text_of(el) for el in select_all(doc, TIMESTAMPS) if text_of(el)), "")
    full = to_iso(stamp)
    if full and "T" in full and (header is None or full.startswith(header)):
        return full
    return combine(header, stamp) if header else full


def header_date(doc: HtmlElement, url: str) -> str | None:
    """The date header's day; a header without a year ("Sunday, September 9") takes it from the URL."""
    year = URL_YEAR.search(canonical_url(doc, url))
    for element in select_all(doc, DATE_HEADERS):
        text = text_of(element)
        iso = to_iso(text) or (to_iso(f"{text} {year.group(1)}") if year else None)
        if iso:
            return iso
    return None


def strip_blog_name(title: str, site_name: str | None) -> str:
    """A classic template's "Blog Name: Post Title" page title cut to the post title."""
    if site_name and title.lower().startswith(site_name.lower() + ":"):
        return title[len(site_name) + 1:].strip()
    return title


def footer_author(doc: HtmlElement) -> str | None:
    """The name in a classic footer ("posted by Joshua Landis @ 4/19/2005")."""
    for element in select_all(doc, TIMESTAMPS):
        match = FOOTER_AUTHOR.search(text_of(element))
        if match and clean_author(match.group(1)):
            return clean_author(match.group(1))
    return None


def blogger_comments(doc: HtmlElement, url: str) -> list[Comment]:
    """The comments of a Blogger page, whichever template generation printed them."""
    for block in select_all(doc, COMMENT_BLOCKS):
        comments = dl_comments(block, url)
        if comments:
            return comments
    threaded = select_all(doc, THREADED)
    if threaded:
        return [c for c in (threaded_comment(li, url) for li in threaded) if c]
    custom = select_all(doc, CLASSIC_CUSTOM)
    if custom:
        return [c for c in (custom_comment(div, url) for div in custom) if c]
    return read_comments(doc, url)


def dl_comments(block: HtmlElement, url: str) -> list[Comment]:
    """Comments of a dl#comments-block: each dt (author) followed by its dd's (body, footer)."""
    groups: list[list[HtmlElement]] = []
    for child in block:
        if child.tag == "dt":
            groups.append([child])
        elif child.tag == "dd" and groups:
            groups[-1].append(child)
    comments = (dl_comment(group, url) for group in groups)
    return [c for c in comments if c is not None]


def dl_comment(parts: list[HtmlElement], url: str) -> Comment | None:
    """One comment from its dt (author) and dd (body, footer) elements; None for backlink templates."""
    head, rest = parts[0], parts[1:]
    if has_class(head, "comment-title") or "<$Blog" in text_of(head):
        return None
    author_el = comment_author_element(head)
    body_parts = [dd for dd in rest if has_class(dd, "comment-body")] or rest[:1]
    body = "\n".join(t for dd in body_parts for t in blocks(dd, skip=is_comment_chrome, wordy=False, links=True))
    footers = [dd for dd in rest if dd not in body_parts] + [head]
    posted = next((iso for iso in map(part_date, footers) if iso), None)
    link = author_link(author_el, url) if author_el is not None and author_el.tag == "a" else None
    return Comment(author=author_name(author_el, head), author_url=link, posted=posted, body=body)


def comment_author_element(head: HtmlElement) -> HtmlElement | None:
    """The author's link or name element in a comment header (not the avatar, not the permalink)."""
    for element in head.iter("span"):
        if has_class(element, "anon-comment-author"):
            return element
    links = [
        a for a in head.iter("a")
        if a.get("href") and not a.get("href").startswith("#") and "showComment" not in a.get("href")
        and not has_class(a, "avatar-hovercard") and text_of(a)
    ]
    if links:
        return links[-1]
    return next((el for el in head.iter("cite", "b", "strong") if text_of(el)), None)


def author_name(author_el: HtmlElement | None, head: HtmlElement) -> str:
    """The commenter's name from the author element, else the header's text ("At 7:14 PM, X said...")."""
    if author_el is not None and text_of(author_el):
        return clean_author(text_of(author_el))
    return clean_author(SAID.sub("", AT_TIME_PREFIX.sub("", text_of(head))))


def part_date(part: HtmlElement) -> str | None:
    """A comment's date from its permalink text, its ?showComment= time, or a footer's text."""
    links = list(part.iter("a"))
    for link in links:
        if "permalink" in (link.get("title") or "") or "showComment" in (link.get("href") or ""):
            iso = to_iso(text_of(link))
            if iso:
                return iso
    for link in links:
        iso = from_comment_link(link.get("href"))
        if iso:
            return iso
    return to_iso(text_of(part)) if part.tag == "dd" else None


def is_comment_chrome(element: HtmlElement) -> bool:
    """Comment-level chrome: admin controls, delete icons, reply links."""
    return any(has_class(element, name) for name in COMMENT_CHROME)


def threaded_comment(li: HtmlElement, url: str) -> Comment | None:
    """One comment of a threaded (2012+) Blogger thread; its replies are items of their own."""
    block = next((el for el in li if has_class(el, "comment-block")), li)
    user = block.find(".//cite")
    content = next((el for el in block.iter() if has_class(el, "comment-content")), None)
    if content is None:
        content = next((el for el in block.iter("span") if has_class(el, "deleted-comment")), None)
    body = "\n".join(blocks(content, wordy=False, links=True)) if content is not None else ""
    stamp = next((el for el in block.iter("span") if has_class(el, "datetime")), None)
    posted = part_date(stamp) if stamp is not None else None
    author = clean_author(text_of(user)) if user is not None else ""
    if not author and not body:
        return None
    return Comment(author=author, author_url=author_link(user, url), posted=posted, body=body)


def custom_comment(div: HtmlElement, url: str) -> Comment | None:
    """One comment of a hand-made classic template ("text ... posted by X : time")."""
    byline = next((el for el in div.iter() if has_class(el, "byline")), None)
    body = "\n".join(blocks(div, skip=lambda el: el is byline or is_comment_chrome(el), wordy=False, links=True))
    author_el = posted = None
    if byline is not None:
        links = list(byline.iter("a"))
        author_el = next((a for a in links if AUTHOR_LINK.search(a.get("href", "")) and text_of(a)), None)
        posted = next((iso for iso in (from_comment_link(a.get("href")) for a in links) if iso), None)
    if author_el is not None:
        author = clean_author(text_of(author_el))
    else:
        match = FOOTER_AUTHOR.search(text_of(byline)) if byline is not None else None
        author = clean_author(match.group(1)) if match else ""
    if not body and not author:
        return None
    return Comment(author=author, author_url=author_link(author_el, url), posted=posted, body=body)
