"""Render the corpus into HTTP resources: HTML pages, feeds, sitemaps, robots.txt and JSON.

Every site gets one renderer. `pages()` renders its fixed pages once at start; `dynamic()`
answers the URLs whose query string can take any value (Blogger feed paging, WordPress
feed and REST paging, Blogger searches) and is memoised by the server. Rendering is
deterministic: the same content and base URLs give the same bytes.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from email.utils import format_datetime
from urllib.parse import parse_qsl, quote, unquote, urlencode

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from crawler.sampleweb.content import (
    PACKAGE, Author, Comment, Corpus, Post, SiteSpec, error_pages, ezine_slug, wordpress_slug,
)

TEMPLATES = PACKAGE / "templates"
STATIC = PACKAGE / "static"

HTML = "text/html; charset=UTF-8"
XML = "application/xml; charset=UTF-8"
ATOM = "application/atom+xml; charset=UTF-8"
RSS = "application/rss+xml; charset=UTF-8"
JSON_TYPE = "application/json; charset=UTF-8"
TEXT = "text/plain; charset=UTF-8"

# Blogger's feed defaults and ceiling (Blogger Data API v2).
BLOGGER_DEFAULT_MAX_RESULTS = 25
BLOGGER_MAX_RESULTS = 500
# WordPress REST API defaults and ceiling.
WP_REST_DEFAULT_PER_PAGE = 10
WP_REST_MAX_PER_PAGE = 100
# How many words WordPress puts in an automatic excerpt.
WP_EXCERPT_WORDS = 55
# Paragraphs a WordPress listing shows before "Continue reading" (the <!--more--> tag).
WP_MORE_AFTER = 3
# Characters of a directory summary on listing pages.
SUMMARY_CHARS = 220
# The date the sites' fixed pages (about, terms, robots.txt) last changed.
SITE_EPOCH = datetime(2007, 6, 1, tzinfo=timezone.utc)

URL_IN_TEXT_RE = re.compile(r"(https?://[^\s<>\"]+?)(?=[.,;:!?)]*(?:\s|$|<))")


# -- resources ---------------------------------------------------------------------------------

@dataclass
class Resource:
    """One response, ready to send: status, body and the headers that go with it."""

    status: int
    content_type: str
    body: bytes
    last_modified: datetime
    headers: tuple[tuple[str, str], ...] = ()
    _gzipped: bytes | None = field(default=None, repr=False)

    @functools.cached_property
    def etag(self) -> str:
        return '"' + hashlib.sha1(self.body).hexdigest()[:20] + '"'

    @property
    def gzipped(self) -> bytes:
        """The body gzip-compressed (mtime 0, so the bytes are stable), computed once."""
        if self._gzipped is None:
            self._gzipped = gzip.compress(self.body, compresslevel=6, mtime=0)
        return self._gzipped


def page(text: str, modified: datetime, status: int = 200, content_type: str = HTML,
         headers: tuple[tuple[str, str], ...] = ()) -> Resource:
    return Resource(status, content_type, text.encode("utf-8"), modified, headers)


def redirect(location: str, modified: datetime, status: int = 301) -> Resource:
    body = (f'<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head><title>{status} Moved</title>'
            f'</head><body><h1>Moved</h1><p>The document has moved <a href="{escape(location)}">here</a>.</p>'
            f"</body></html>\n")
    return page(body, modified, status, headers=(("Location", location),))


def resource_key(path: str, query: str = "") -> str:
    """The lookup key of a URL: its decoded path plus its query pairs in sorted order.

    Query order and "Title&id=1" versus "Title=&id=1" do not matter, as on the real sites.

    >>> resource_key("/", "id=5&The-Title")
    '/?The-Title&id=5'
    >>> resource_key("/search/label/Part%20Time")
    '/search/label/Part Time'
    """
    pairs = sorted(parse_qsl(query, keep_blank_values=True))
    path = unquote(path) or "/"
    if not pairs:
        return path
    return path + "?" + "&".join(k if v == "" else f"{k}={v}" for k, v in pairs)


# -- text and date filters ---------------------------------------------------------------------

def _dt(value: date | datetime) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime(value.year, value.month, value.day, tzinfo=timezone.utc)


def long_date(value) -> str:
    """'Wednesday, March 5, 2008' (Blogger date headers)."""
    d = _dt(value)
    return f"{d:%A}, {d:%B} {d.day}, {d.year}"


def mdy(value) -> str:
    """'March 5, 2008'."""
    d = _dt(value)
    return f"{d:%B} {d.day}, {d.year}"


def time12(value) -> str:
    """'8:15 AM'."""
    d = _dt(value)
    return f"{d.hour % 12 or 12}:{d:%M} {d:%p}"


def iso_ms(value) -> str:
    """Blogger's feed time: '2008-03-05T08:15:00.000-06:00'."""
    d = _dt(value)
    return d.strftime("%Y-%m-%dT%H:%M:%S.000") + d.isoformat()[19:]


def rfc822(value) -> str:
    """RSS time in UTC: 'Wed, 05 Mar 2008 14:15:00 +0000'."""
    return format_datetime(_dt(value).astimezone(timezone.utc))


def http_date(value: datetime) -> str:
    return format_datetime(value.astimezone(timezone.utc), usegmt=True)


def millis(value) -> int:
    return int(_dt(value).timestamp() * 1000)


def linkify(text: str) -> Markup:
    """Escape text and turn the URLs in it into links."""
    escaped = str(escape(text))
    return Markup(URL_IN_TEXT_RE.sub(lambda m: f'<a href="{m.group(1)}">{m.group(1)}</a>', escaped))


def comment_br(body: str) -> Markup:
    """A comment body (trusted HTML from our data) with its line breaks as <br />."""
    return Markup(body.strip().replace("\n", "<br />"))


def comment_paras(body: str) -> Markup:
    """A comment body as WordPress prints it: paragraphs, line breaks inside them as <br />."""
    paras = [p.strip().replace("\n", "<br />\n") for p in body.strip().split("\n\n") if p.strip()]
    return Markup("\n".join(f"<p>{p}</p>" for p in paras))


def brbr(text: str) -> Markup:
    """Paragraphs joined by <br /><br />, as EzineArticles printed article bodies."""
    return Markup("<br /><br />\n".join(str(escape(p)) for p in text.split("\n\n")))


def summary(text: str, limit: int = SUMMARY_CHARS) -> str:
    """The start of a text, cut at a word boundary with an ellipsis."""
    first = " ".join(text.split())
    if len(first) <= limit:
        return first
    return first[:limit].rsplit(" ", 1)[0] + "..."


def gravatar(name: str) -> str:
    return hashlib.md5(name.strip().lower().encode()).hexdigest()


def cdata(text: str) -> Markup:
    return Markup(str(text).replace("]]>", "]]]]><![CDATA[>"))


@functools.lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(("html", "xml")),
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, undefined=StrictUndefined)
    env.filters.update(
        long_date=long_date, mdy=mdy, time12=time12, iso=lambda d: _dt(d).isoformat(), iso_ms=iso_ms,
        rfc822=rfc822, millis=millis, linkify=linkify, comment_br=comment_br, comment_paras=comment_paras,
        brbr=brbr, gravatar=gravatar, cdata=cdata,
        wp_time=lambda d: time12(d).lower(),
        # Blogger's comment times, as the example post shows them: a narrow no-break space before PM.
        comment_time=lambda d: f"{mdy(d)} at {time12(d).replace(' ', chr(0x202F))}",
        layouts_comment_time=lambda d: f"{mdy(d)} {time12(d)}",
        wp_comment_time=lambda d: f"{mdy(d)} at {time12(d).lower()}",
    )
    return env


# -- shared renderer ---------------------------------------------------------------------------

class SiteRenderer:
    """Common ground of the five site kinds: base URLs, templates, robots.txt, 404s."""

    def __init__(self, spec: SiteSpec, corpus: Corpus, bases: dict[str, str]):
        self.spec = spec
        self.corpus = corpus
        self.bases = bases
        self.base = bases[spec.key]
        self.env = environment()
        self.posts = sorted(spec.posts, key=lambda p: p.published, reverse=True)  # newest first
        self.updated = max(p.updated for p in spec.posts)

    def render(self, template: str, **context) -> str:
        return self.env.get_template(template).render(site=self.spec, base=self.base, **context)

    def url(self, path: str) -> str:
        return self.base + path

    def source_url(self, post: Post) -> str | None:
        if post.source_literal:
            return post.source_literal
        if post.source_site and post.source_path:
            return self.bases[post.source_site] + post.source_path
        return None

    def sitemap(self, entries: list[tuple[str, datetime]]) -> Resource:
        urls = [{"loc": self.url(path), "lastmod": _dt(mod).date().isoformat(), "changefreq": None,
                 "priority": None} for path, mod in entries]
        return page(self.render("feeds/sitemap.xml", urls=urls), max(m for _, m in entries), content_type=XML)

    def robots(self, text: str) -> Resource:
        return page(text, SITE_EPOCH, content_type=TEXT)

    def pages(self) -> dict[str, Resource]:
        raise NotImplementedError

    def dynamic(self, path: str, params: dict[str, str]) -> Resource | None:
        return None

    def fallback(self, path: str, pages: dict[str, Resource]) -> Resource | None:
        """What a URL with an unknown query string gets (None: a 404)."""
        return None

    def not_found(self, path: str) -> Resource:
        raise NotImplementedError


# -- the EzineArticles-style directory ---------------------------------------------------------

class EzineRenderer(SiteRenderer):
    info_pages = {
        "/about.html": ("About EzineArticles.com", [
            "EzineArticles.com was launched in 1999 to give expert authors a place to publish their best "
            "original articles and to give publishers a source of free, quality reprint content."]),
        "/faq/": ("Frequently Asked Questions", [
            "Can I republish articles? Yes, as long as you keep the author's resource box and links intact.",
            "How long does article review take? Most articles are reviewed within a few business days."]),
        "/contact.html": ("Contact Us", ["Use our member support form to reach the editorial team."]),
        "/privacy-policy.html": ("Privacy Policy", [
            "We respect your privacy and never sell the personal information of our members."]),
        "/terms-of-service.html": ("Publisher Terms of Service", [
            "You may reprint any article as long as you include the author's resource box, keep all links "
            "live and do not modify the article's content."]),
        "/editorial-guidelines/": ("Editorial Guidelines", [
            "Articles must be original, at least 400 words long and free of self-promotion in the body."]),
        "/submit/": ("Submit Your Articles", [
            "Join free today and submit your first article. Members log in to the members area to submit."]),
        # Pages the anti-bot page's own header and footer link to.
        "/author-terms-of-service.html": ("Author Terms of Service", [
            "By submitting an article you grant publishers the right to reprint it with your resource box."]),
        "/category-guidelines.html": ("Category Guidelines", [
            "Submit each article to the single most relevant category and sub-category."]),
        "/benefits/": ("Member Benefits", ["Members get traffic, exposure and credibility for their expertise."]),
        "/premium/": ("Premium Membership", ["Premium members get priority review and advanced statistics."]),
        "/endorsements/": ("Endorsements", ["What our Expert Authors say about EzineArticles.com."]),
        "/training/": ("Author Training", ["Free training on writing articles readers want to read."]),
        "/videos/": ("Video Library", ["Short videos on writing and submitting quality articles."]),
        "/cartoons/": ("Cartoons", ["A little humor for article writers."]),
        "/advertise/": ("Advertising", ["Reach millions of readers every month."]),
        "/affiliates/": ("Affiliates", ["Partner with EzineArticles.com."]),
        "/subscribe/": ("Ezines and Email Alerts", ["Get new articles in your favourite categories by email."]),
        "/rss/": ("EzineArticles RSS Feeds", ["Every category has its own RSS feed of the newest articles."]),
        "/sitemap.html": ("Site Map", ["Home, categories, expert authors, help and policies."]),
    }

    def __init__(self, *args):
        super().__init__(*args)
        self.category = self.spec.config["category"]
        self.per_page = self.spec.config["per_page"]
        blocked = [{"title": b["title"], "path": f"/?{ezine_slug(b['title'])}&id={b['id']}", "author": b["author"],
                    "author_path": None, "date": date.fromisoformat(b["date"]), "summary": b["summary"],
                    "email": b["author"].lower().replace(" ", ".") + "@example.com"}
                   for b in self.spec.config.get("blocked", ())]
        self.items = sorted([self.item(p) for p in self.posts] + blocked, key=lambda i: i["date"], reverse=True)
        for item in self.items:
            item["author_path"] = item["author_path"] or self.expert_path(item["author"])

    @staticmethod
    def expert_path(name: str) -> str:
        return "/?expert=" + name.replace(" ", "_")

    def item(self, post: Post) -> dict:
        return {"title": post.title, "path": post.path, "author": post.article.author.name,
                "author_path": self.expert_path(post.article.author.name), "date": post.published.date(),
                "summary": summary(post.article.paragraphs[0]),
                "email": post.article.author.key.replace("-", ".") + "@example.com"}

    def page_path(self, n: int) -> str:
        return f"/?cat={self.category}" + (f"&page={n}" if n > 1 else "")

    def common(self) -> dict:
        return {"category": self.category}

    def pages(self) -> dict[str, Resource]:
        out = {}
        for n, post in enumerate(self.posts):
            related = [self.item(p) for p in (self.posts[n + 1:] + self.posts[:n])[:4]]
            popular = [self.item(p) for p in self.posts[::3][:5]]
            html = self.render("ezine/article.html", post=post, summary=summary(post.article.text, 160),
                               author_path=self.expert_path(post.article.author.name), related=related,
                               popular=popular, **self.common())
            out[resource_key(*post.path.split("?", 1))] = page(html, post.updated)
            out[f"/{post.meta['id']}"] = redirect(self.url(post.path), post.updated)
        pages = -(-len(self.items) // self.per_page)
        for n in range(1, pages + 1):
            chunk = self.items[(n - 1) * self.per_page: n * self.per_page]
            html = self.render("ezine/category.html", items=chunk, page=n, pages=pages, total=len(self.items),
                               first=(n - 1) * self.per_page + 1, last=(n - 1) * self.per_page + len(chunk),
                               page_path=self.page_path, **self.common())
            out[resource_key(*self.page_path(n).split("?", 1))] = page(html, self.updated)
        out[resource_key("/", "cat=Home-Based-Business")] = page(self.render(
            "ezine/parent.html", items=self.items[:5], total=len(self.items), **self.common()), self.updated)
        authors = sorted({p.article.author for p in self.posts}, key=lambda a: a.name)
        out["/"] = page(self.render("ezine/home.html", items=self.items[:8], authors=[
            {"name": a.name, "path": self.expert_path(a.name)} for a in authors], **self.common()), self.updated)
        blocked_authors = [Author(b["author"].lower().replace(" ", "-"), b["author"], "",
                                  f"{b['author']} writes about lead generation for network marketers.")
                           for b in self.spec.config.get("blocked", ())]
        for author in authors + blocked_authors:
            items = [i for i in self.items if i["author"] == author.name]
            out[resource_key(*self.expert_path(author.name).split("?", 1))] = page(self.render(
                "ezine/author.html", author=author, items=items, **self.common()), max(_dt(i["date"]) for i in items))
        out[resource_key("/", "type=experts")] = page(self.render("ezine/experts.html", authors=[
            {"name": a.name, "path": self.expert_path(a.name)} for a in authors], **self.common()), self.updated)
        for path, (heading, paragraphs) in self.info_pages.items():
            out[path] = page(self.render("ezine/info.html", heading=heading, paragraphs=paragraphs,
                                         **self.common()), SITE_EPOCH)
        for blocked in self.spec.config.get("blocked", ()):
            path = f"/?{ezine_slug(blocked['title'])}&id={blocked['id']}"
            out[resource_key(*path.split("?", 1))] = Resource(
                200, HTML, (STATIC / "ezinearticles-anti-bot-block.html").read_bytes(), SITE_EPOCH)
        out["/rss/" + self.category + ".xml"] = page(self.render(
            "feeds/ezine-rss.xml", items=self.items[:20], updated=self.updated, **self.common()), self.updated,
            content_type=RSS)
        entries = [(i["path"], _dt(i["date"])) for i in self.items]
        entries += [(self.page_path(n), self.updated) for n in range(1, pages + 1)]
        entries += [(self.expert_path(a.name), self.updated) for a in authors]
        out["/sitemap.xml"] = self.sitemap([("/", self.updated)] + entries)
        out["/robots.txt"] = self.robots(
            "User-agent: *\nDisallow: /members/\nDisallow: /search/\n\n"
            "User-agent: Mediapartners-Google\nDisallow:\n\n"
            f"Sitemap: {self.url('/sitemap.xml')}\n")
        return out

    def fallback(self, path: str, pages: dict[str, Resource]) -> Resource | None:
        if path.startswith("/members/") or path == "/members":
            html = self.render("ezine/info.html", heading="Members Login", paragraphs=[
                "Please log in with your member email address and password to manage your articles."],
                **self.common())
            return page(html, SITE_EPOCH)
        return None

    def not_found(self, path: str) -> Resource:
        return page(self.render("ezine/not_found.html", **self.common()), SITE_EPOCH, 404)


# -- the a1articles-style directory ------------------------------------------------------------

class A1Renderer(SiteRenderer):
    info_pages = {
        "/about.html": ("About A1Articles.com", [
            "A1Articles.com is a free articles directory serving authors and publishers since 2005."]),
        "/submit-article.html": ("Submit Article", [
            "Register for a free author account to submit your articles. Every article is reviewed by hand."]),
        "/contact.html": ("Contact Us", ["Send us a message with the form below and we will reply within 48 hours."]),
        "/privacy.html": ("Privacy Policy", ["We do not share your email address with third parties."]),
        "/terms.html": ("Terms of Use", [
            "Articles may be republished free of charge provided the author's resource box is kept intact."]),
    }

    def __init__(self, *args):
        super().__init__(*args)
        self.cat = self.spec.config["category_id"]
        self.per_page = self.spec.config["per_page"]

    def author_path(self, post: Post) -> str:
        return f"/authors/{post.article.author.key}.html"

    def item(self, post: Post) -> dict:
        return {"title": post.title, "path": post.path, "author": post.article.author.name,
                "author_path": self.author_path(post), "date": post.published.date(),
                "summary": summary(post.article.paragraphs[0], 180)}

    def page_path(self, n: int) -> str:
        return f"/category_{self.cat}.html" if n == 1 else f"/category_{self.cat}_{n}.html"

    def common(self, path: str) -> dict:
        authors = {p.article.author.key: p for p in self.posts}
        return {"category_id": self.cat, "self_path": path,
                "newest": [self.item(p) for p in self.posts[:6]],
                "authors": [{"name": p.article.author.name, "path": self.author_path(p)}
                            for p in sorted(authors.values(), key=lambda p: p.article.author.name)]}

    def pages(self) -> dict[str, Resource]:
        out = {}
        items = [self.item(p) for p in self.posts]
        for n, post in enumerate(self.posts):
            related = [self.item(p) for p in (self.posts[n + 1:] + self.posts[:n])[:5]]
            views = 200 + int(post.meta["id"]) % 4700
            out[post.path] = page(self.render(
                "a1/article.html", post=post, summary=summary(post.article.text, 160), related=related,
                author_path=self.author_path(post), views=f"{views:,}", **self.common(post.path)), post.updated)
            print_path = f"/print/article_{post.meta['id']}_{self.cat}.html"
            out[print_path] = page(self.render("a1/print.html", post=post), post.updated)
        pages = -(-len(items) // self.per_page)
        for n in range(1, pages + 1):
            chunk = items[(n - 1) * self.per_page: n * self.per_page]
            path = self.page_path(n)
            out[path] = page(self.render(
                "a1/category.html", items=chunk, page=n, pages=pages, total=len(items),
                first=(n - 1) * self.per_page + 1, last=(n - 1) * self.per_page + len(chunk),
                page_path=self.page_path, **self.common(path)), self.updated)
        out["/"] = page(self.render("a1/home.html", items=items[:10], **self.common("/")), self.updated)
        for key in {p.article.author.key for p in self.posts}:
            mine = [p for p in self.posts if p.article.author.key == key]
            path = self.author_path(mine[0])
            out[path] = page(self.render("a1/author.html", author=mine[0].article.author,
                                         items=[self.item(p) for p in mine], **self.common(path)),
                             max(p.updated for p in mine))
        for path, (heading, paragraphs) in self.info_pages.items():
            out[path] = page(self.render("a1/info.html", heading=heading, paragraphs=paragraphs,
                                         **self.common(path)), SITE_EPOCH)
        entries = [(p.path, p.updated) for p in self.posts] + [(self.page_path(n), self.updated)
                                                               for n in range(1, pages + 1)]
        out["/sitemap.xml"] = self.sitemap([("/", self.updated)] + entries)
        out["/robots.txt"] = self.robots(
            "User-agent: *\nDisallow: /print/\nDisallow: /admin/\nDisallow: /cgi-bin/\n\n"
            f"Sitemap: {self.url('/sitemap.xml')}\n")
        return out

    def not_found(self, path: str) -> Resource:
        return page(self.render("a1/not_found.html", self_path=path), SITE_EPOCH, 404)


# -- Blogger, classic template and Layouts -----------------------------------------------------

class BloggerRenderer(SiteRenderer):
    def __init__(self, *args):
        super().__init__(*args)
        self.kind = self.spec.kind
        self.blog_id = self.spec.config["blog_id"]
        self.labels = sorted({label for p in self.posts for label in p.meta.get("labels", ())})

    def post_html(self, post: Post) -> Markup:
        """The post body as Blogger stores it: the text with line breaks as <br />."""
        text = post.text
        source = self.source_url(post)
        if source and "Source: " not in text:
            text += "\n\nSource: " + source
            if self.spec.config.get("signature"):
                text += "\n" + self.spec.config["signature"]
        return Markup(str(linkify(text)).replace("\n", "<br />\n"))

    def post_summary(self, post: Post) -> str:
        return summary(post.text, 400)

    def months(self) -> list[dict]:
        seen: dict[str, dict] = {}
        for post in self.posts:
            key = f"{post.published:%Y_%m}"
            entry = seen.setdefault(key, {"path": f"/{key}_01_archive.html", "label": f"{post.published:%B %Y}",
                                          "name": f"{post.published:%B}", "year": post.published.year,
                                          "posts": []})
            entry["posts"].append(post)
        return list(seen.values())

    def blogroll(self) -> list[dict]:
        rolls = {
            "blogger-classic": [("EzineArticles: Network Marketing", "ezine", "/?cat=Home-Based-Business:Network-Marketing"),
                                ("A1Articles: Home Based Business", "a1articles", "/category_80.html"),
                                ("Network Marketing Success Tips", "blogger-layouts", "/"),
                                ("Direct Selling News", None, "http://www.directsellingnews.com/")],
            "blogger-layouts": [("Free Business Articles Blog", "blogger-classic", "/"),
                                ("The Home Business Mentor", "wordpress", "/"),
                                ("Downline Diaries (feed)", "blogger-layouts",
                                 f"/feeds/{self.spec.config.get('missing_blog_id')}/posts/default"),
                                ("Direct Selling Association", None, "http://www.dsa.org/")],
        }[self.kind]
        return [{"title": t, "url": (self.bases[s] + p) if s else p} for t, s, p in rolls]

    def chrome(self) -> dict:
        months = self.months()
        years = []
        for month in months:
            if not years or years[-1]["year"] != month["year"]:
                years.append({"year": month["year"], "months": [], "count": 0})
            years[-1]["months"].append(month)
            years[-1]["count"] += len(month["posts"])
        labels = [{"name": name, "count": sum(name in p.meta.get("labels", ()) for p in self.posts)}
                  for name in self.labels]
        return {"blog_id": self.blog_id, "recent": self.posts[:10], "months": months, "archive": years,
                "labels": labels, "blogroll": self.blogroll(), "post_html": self.post_html}

    def index(self, posts: list[Post], canonical: str, heading: str = "", status: str = "",
              older: str | None = None, newer: str | None = None) -> str:
        return self.render(f"{self.kind}/index.html", posts=posts, heading=heading, status=status,
                           older=older, newer=newer, canonical=canonical, **self.chrome())

    def older_link(self, shown: list[Post], remaining: list[Post], per_page: int, label: str = "") -> str | None:
        if not remaining:
            return None
        query = {"updated-max": iso_ms(shown[-1].published).replace(".000", ""), "max-results": per_page}
        return ("/search/label/" + quote(label) if label else "/search") + "?" + urlencode(query)

    def pages(self) -> dict[str, Resource]:
        out = {}
        chrome = self.chrome()
        for n, post in enumerate(self.posts):
            newer = self.posts[n - 1] if n > 0 else None
            older = self.posts[n + 1] if n + 1 < len(self.posts) else None
            out[post.path] = page(self.render(f"{self.kind}/post.html", post=post, newer=newer, older=older,
                                              canonical=post.path, **chrome), post.updated)
        shown = self.posts[: self.spec.config["posts_on_home"]]
        older = self.older_link(shown, self.posts[len(shown):], len(shown)) if self.kind == "blogger-layouts" else None
        out["/"] = page(self.index(shown, "/", older=older), self.updated)
        for month in self.months():
            posts = month["posts"]
            out[month["path"]] = page(self.index(posts, month["path"], heading=month["label"]),
                                      max(p.updated for p in posts))
        for post in self.posts:
            comments = [(c, post) for c in post.comments]
            out[f"/feeds/{post.meta['post_id']}/comments/default"] = page(self.render(
                "feeds/blogger-comments.xml", post=post, comments=comments, updated=post.updated,
                self_url=self.url(f"/feeds/{post.meta['post_id']}/comments/default"), blog_id=self.blog_id),
                post.updated, content_type=ATOM)
        every = sorted(((c, p) for p in self.posts for c in p.comments), key=lambda cp: cp[0].posted, reverse=True)
        out["/feeds/comments/default"] = page(self.render(
            "feeds/blogger-comments.xml", post=None, comments=every[:BLOGGER_DEFAULT_MAX_RESULTS],
            updated=self.updated, self_url=self.url("/feeds/comments/default"), blog_id=self.blog_id),
            self.updated, content_type=ATOM)
        if self.kind == "blogger-classic":
            robots_sitemap = self.url("/feeds/posts/default?orderby=updated")
        else:
            robots_sitemap = self.url("/sitemap.xml")
            out["/sitemap.xml"] = self.sitemap([(p.path, p.updated) for p in self.posts])
        out["/robots.txt"] = self.robots(
            "User-agent: Mediapartners-Google\nDisallow: \n\n"
            "User-agent: *\nDisallow: /search\nAllow: /\n\n"
            f"Sitemap: {robots_sitemap}\n")
        return out

    # feeds and searches take any parameters

    def feed(self, params: dict[str, str], summary_only: bool = False, rss: bool = False,
             path: str = "/feeds/posts/default") -> Resource:
        try:
            start = max(1, int(params.get("start-index", 1)))
            per_page = min(BLOGGER_MAX_RESULTS, max(0, int(params.get("max-results", BLOGGER_DEFAULT_MAX_RESULTS))))
        except ValueError:
            return page("Invalid start-index or max-results", SITE_EPOCH, 400, TEXT)
        posts = self.posts[start - 1: start - 1 + per_page]
        keep = {k: v for k, v in params.items() if k in ("alt", "orderby")}

        def link(index: int) -> str:
            return self.url(path) + "?" + urlencode({**keep, "start-index": index, "max-results": per_page})

        next_url = link(start + per_page) if per_page and start - 1 + per_page < len(self.posts) else None
        prev_url = link(max(1, start - per_page)) if start > 1 and per_page else None
        self_url = self.url(path) + ("?" + urlencode(params) if params else "")
        context = dict(posts=posts, total=len(self.posts), start=start, per_page=per_page, next_url=next_url,
                       prev_url=prev_url, self_url=self_url, labels=self.labels, updated=self.updated,
                       blog_id=self.blog_id, summary=summary_only, post_html=self.post_html,
                       post_summary=self.post_summary)
        if rss:
            return page(self.render("feeds/blogger-rss.xml", **context), self.updated, content_type=RSS)
        return page(self.render("feeds/blogger-atom.xml", **context), self.updated, content_type=ATOM)

    def search(self, params: dict[str, str], label: str = "") -> Resource:
        """/search and /search/label/X: posts by label, before `updated-max`, at most `max-results`."""
        posts = [p for p in self.posts if not label or label in p.meta.get("labels", ())]
        if "q" in params:
            posts = [p for p in posts if params["q"].lower() in (p.title + " " + p.text).lower()]
        for bound, keep in (("updated-max", lambda p, t: p.published < t), ("updated-min", lambda p, t: p.published >= t)):
            if bound in params:
                try:
                    when = datetime.fromisoformat(params[bound].replace(" ", "+"))
                except ValueError:
                    return self.not_found("/search")
                when = when if when.tzinfo else when.replace(tzinfo=timezone.utc)
                posts = [p for p in posts if keep(p, when)]
        try:
            per_page = max(1, min(BLOGGER_MAX_RESULTS, int(params.get("max-results", 20))))
        except ValueError:
            per_page = 20
        shown, rest = posts[:per_page], posts[per_page:]
        if label:
            status = f"Showing posts with label <b>{escape(label)}</b>. <a href=\"{self.url('/')}\">Show all posts</a>"
        elif "q" in params:
            status = f"Showing posts sorted by relevance for query <b>{escape(params['q'])}</b>."
        else:
            status = ""
        canonical = "/search" + (f"/label/{quote(label)}" if label else "")
        html = self.index(shown, canonical, heading=label or "", status=Markup(status),
                          older=self.older_link(shown, rest, per_page, label) if shown else None,
                          newer="/" if "updated-max" in params else None)
        return page(html, max((p.updated for p in shown), default=self.updated))

    def dynamic(self, path: str, params: dict[str, str]) -> Resource | None:
        feeds = {"/feeds/posts/default": False, "/feeds/posts/summary": True, f"/feeds/{self.blog_id}/posts/default": False}
        if path in feeds:
            return self.feed(params, summary_only=feeds[path], rss=params.get("alt") == "rss", path=path)
        if path in ("/atom.xml", "/rss.xml") and self.kind == "blogger-classic":
            return self.feed(params, rss=path == "/rss.xml", path=path)
        if re.fullmatch(r"/feeds/\d+/posts/(default|summary)", path):
            return page(self.render("errors/blog-not-found.html", name="downlinediaries"), SITE_EPOCH, 404)
        if path == "/search":
            return self.search(params)
        if path.startswith("/search/label/"):
            return self.search(params, label=path[len("/search/label/"):])
        return None

    def fallback(self, path: str, pages: dict[str, Resource]) -> Resource | None:
        # Blogger serves a post page for any query (?showComment=..., ?m=1).
        return pages.get(path) if path.endswith(".html") else None

    def not_found(self, path: str) -> Resource:
        if self.kind == "blogger-classic":
            return page(self.render("blogger-classic/not_found.html", **self.chrome()), SITE_EPOCH, 404)
        return page(self.index([], path, status="Sorry, the page you were looking for in this blog does not exist."),
                    SITE_EPOCH, 404)


# -- WordPress (Twenty Ten, WordPress 3.x) -----------------------------------------------------

class WordPressRenderer(SiteRenderer):
    about = [
        "I'm Mike Dawson. I spent 22 years in corporate sales before I started my own home business in 2006, "
        "and I have been in network marketing ever since.",
        "This blog collects the best articles I find on building a home business honestly, along with what I "
        "have learned the hard way. Many of the articles here come from the authors of the big article "
        "directories and are republished with their resource boxes.",
        "You can reach me through the comment form on any post.",
    ]

    def __init__(self, *args):
        super().__init__(*args)
        self.per_page = self.spec.config["posts_per_page"]
        self.per_rss = self.spec.config["posts_per_rss"]
        names = sorted({c for p in self.posts for c in p.meta.get("categories", ())})
        self.categories = {n: {"id": 3 + i, "name": n, "slug": wordpress_slug(n),
                               "path": f"/category/{wordpress_slug(n)}/"} for i, n in enumerate(names)}
        tags = sorted({t for p in self.posts for t in p.article.tags})
        self.tags = {t: {"id": 20 + i, "name": t, "slug": wordpress_slug(t), "path": f"/tag/{wordpress_slug(t)}/"}
                     for i, t in enumerate(tags)}
        self.by_id = {str(c.id): (c, p) for p in self.posts for c in p.comments}

    # template helpers

    def post_categories(self, post: Post) -> list[dict]:
        return [self.categories[c] for c in post.meta.get("categories", ())]

    def post_tags(self, post: Post) -> list[dict]:
        return [self.tags[t] for t in post.article.tags]

    def post_class(self, post: Post) -> str:
        cats = " ".join("category-" + c["slug"] for c in self.post_categories(post))
        tags = " ".join("tag-" + t["slug"] for t in self.post_tags(post))
        return f"post-{post.meta['id']} post type-post status-publish format-standard hentry {cats} {tags}".strip()

    def post_html(self, post: Post, teaser: bool = False) -> Markup:
        blocks = post.text.split("\n\n")
        parts = []
        for n, block in enumerate(blocks):
            if teaser and n == WP_MORE_AFTER:
                parts.append(f'<p> <a href="{self.url(post.path)}#more-{post.meta["id"]}" class="more-link">'
                             f'Continue reading <span class="meta-nav">&rarr;</span></a></p>')
                break
            anchor = f'<span id="more-{post.meta["id"]}"></span>' if n == WP_MORE_AFTER else ""
            inner = str(linkify(block)).replace("\n", "<br />\n")
            if block == "About the Author":
                parts.append(f"<p>{anchor}<strong>{inner}</strong></p>")
            else:
                parts.append(f"<p>{anchor}{inner}</p>")
        else:
            source = self.source_url(post)
            if source:
                parts.append(f'<p>Article Source: <a href="{escape(source)}">{escape(source)}</a></p>')
        return Markup("\n".join(parts))

    def post_excerpt(self, post: Post) -> str:
        words = post.text.split()
        return " ".join(words[:WP_EXCERPT_WORDS])

    def comment_link(self, comment: Comment, post: Post | None = None) -> str:
        post = post or self.by_id[str(comment.id)][1]
        where = f"{post.path}comment-page-{comment.page}/" if post.extra_paths else post.path
        return f"{where}#comment-{comment.id}"

    def comment_classes(self, post: Post, comments: list[Comment]) -> dict[str, str]:
        """WordPress's comment_class() for a page: even/odd over all, thread-even/odd over threads."""
        classes, n, thread = {}, 0, 0
        author_url = self.spec.config["author"]["url"]
        for c in comments:
            parity = "even" if n % 2 == 0 else "odd alt"
            extra = ""
            if c.depth == 1:
                extra = " thread-even" if thread % 2 == 0 else " thread-odd thread-alt"
                thread += 1
            by_author = " byuser comment-author-mike bypostauthor" if c.by_author and c.url == author_url else ""
            parent = " parent" if any(x.parent == c.id for x in post.comments) else ""
            classes[c.id] = f"comment{by_author} {parity}{extra} depth-{c.depth}{parent}"
            n += 1
        return classes

    def months(self) -> list[dict]:
        seen = {}
        for post in self.posts:
            seen.setdefault(f"/{post.published:%Y/%m}/", f"{post.published:%B %Y}")
        return [{"path": p, "label": label} for p, label in seen.items()]

    def blogroll(self) -> list[dict]:
        links = []
        for link in self.spec.config["links"]:
            if "path" in link:
                url = self.url(link["path"])
            elif "site" in link:
                url = self.bases[link["site"]] + "/"
            else:
                url = link["url"]
            links.append({"title": link["title"], "url": url})
        return links

    def chrome(self) -> dict:
        recent = sorted(((c, p) for p in self.posts for c in p.comments if c.kind == "comment"),
                        key=lambda cp: cp[0].posted, reverse=True)[:5]
        return {
            "recent": self.posts[:5], "months": self.months(), "blogroll": self.blogroll(),
            "categories": sorted(self.categories.values(), key=lambda c: c["name"]),
            "recent_comments": [{"author": c.author, "url": c.url, "title": p.title,
                                 "link": self.comment_link(c, p)} for c, p in recent],
            "post_html": self.post_html, "post_categories": self.post_categories, "post_tags": self.post_tags,
            "post_class": self.post_class, "is_home": False,
        }

    def listing(self, posts: list[Post], base_path: str, heading: str = "", body_class: str = "archive",
                is_home: bool = False) -> dict[str, Resource]:
        out = {}
        pages = max(1, -(-len(posts) // self.per_page))
        for n in range(1, pages + 1):
            path = base_path if n == 1 else f"{base_path}page/{n}/"
            chunk = posts[(n - 1) * self.per_page: n * self.per_page]
            older = f"{base_path}page/{n + 1}/" if n < pages else None
            newer = (base_path if n == 2 else f"{base_path}page/{n - 1}/") if n > 1 else None
            context = self.chrome()
            context["is_home"] = is_home and n == 1
            html = self.render("wordpress/index.html", posts=chunk, heading=Markup(heading),
                               heading_plain=re.sub(r"<[^>]+>", "", heading), older=older, newer=newer,
                               body_class=body_class if not is_home else "home blog", **context)
            out[path] = page(html, max(p.updated for p in chunk), headers=self.headers())
        return out

    def headers(self, post: Post | None = None) -> tuple[tuple[str, str], ...]:
        headers = [("X-Powered-By", "PHP/5.3.10-1ubuntu3.1"), ("X-Pingback", self.url("/xmlrpc.php"))]
        if post is not None:
            headers.append(("Link", f"<{self.url('/?p=' + str(post.meta['id']))}>; rel=shortlink"))
        return tuple(headers)

    def single(self, post: Post, n: int, comment_page: int) -> str:
        pages = post.meta.get("comment_pages", 1)
        top = [c for c in post.comments if c.depth == 1 and (pages == 1 or c.page == comment_page)]
        shown = [c for c in post.comments if pages == 1 or c.page == comment_page]
        classes = self.comment_classes(post, shown)
        prev_post = self.posts[n + 1] if n + 1 < len(self.posts) else None
        next_post = self.posts[n - 1] if n > 0 else None
        canonical = post.path if comment_page == 1 else f"{post.path}comment-page-{comment_page}/"
        return self.render(
            "wordpress/single.html", post=post, prev_post=prev_post, next_post=next_post, pages=pages,
            comment_page=comment_page, top_comments=top, canonical=canonical,
            comment_class=lambda c, _n=0: classes[c.id],
            replies_of=lambda c: [x for x in shown if x.parent == c.id],
            comment_link=self.comment_link, **self.chrome())

    def rss(self, posts: list[Post], self_url: str) -> Resource:
        return page(self.render("feeds/wordpress-rss2.xml", posts=posts, self_url=self_url, updated=self.updated,
                                post_html=self.post_html, post_excerpt=self.post_excerpt,
                                post_categories=self.post_categories, post_tags=self.post_tags),
                    max((p.updated for p in posts), default=self.updated), content_type=RSS)

    def comment_rss(self, post: Post | None) -> Resource:
        if post is None:
            comments = sorted(((c, p) for p in self.posts for c in p.comments), key=lambda cp: cp[0].posted,
                              reverse=True)[: self.per_rss * 2]
            self_url, updated = self.url("/comments/feed/"), self.updated
        else:
            comments = [(c, post) for c in post.comments]
            self_url, updated = self.url(post.path + "feed/"), post.updated
        return page(self.render("feeds/wordpress-comments.xml", post=post, comments=comments, self_url=self_url,
                                updated=updated, comment_link=self.comment_link), updated, content_type=RSS)

    def pages(self) -> dict[str, Resource]:
        out = {}
        for n, post in enumerate(self.posts):
            pages = post.meta.get("comment_pages", 1)
            out[post.path] = page(self.single(post, n, 1), post.updated, headers=self.headers(post))
            for cp in range(1, pages + 1) if pages > 1 else ():
                out[f"{post.path}comment-page-{cp}/"] = page(self.single(post, n, cp), post.updated,
                                                              headers=self.headers(post))
            out[f"{post.path}feed/"] = self.comment_rss(post)
            out[f"/?p={post.meta['id']}"] = redirect(self.url(post.path), post.updated)
        out.update(self.listing(self.posts, "/", is_home=True))
        for cat in self.categories.values():
            posts = [p for p in self.posts if cat["name"] in p.meta.get("categories", ())]
            out.update(self.listing(posts, cat["path"], f"Category Archives: <span>{escape(cat['name'])}</span>",
                                    f"archive category category-{cat['slug']}"))
        for tag in self.tags.values():
            posts = [p for p in self.posts if tag["name"] in p.article.tags]
            out.update(self.listing(posts, tag["path"], f"Tag Archives: <span>{escape(tag['name'])}</span>",
                                    f"archive tag tag-{tag['slug']}"))
        for month in self.months():
            posts = [p for p in self.posts if f"/{p.published:%Y/%m}/" == month["path"]]
            out.update(self.listing(posts, month["path"], f"Monthly Archives: <span>{month['label']}</span>",
                                    "archive date"))
        author = self.spec.config["author"]
        out.update(self.listing(self.posts, f"/author/{author['login']}/",
                                f"Author Archives: <span class='vcard'>{escape(author['name'])}</span>",
                                f"archive author author-{author['login']}"))
        out["/about/"] = page(self.render("wordpress/page.html", heading="About", paragraphs=self.about,
                                          canonical="/about/", **self.chrome()), SITE_EPOCH, headers=self.headers())
        out["/comments/feed/"] = self.comment_rss(None)
        out["/wp-login.php"] = page(self.render("wordpress/login.html"), SITE_EPOCH)
        entries = [("/", self.updated)] + [(p.path, p.updated) for p in self.posts] + [("/about/", SITE_EPOCH)]
        out["/sitemap.xml"] = self.sitemap(entries)
        out["/robots.txt"] = self.robots(
            "User-agent: *\nDisallow: /wp-admin/\nDisallow: /wp-includes/\nDisallow: /wp-login.php\n\n"
            f"Sitemap: {self.url('/sitemap.xml')}\n")
        out.update(self.error_pages())
        return out

    def error_pages(self) -> dict[str, Resource]:
        out = {}
        rows = {path: kind for site, path, kind, _, _ in error_pages(self.corpus) if site == self.spec.key}
        for path, kind in rows.items():
            if kind == "not-found":
                continue  # the ordinary 404 page answers it
            if kind == "gone":
                host, port = self.base.split("//")[1].split(":")
                out[path] = page(self.render("errors/apache-410.html", path=path, server=self.spec.server,
                                             host=host, port=port), SITE_EPOCH, 410)
            elif kind == "server-error":
                out[path] = page(self.render("errors/database-error.html"), SITE_EPOCH, 500)
            elif kind == "redirect-loop":
                out[path] = redirect(self.url(path + "index.html"), SITE_EPOCH, 302)
                out[path + "index.html"] = redirect(self.url(path), SITE_EPOCH, 302)
            elif kind == "pdf":
                out[path] = Resource(200, "application/pdf", (STATIC / "compensation-plans-explained.pdf").read_bytes(),
                                     datetime(2011, 8, 15, tzinfo=timezone.utc), (("Accept-Ranges", "bytes"),))
        return out

    # feeds and the REST API take any parameters

    def rest_error(self, code: str, message: str) -> Resource:
        body = json.dumps({"code": code, "message": message, "data": {"status": 400}})
        return page(body, SITE_EPOCH, 400, JSON_TYPE)

    def rest_page(self, rows: list, params: dict[str, str], route: str) -> Resource:
        try:
            n = int(params.get("page", 1))
            per_page = int(params.get("per_page", WP_REST_DEFAULT_PER_PAGE))
        except ValueError:
            return self.rest_error("rest_invalid_param", "Invalid parameter(s): page")
        if not 1 <= per_page <= WP_REST_MAX_PER_PAGE:
            return self.rest_error("rest_invalid_param", "Invalid parameter(s): per_page")
        pages = max(1, -(-len(rows) // per_page))
        if n < 1 or (n > pages and rows):
            return self.rest_error("rest_post_invalid_page_number",
                                   "The page number requested is larger than the number of pages available.")
        chunk = rows[(n - 1) * per_page: n * per_page]
        headers = [("X-WP-Total", str(len(rows))), ("X-WP-TotalPages", str(pages))]
        keep = {k: v for k, v in params.items() if k not in ("page",)}
        links = []
        if n > 1:
            links.append(f'<{self.url(route)}?{urlencode({**keep, "page": n - 1})}>; rel="prev"')
        if n < pages:
            links.append(f'<{self.url(route)}?{urlencode({**keep, "page": n + 1})}>; rel="next"')
        if links:
            headers.append(("Link", ", ".join(links)))
        body = json.dumps(chunk, ensure_ascii=False, separators=(",", ":"))
        return page(body, self.updated, content_type=JSON_TYPE, headers=tuple(headers))

    def rest_post(self, post: Post) -> dict:
        local = post.published.replace(tzinfo=None).isoformat()
        gmt = post.published.astimezone(timezone.utc).replace(tzinfo=None).isoformat()
        return {
            "id": post.meta["id"], "date": local, "date_gmt": gmt,
            "guid": {"rendered": self.url(f"/?p={post.meta['id']}")},
            "modified": local, "modified_gmt": gmt, "slug": post.meta["slug"], "status": "publish", "type": "post",
            "link": self.url(post.path), "title": {"rendered": str(escape(post.title))},
            "content": {"rendered": str(self.post_html(post)), "protected": False},
            "excerpt": {"rendered": f"<p>{escape(self.post_excerpt(post))} [&hellip;]</p>\n", "protected": False},
            "author": 1, "comment_status": "open", "ping_status": "open", "sticky": False, "format": "standard",
            "categories": [c["id"] for c in self.post_categories(post)],
            "tags": [t["id"] for t in self.post_tags(post)],
        }

    def rest_comment(self, comment: Comment, post: Post) -> dict:
        local = comment.posted.replace(tzinfo=None).isoformat()
        return {
            "id": int(comment.id), "post": post.meta["id"], "parent": int(comment.parent or 0),
            "author": 1 if comment.by_author else 0, "author_name": comment.author,
            "author_url": comment.url or "", "date": local,
            "date_gmt": comment.posted.astimezone(timezone.utc).replace(tzinfo=None).isoformat(),
            "content": {"rendered": str(comment_paras(comment.html)) + "\n"},
            "link": self.url(self.comment_link(comment, post)), "status": "approved", "type": comment.kind
            if comment.kind != "comment" else "comment",
        }

    def dynamic(self, path: str, params: dict[str, str]) -> Resource | None:
        if path == "/feed/":
            try:
                n = int(params.get("paged", 1))
            except ValueError:
                n = 1
            chunk = self.posts[(n - 1) * self.per_rss: n * self.per_rss]
            if n < 1 or not chunk:
                return self.not_found(path)
            self_url = self.url("/feed/") + (f"?paged={n}" if n > 1 else "")
            return self.rss(chunk, self_url)
        if path == "/wp-json/wp/v2/posts":
            return self.rest_page([self.rest_post(p) for p in self.posts], params, path)
        if path == "/wp-json/wp/v2/comments":
            rows = [(c, p) for p in self.posts for c in p.comments
                    if "post" not in params or str(p.meta["id"]) == params["post"]]
            rows.sort(key=lambda cp: cp[0].posted, reverse=True)
            return self.rest_page([self.rest_comment(c, p) for c, p in rows], params, path)
        if path == "/" and "s" in params:
            query = params["s"].lower()
            found = [p for p in self.posts if query in (p.title + " " + p.text).lower()]
            if not found:
                return self.not_found(path)
            listing = self.listing(found, "/", f"Search Results for: <span>{escape(params['s'])}</span>", "search")
            return listing["/"]
        return None

    def fallback(self, path: str, pages: dict[str, Resource]) -> Resource | None:
        # WordPress ignores query strings it does not know (?replytocom=..., ?share=...).
        return pages.get(path)

    def not_found(self, path: str) -> Resource:
        html = self.render("wordpress/not_found.html", heading="Not Found",
                           message="Apologies, but the page you requested could not be found. "
                                   "Perhaps searching will help.", **self.chrome())
        return page(html, SITE_EPOCH, 404, headers=self.headers())


RENDERERS = {
    "ezine": EzineRenderer,
    "a1": A1Renderer,
    "blogger-classic": BloggerRenderer,
    "blogger-layouts": BloggerRenderer,
    "wordpress": WordPressRenderer,
}


def renderer_for(spec: SiteSpec, corpus: Corpus, bases: dict[str, str]) -> SiteRenderer:
    return RENDERERS[spec.kind](spec, corpus, bases)
