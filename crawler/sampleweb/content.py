"""The sample web's content as data: articles, where each appears, its damage and its comments.

`load_corpus()` reads `content/` and `sites.yml` once and composes every article page (the
directory originals and the blog copies with their corruptions); `render.py` turns it into
HTML and feeds, and `load_truth()` exposes it to tests as plain, JSON-ready records.
"""

from __future__ import annotations

import functools
import hashlib
import html
import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

import yaml

from crawler.sampleweb import corrupt

PACKAGE = Path(__file__).resolve().parent
CONTENT = PACKAGE / "content"
SITES_FILE = PACKAGE / "sites.yml"

# The ezine-style directory's article URL: "/?Title-Words&id=1234567".
EZINE_SLUG_RE = re.compile(r"[^A-Za-z0-9]+")
# Blogger drops these words from a post's URL unless they start the title.
BLOGGER_DROPPED_WORDS = frozenset({"a", "an", "the"})
# Blogger cut post slugs at a word boundary at or under this many characters.
BLOGGER_SLUG_MAX = 39
TAG_RE = re.compile(r"<[^>]+>")
ANCHOR_RE = re.compile(r'<a\s[^>]*href="(https?://[^"]+)"[^>]*>(.*?)</a>', re.S | re.I)


@dataclass(frozen=True)
class Author:
    key: str
    name: str
    website: str
    bio: str


@dataclass(frozen=True)
class Article:
    """One article as its author wrote it (the clean text a directory publishes)."""

    id: str
    title: str
    author: Author
    date: date
    tags: tuple[str, ...]
    paragraphs: tuple[str, ...]
    bio: str
    copyright: str | None
    example: str | None  # the file name in content/verbatim/ when this is one of the two examples

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)

    @property
    def word_count(self) -> int:
        return len(self.text.split())


def _plain(markup: str) -> str:
    """Markup as text: tags dropped, entities decoded."""
    return html.unescape(TAG_RE.sub("", markup))


@dataclass
class Comment:
    """One comment as shown under a post. `spam` is ground truth, never rendered."""

    id: str
    author: str
    url: str | None
    posted: datetime
    html: str  # the body as authored: text with line breaks, may hold <a> links
    spam: bool = False
    deleted: bool = False
    kind: str = "comment"  # or "pingback"
    profile: str = "openid"  # Blogger: blogger | openid | anonymous
    parent: str | None = None
    depth: int = 1
    by_author: bool = False
    page: int = 1  # WordPress comment page it is shown on
    parent_ref: Comment | None = field(default=None, repr=False, compare=False)

    @property
    def text(self) -> str:
        """The body as the corpus keeps it: tags dropped, entities decoded, and each link's target
        after its text as "text <url>" unless the text already shows it."""
        if self.deleted:
            return "This comment has been removed by the author."

        parts, last = [], 0
        for m in ANCHOR_RE.finditer(self.html):
            href, label = html.unescape(m.group(1)), _plain(m.group(2))
            parts += [_plain(self.html[last:m.start()]), label if href.rstrip("/") in label else f"{label} <{href}>"]
            last = m.end()
        return "".join(parts + [_plain(self.html[last:])]).strip()


@dataclass
class Post:
    """One article page on one site: a directory original, a duplicate, or a blog copy."""

    site: str
    article: Article
    role: str  # "original" | "duplicate" | "copy"
    path: str
    title: str
    published: datetime
    byline: str  # the name the page shows as author or poster
    text: str  # the post's text as shown, without its "Source:" line and signature
    body: str  # the article's own text as shown: no intro, resource box or copyright line
    source_site: str | None = None
    source_path: str | None = None
    source_literal: str | None = None  # a "Source:" URL written out, not pointing at our server
    corruptions: dict[str, int] = field(default_factory=dict)
    comments: list[Comment] = field(default_factory=list)
    extra_paths: list[str] = field(default_factory=list)
    meta: dict = field(default_factory=dict)
    modified: datetime | None = None  # when the post was last edited (SampleWeb.edit_post)

    @property
    def updated(self) -> datetime:
        """When the page last changed: its newest comment or edit, else its publication."""
        edits = [self.modified] if self.modified else []
        return max([self.published] + [c.posted for c in self.comments] + edits)


@dataclass
class SiteSpec:
    key: str
    kind: str
    platform: str
    name: str
    public_host: str
    server: str
    config: dict
    posts: list[Post] = field(default_factory=list)


@dataclass
class Corpus:
    authors: dict[str, Author]
    articles: dict[str, Article]
    sites: list[SiteSpec]

    def site(self, key: str) -> SiteSpec:
        return next(s for s in self.sites if s.key == key)

    def original(self, site_key: str, article_id: str) -> Post:
        return next(p for p in self.site(site_key).posts if p.article.id == article_id)


# -- paths -------------------------------------------------------------------------------------

def ezine_slug(title: str) -> str:
    """EzineArticles' URL words: every run of punctuation and spaces becomes one hyphen.

    >>> ezine_slug("Attraction Marketing: Why Chasing Prospects Never Works")
    'Attraction-Marketing-Why-Chasing-Prospects-Never-Works'
    """
    return EZINE_SLUG_RE.sub("-", title).strip("-")


def blogger_slug(title: str) -> str:
    """A Blogger post slug: lower-case words, articles dropped after the first, cut at 39 characters.

    >>> blogger_slug("MLM Leadership -Why Your Upline Will Always Fail You No Matter What.")
    'mlm-leadership-why-your-upline-will'
    >>> blogger_slug("The top 6 BuzzFeed Posts from the last 2 weeks.")
    'the-top-6-buzzfeed-posts-from-last-2'
    """
    words = re.findall(r"[a-z0-9]+", title.lower().replace("’", "").replace("'", ""))
    words = words[:1] + [w for w in words[1:] if w not in BLOGGER_DROPPED_WORDS]
    slug = words[0]
    for word in words[1:]:
        if len(slug) + 1 + len(word) > BLOGGER_SLUG_MAX:
            break
        slug += "-" + word
    return slug


def wordpress_slug(title: str) -> str:
    """WordPress's sanitize_title: lower case, apostrophes dropped, other punctuation to hyphens.

    >>> wordpress_slug("Article Marketing for Your Home Based Business: A Beginner's Guide")
    'article-marketing-for-your-home-based-business-a-beginners-guide'
    """
    text = title.lower().replace("'", "").replace("’", "")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def stable_number(*parts: object, digits: int = 19) -> str:
    """A deterministic decimal id of `digits` digits (Blogger post and comment ids)."""
    value = int(hashlib.sha1(":".join(map(str, parts)).encode()).hexdigest(), 16)
    low = 10 ** (digits - 1)
    return str(low + value % (9 * low))


def parse_time(value: str) -> datetime:
    """An ISO 8601 time with its UTC offset (dates alone become midnight UTC)."""
    parsed = datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


# -- loading -----------------------------------------------------------------------------------

def _front_matter(path: Path) -> tuple[dict, str]:
    raw = path.read_text(encoding="utf-8")
    if not raw.startswith("---\n"):
        raise ValueError(f"{path}: no YAML front matter")
    _, meta, body = raw.split("---\n", 2)
    return yaml.safe_load(meta), body.strip("\n")


def load_authors() -> dict[str, Author]:
    data = yaml.safe_load((CONTENT / "authors.yml").read_text(encoding="utf-8"))
    return {key: Author(key, v["name"], v["website"], v["bio"]) for key, v in data.items()}


def load_articles(authors: dict[str, Author]) -> dict[str, Article]:
    articles = {}
    for path in sorted((CONTENT / "articles").glob("*.md")):
        meta, body = _front_matter(path)
        author = authors[meta["author"]]
        articles[path.stem] = Article(
            id=path.stem, title=meta["title"], author=author, date=date.fromisoformat(meta["date"]),
            tags=tuple(meta.get("tags", ())), paragraphs=tuple(p.strip() for p in body.split("\n\n")),
            bio=meta.get("bio", author.bio), copyright=meta.get("copyright"), example=meta.get("example"))
    return articles


def _comments(site_key: str, post_key: str, entries: list[dict], numbering: str) -> list[Comment]:
    """Comments of one post in page order: each top-level comment followed by its replies."""
    comments, by_key = [], {}
    for n, entry in enumerate(entries or ()):
        cid = stable_number(site_key, post_key, "comment", n) if numbering == "blogger" else ""
        comment = Comment(
            id=cid, author=entry["author"], url=entry.get("url"), posted=parse_time(entry["posted"]),
            html=entry.get("body", ""), spam=bool(entry.get("spam", False)), deleted=bool(entry.get("deleted")),
            kind=entry.get("type", "comment"), profile=entry.get("profile", "openid"),
            by_author=bool(entry.get("blog_author") or entry.get("by_post_author")))
        parent = by_key.get(entry.get("reply_to"))
        if parent is not None:
            comment.parent_ref, comment.depth = parent, parent.depth + 1
        if "key" in entry:
            by_key[entry["key"]] = comment
        comments.append(comment)
    ordered: list[Comment] = []

    def add(c: Comment) -> None:
        ordered.append(c)
        for child in comments:
            if child.parent_ref is c:
                add(child)

    for c in comments:
        if c.parent_ref is None:
            add(c)
    return ordered


def _compose_copy(site_kind: str, article: Article, entry: dict) -> tuple[str, str, dict[str, int]]:
    """A blog copy's text before its "Source:" line, and its body: the article, damaged as `entry` says."""
    found: dict[str, int] = {}
    paragraphs = list(article.paragraphs)
    if entry.get("spin"):
        spun, found["spin"] = corrupt.spin("\n\n".join(paragraphs), entry["spin"])
        paragraphs = spun.split("\n\n")
    if entry.get("abridge"):
        paragraphs = paragraphs[: entry["abridge"]]
        found["abridged"] = 1
    blocks = paragraphs + (["About the Author", article.bio] if site_kind == "wordpress" else [article.bio])
    if article.copyright:
        blocks.append(article.copyright)
    text = "\n\n".join(blocks)
    if entry.get("edits"):
        text, found["split"] = corrupt.apply_edits(text, entry["edits"])
    if entry.get("question"):
        text, found["question"] = corrupt.lose_chars(text)
    if entry.get("bang"):
        text, found["bang"] = corrupt.gateway_bangs(text, entry["bang"]["every"], entry["bang"]["first"])
    if entry.get("mojibake"):
        text, found["mojibake"] = corrupt.mojibake(text)
    # Every damage keeps the blank lines between blocks, so the body is the first blocks.
    body = "\n\n".join(text.split("\n\n")[: len(paragraphs)])
    if entry.get("intro"):
        text = entry["intro"].strip() + "\n\n" + text
    return text, body, {k: v for k, v in found.items() if v}


def _verbatim(article: Article, file_name: str) -> tuple[str, str, dict[str, int]]:
    """An example text as published: the body after its title (and date), before its comments."""
    raw = (CONTENT / "verbatim" / file_name).read_text(encoding="utf-8")
    start = raw.index(article.paragraphs[0][:20])
    end = raw.find("\n\n1 Comments:")
    text = raw[start: end if end > 0 else len(raw)].rstrip("\n")
    found = {
        "bang": len(re.findall(r"\w! \w|\(! \w", text)),
        "question": len(re.findall(r"\w\?\w| \? |\?  ?[a-z]", text)),
        "split": len(re.findall(r"\b(?:specia l|you r)\b", text)),
    }
    bio_at = text.find(article.bio[:40])
    body = text[:bio_at].rstrip("\n") if bio_at > 0 else text
    return text, body, {k: v for k, v in found.items() if v}


def _directory_posts(spec: SiteSpec, articles: dict[str, Article]) -> None:
    for entry in spec.config["articles"]:
        article = articles[entry["article"]]
        if spec.kind == "ezine":
            path = f"/?{ezine_slug(article.title)}&id={entry['id']}"
        else:
            path = f"/article_{entry['id']}_{spec.config['category_id']}.html"
        day = date.fromisoformat(entry["date"]) if "date" in entry else article.date
        spec.posts.append(Post(
            site=spec.key, article=article, role="original", path=path, title=article.title,
            published=datetime(day.year, day.month, day.day, tzinfo=timezone.utc), byline=article.author.name,
            text=article.text, body=article.text, meta={"id": entry["id"]}))


def _blog_posts(spec: SiteSpec, articles: dict[str, Article]) -> None:
    for entry in spec.config["posts"]:
        article = articles[entry["article"]]
        published = parse_time(entry["published"])
        if entry.get("verbatim"):
            text, body, found = _verbatim(article, entry["verbatim"])
        else:
            text, body, found = _compose_copy(spec.kind, article, entry)
        meta = {k: entry[k] for k in ("labels", "categories", "id", "intro") if k in entry}
        if spec.platform == "blogger":
            meta["post_id"] = stable_number(spec.key, article.id)
            path = f"/{published:%Y/%m}/{blogger_slug(article.title)}.html"
            byline = spec.config["author"]
        else:
            meta["slug"] = wordpress_slug(article.title)
            path = f"/{published:%Y/%m}/{meta['slug']}/"
            byline = spec.config["author"]["name"]
        numbering = "blogger" if spec.platform == "blogger" else "wordpress"
        spec.posts.append(Post(
            site=spec.key, article=article, role="copy", path=path, title=article.title, published=published,
            byline=byline, text=text, body=body, source_site=entry.get("source"), source_literal=entry.get("source_url"),
            corruptions=found, comments=_comments(spec.key, article.id, entry.get("comments"), numbering),
            meta=meta))


def _number_wordpress_comments(spec: SiteSpec) -> None:
    """WordPress ids: one sequence over the site in order of posting; pages of top-level threads."""
    every = [c for post in spec.posts for c in post.comments]
    for n, comment in enumerate(sorted(every, key=lambda c: c.posted)):
        comment.id = str(1043 + 7 * n)
    per_page = spec.config["comments_per_page"]
    for post in spec.posts:
        page, top = 1, 0
        for comment in post.comments:
            if comment.depth == 1:
                top += 1
                page = (top - 1) // per_page + 1
            comment.page = page
        pages = max((c.page for c in post.comments), default=1)
        post.meta["comment_pages"] = pages
        post.extra_paths = [f"{post.path}comment-page-{n}/" for n in range(1, pages + 1)] if pages > 1 else []


def _link_parents(spec: SiteSpec) -> None:
    for post in spec.posts:
        for comment in post.comments:
            comment.parent = comment.parent_ref.id if comment.parent_ref else None


def _resolve_sources(corpus: Corpus) -> None:
    for spec in corpus.sites:
        for post in spec.posts:
            if post.source_site:
                post.source_path = corpus.original(post.source_site, post.article.id).path


def _mark_duplicates(corpus: Corpus) -> None:
    """A directory article also published, clean, by another directory is a duplicate there."""
    seen: set[str] = set()
    for spec in corpus.sites:
        for post in spec.posts:
            if post.role == "original":
                if post.article.id in seen:
                    post.role = "duplicate"
                seen.add(post.article.id)


@functools.lru_cache(maxsize=1)
def load_corpus() -> Corpus:
    """Everything the sample web serves, composed once (it is immutable afterwards)."""
    authors = load_authors()
    articles = load_articles(authors)
    config = yaml.safe_load(SITES_FILE.read_text(encoding="utf-8"))
    sites = []
    for entry in config["sites"]:
        spec = SiteSpec(key=entry["key"], kind=entry["kind"], platform=entry["platform"], name=entry["name"],
                        public_host=entry["public_host"], server=entry["server"], config=entry)
        if spec.platform == "directory":
            _directory_posts(spec, articles)
        else:
            _blog_posts(spec, articles)
        if spec.platform == "wordpress":
            _number_wordpress_comments(spec)
        _link_parents(spec)
        sites.append(spec)
    corpus = Corpus(authors, articles, sites)
    _resolve_sources(corpus)
    _mark_duplicates(corpus)
    return corpus


# -- ground truth for tests --------------------------------------------------------------------

@dataclass(frozen=True)
class TruthComment:
    id: str
    site: str
    page: str  # path of the article page it belongs to
    comment_page: str  # path of the page it is shown on (WordPress comment pages differ)
    author: str
    author_url: str | None
    posted: str  # ISO 8601 with offset
    body: str  # the text a reader sees
    spam: bool
    deleted: bool
    kind: str  # "comment" | "pingback"
    parent: str | None


@dataclass(frozen=True)
class TruthPage:
    site: str
    platform: str
    path: str
    url: str | None  # absolute, when the server's start URLs are known
    article: str  # article id
    role: str  # "original" | "duplicate" | "copy"
    title: str
    author: str  # who wrote the article
    byline: str  # who the page names as its author or poster
    published: str  # ISO 8601 (directories: the submission date)
    text: str  # the post text as shown (damage included), without its Source line and signature
    body: str  # the article body alone as shown (damage included): no intro, resource box, copyright
    source_site: str | None
    source_path: str | None
    source_url: str | None  # what the page's "Source:" line says, when known
    corruptions: dict
    comment_count: int
    comment_pages: tuple[str, ...]  # more pages holding this article's comments (WordPress)
    example: str | None


@dataclass(frozen=True)
class TruthArticle:
    id: str
    title: str
    author: str
    published: str
    tags: tuple[str, ...]
    word_count: int
    text: str  # the clean text (no resource box)
    bio: str
    example: str | None
    sites: tuple[str, ...]
    paths: tuple[tuple[str, str], ...]  # (site, path) of every page carrying it


@dataclass(frozen=True)
class TruthError:
    site: str
    path: str
    url: str | None
    kind: str  # not-found | gone | server-error | redirect-loop | pdf | captcha | blog-not-found
    status: int
    linked_from: str  # where a crawler finds it


@dataclass(frozen=True)
class Truth:
    articles: tuple[TruthArticle, ...]
    pages: tuple[TruthPage, ...]
    comments: tuple[TruthComment, ...]
    errors: tuple[TruthError, ...]
    blocked: tuple[dict, ...]  # articles listed by a directory whose page is an anti-bot block

    def article(self, article_id: str) -> TruthArticle:
        return next(a for a in self.articles if a.id == article_id)

    def page(self, site: str, path: str) -> TruthPage:
        return next(p for p in self.pages if p.site == site and p.path == path)

    def to_dict(self) -> dict:
        return asdict(self)


ERROR_PAGES = (
    # site, path, kind, status, linked_from
    ("wordpress", "/glossary/", "not-found", 404, "WordPress sidebar Links widget"),
    ("wordpress", "/2010/11/team-call-schedule/", "gone", 410, "WordPress sidebar Links widget"),
    ("wordpress", "/tools/downline-tracker/", "server-error", 500, "WordPress sidebar Links widget"),
    ("wordpress", "/archive/old/", "redirect-loop", 302, "WordPress sidebar Links widget"),
    ("wordpress", "/wp-content/uploads/2011/08/compensation-plans-explained.pdf", "pdf", 200,
     "WordPress sidebar Links widget"),
)


def error_pages(corpus: Corpus) -> list[tuple[str, str, str, int, str]]:
    """Every deliberately broken URL: (site, path, kind, status, where it is linked)."""
    ezine = corpus.site("ezine").config
    layouts = corpus.site("blogger-layouts").config
    rows = list(ERROR_PAGES)
    for blocked in ezine.get("blocked", ()):
        rows.append(("ezine", f"/?{ezine_slug(blocked['title'])}&id={blocked['id']}", "captcha", 200,
                     "ezine category listing (an article link)"))
    rows.append(("blogger-layouts", f"/feeds/{layouts['missing_blog_id']}/posts/default", "blog-not-found", 404,
                 "blogger-layouts sidebar 'Team Blogs' link list"))
    return rows


def load_truth(start_urls: dict[str, str] | None = None) -> Truth:
    """The content data for tests: every article, every page carrying one, every comment.

    With `start_urls` ({site_key: "http://127.0.0.11:PORT/"}, as `SampleWeb.start()` returns),
    pages get absolute `url`s and copies their `source_url`.
    """
    corpus = load_corpus()
    base = {k: v.rstrip("/") for k, v in (start_urls or {}).items()}

    def absolute(site: str | None, path: str | None) -> str | None:
        return base[site] + path if site in base and path else None

    pages, comments = [], []
    for spec in corpus.sites:
        for post in spec.posts:
            source_url = post.source_literal or absolute(post.source_site, post.source_path)
            extra = tuple(post.extra_paths)
            pages.append(TruthPage(
                site=spec.key, platform=spec.platform, path=post.path, url=absolute(spec.key, post.path),
                article=post.article.id, role=post.role, title=post.title, author=post.article.author.name,
                byline=post.byline, published=post.published.isoformat() if spec.platform != "directory"
                else post.published.date().isoformat(), text=post.text, body=post.body, source_site=post.source_site,
                source_path=post.source_path, source_url=source_url, corruptions=dict(post.corruptions),
                comment_count=len(post.comments), comment_pages=extra, example=post.article.example))
            for c in post.comments:
                shown_on = f"{post.path}comment-page-{c.page}/" if extra else post.path
                comments.append(TruthComment(
                    id=c.id, site=spec.key, page=post.path, comment_page=shown_on, author=c.author,
                    author_url=c.url, posted=c.posted.isoformat(), body=c.text, spam=c.spam, deleted=c.deleted,
                    kind=c.kind, parent=c.parent))
    articles = []
    for article in corpus.articles.values():
        carrying = [(p.site, p.path) for p in pages if p.article == article.id]
        articles.append(TruthArticle(
            id=article.id, title=article.title, author=article.author.name, published=article.date.isoformat(),
            tags=article.tags, word_count=article.word_count, text=article.text, bio=article.bio,
            example=article.example, sites=tuple(dict.fromkeys(s for s, _ in carrying)), paths=tuple(carrying)))
    errors = [TruthError(site, path, absolute(site, path), kind, status, linked)
              for site, path, kind, status, linked in error_pages(corpus)]
    blocked = tuple(dict(b, site="ezine") for b in corpus.site("ezine").config.get("blocked", ()))
    return Truth(tuple(articles), tuple(pages), tuple(comments), tuple(errors), blocked)
