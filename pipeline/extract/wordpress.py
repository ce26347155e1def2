"""WordPress post pages (self-hosted and WordPress.com, 2005 themes to block themes).

WordPress's `body_class()` says what a page is ("single", "page" for one post; "home",
"blog", "archive", "search" for listings), so a listing is recognised even when its
teasers use post markup. Comments are numbered elements ("li#comment-123"), threaded
with nested `ul.children`; they are read by the shared numbered-comment reader.
"""

from __future__ import annotations

from lxml.html import HtmlElement

from pipeline.extract import generic
from pipeline.extract.comments import read_comments
from pipeline.extract.dates import combine, to_iso
from pipeline.extract.dom import compile_selectors, outermost, select_all, text_of
from pipeline.extract.layout import Layout, chrome_pattern, read_post
from pipeline.model import Article, Comment, ExtractError

# body_class() of one post or page, of a listing, of a 404.
SINGLE_CLASSES = frozenset({"single", "single-post", "page", "singular", "page-template-default",
                            "attachment"})
LISTING_CLASSES = frozenset({"home", "blog", "archive", "search", "category", "tag", "author", "date",
                             "paged"})
ERROR_CLASSES = frozenset({"error404"})

# Twenty Ten and its kin print the time as the permalink's title:
# <a title="7:45 pm" rel="bookmark"><span class="entry-date">August 14, 2011</span></a>
ENTRY_DATE_LINKS = compile_selectors("a[rel~='bookmark'][title] > .entry-date", "a[title] > .entry-date")
COMMENT_AREAS = compile_selectors(
    "#comments", ".comments-area", "#commentlist", ".commentlist", ".comment-list", "#comment_list",
    "ol.comments", "#thecomments", ".comments", "#disqus_thread",
)

LAYOUT = Layout(
    name="wordpress",
    comments=lambda doc, url: wordpress_comments(doc, url),  # defined below
    posts=compile_selectors(
        "article.post", "article.type-post", "article.hentry", "div.post", "div.hentry", "div.type-post",
        "article.page", "div.type-page", ".entry-single", "article",
    ),
    body=compile_selectors(
        ".entry-content", ".post-content", ".post-entry", ".entry-body", ".entry", ".article-content",
        ".the-content", "[itemprop='articleBody']", ".storycontent", ".single-content", ".postcontent",
        ".post-body", ".content", ".post_content", ".postentry", ".article-body",
    ),
    title=compile_selectors(
        "h1.entry-title", "h2.entry-title", ".entry-title", "h1.post-title", "h2.post-title", ".post-title",
        "h1.title", "h2.title", "[itemprop='headline']", "h1 a[rel~='bookmark']", "h2 a[rel~='bookmark']",
        "h3 a[rel~='bookmark']", ".post-header h2", ".post-header h1", ".title h2", ".title h1",
    ),
    body_chrome=compile_selectors(
        ".sharedaddy", ".sd-sharing-enabled", ".jp-relatedposts", "#jp-post-flair", ".wpcnt",
        ".addtoany_share_save_container", ".a2a_kit", ".shareaholic-canvas", ".swp_social_panel",
        ".social-share", ".share-buttons", ".sharing", ".yarpp-related", ".related-posts", ".related_post",
        ".saboxplugin-wrap", ".abh_box", ".author-box", ".post-tags", ".entry-tags", ".tags",
        ".wp-block-buttons", "#comments", ".comments", ".navigation", ".post-navigation", ".nav-links",
        ".entry-meta", ".entry-footer", ".entry-utility", ".postmetadata", ".adsbygoogle", ".code-block",
        ".wp-caption-dd:empty", ".screen-reader-text", ".robots-nocontent", ".mc4wp-form", ".wpcf7",
        "#respond", ".printfriendly", ".post-views", ".likebtn-wrapper", ".ssba",
        ".heateor_sss_sharing_container",
        ".essb_links", ".dpsp-share-buttons", ".crp_related", ".zemanta-related", ".sociable",
    ),
    chrome_lines=chrome_pattern(
        r"share this:?", r"like this:?", r"like loading\.{3}", r"loading\.{3}", r"related",
        r"related posts?:?",
        r"\(?adsbygoogle.*", r"filed under:? .{1,80}", r"tagged: .*", r"tags?: .*", r"categor(?:y|ies): .*",
        r"posted in .{1,120}", r"posted on .{1,60}", r"leave a (?:reply|comment)",
        r"\d+ (?:comments?|responses?)",
        r"click to (?:share|email|print) .*", r"(?:tweet|share|pin it|email|print)",
        r"bookmark the permalink\.?", r"this entry was posted .*", r"you may also like:?",
    ),
    published=compile_selectors(
        "time.entry-date", "time.published", "abbr.published", ".posted-on time", "time[datetime]",
        ".entry-date", ".post-date", ".posted-on", ".date", ".postdate", ".entry-meta", ".meta",
    ),
    author=compile_selectors(
        ".entry-meta .author a", ".byline .author a", "span.author a", ".author.vcard a", "a[rel='author']",
        ".entry-author-name", ".author-name", ".byline a", ".vcard .fn", ".fn", "span.author", ".byline",
    ),
    categories=compile_selectors(
        "a[rel~='category']", "a[rel~='tag']", ".cat-links a", ".tags-links a", ".entry-categories a",
        ".post-categories a",
    ),
    site_name=compile_selectors(
        ".site-title", "#site-title", "#blog-title", ".blog-title", "#logo", ".logo", "#header h1",
    ),
)


def body_classes(doc: HtmlElement) -> set[str]:
    """The classes of <body>."""
    body = doc.find(".//body")
    return set((body.get("class") or "").split()) if body is not None else set()


def check_single_post(doc: HtmlElement) -> bool:
    """Raise ExtractError for listing and 404 pages; True when the page says it is one post."""
    classes = body_classes(doc)
    if classes & ERROR_CLASSES:
        raise ExtractError("not found: wordpress 404 page")
    if classes & SINGLE_CLASSES:
        return True
    if classes & LISTING_CLASSES:
        raise ExtractError(f"listing page: wordpress {' '.join(sorted(classes & LISTING_CLASSES))}")
    return False


def parse(doc: HtmlElement, url: str) -> Article:
    """Read a WordPress post page: the theme's body container, settled against trafilatura."""
    single = check_single_post(doc)
    reference = generic.run_trafilatura(doc, url)
    blocks = generic.text_blocks(reference.text or "") if reference is not None else []
    article = read_post(doc, LAYOUT, url, single=single, reference=blocks)
    if article is not None:
        article.published = with_time(doc, article.published)
        return article
    article = generic.from_trafilatura(reference, doc, url)
    article.platform = "wordpress"
    article.comments = wordpress_comments(doc, url) or article.comments
    return article


def wordpress_comments(doc: HtmlElement, url: str) -> list[Comment]:
    """The numbered comments of the page's comment area (the whole page if none is marked)."""
    found = [read_comments(area, url) for area in outermost(select_all(doc, COMMENT_AREAS))]
    found = [comments for comments in found if comments]
    return max(found, key=len) if found else read_comments(doc, url)


def with_time(doc: HtmlElement, published: str | None) -> str | None:
    """A date-only `published` completed by the time older themes put in the permalink's title."""
    if not published or "T" in published:
        return published
    for element in select_all(doc, ENTRY_DATE_LINKS):
        if to_iso(text_of(element)) == published:
            return combine(published, element.getparent().get("title"))
    return published
