"""A synthetic web of any size for throughput benchmarks, in the sample web's templates.

`synthetic_corpus(pages, seed)` composes, deterministically, a `Corpus` like the sample web's
(`content.load_corpus()`), only bigger: article directories (EzineArticles and a1articles style)
holding the originals, and Blogger (classic and Layouts) and WordPress blogs republishing them
with the DESIGN.md damage (split words, lost "?" characters, mail-gateway "! ", mojibake,
spun and abridged copies, bloggers' intros) and comments (spam among them, WordPress replies
and comment pages). Articles are recombined from the bundled articles' paragraphs under varied
titles, so every page reads like the sample web's: directory pages of 8-12 KB, blog posts of
20-35 KB; a crawl fetches ~17 KB a page on average (the sample web: ~14 KB).

The web grows by adding sites, not by growing sites: `pages` is split into groups of five
sites (one of each kind), each group about `PAGES_PER_GROUP` pages a crawl fetches. Sites stay
small (16-110 posts), so sidebars, archive widgets and pagers carry about as many links as the
sample web's pages do (a 4,000-post Layouts blog would list 4,000 posts on every page, and the
crawl would measure link extraction, not the pipeline). The first group uses the sample web's
site keys (`ezine`, `wordpress`, ...), so the renderers' cross-site links and error pages work
unchanged; later groups are `ezine-2`, `wordpress-2`, ...

`SyntheticWeb(pages, seed)` serves it with the sample web's own server (`SampleWeb`): one
loopback address per site (127.0.0.11 and up, on into 127.0.1.x, ...), every page rendered at
start and gzipped ahead of time, and the dynamic feed and REST pages a crawl
walks (Blogger feed paging, WordPress /feed/?paged=N and /wp-json paging) rendered ahead too,
so the first crawl over it gets no slower answers than the second.

    with SyntheticWeb(2000) as web:
        web.start_urls                 # {"ezine": "http://127.0.0.11:41234/", ..., "wordpress-2": ...}
        web.article_urls()             # every post page (directory originals and blog copies)

`python -m crawler.sampleweb.synthetic --pages 2000 --port 8200` serves one until Ctrl-C;
`... --loadtest URLS_FILE` is the load client `SyntheticWeb.measure()` runs in a subprocess.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import random
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from urllib.parse import urlsplit

from crawler.sampleweb.content import (
    Article, Corpus, Post, SiteSpec, _comments, _compose_copy, _link_parents, _mark_duplicates,
    _number_wordpress_comments, blogger_slug, ezine_slug, load_corpus, stable_number, wordpress_slug,
)
from crawler.sampleweb.render import BLOGGER_DEFAULT_MAX_RESULTS
from crawler.sampleweb.server import SampleWeb

# Site kinds in the order of a group, with the sample web's site key of each.
KINDS = ("ezine", "a1", "blogger-classic", "blogger-layouts", "wordpress")
SAMPLE_KEYS = {"ezine": "ezine", "a1": "a1articles", "blogger-classic": "blogger-classic",
               "blogger-layouts": "blogger-layouts", "wordpress": "wordpress"}
# Posts per site in a full group. Directories hold the originals, blogs republish some of them.
# Sizes keep the links a page carries near the sample web's (~37 same-site links a page here,
# 36 there; ANCHORS' reference crawl had ~22): sidebars list every month, the Layouts archive
# widget every post, directory pagers every page number.
GROUP_POSTS = {"ezine": 110, "a1": 110, "blogger-classic": 40, "blogger-layouts": 16, "wordpress": 36}
# Pages a crawl of one full group fetches: posts plus listings, archives, feeds, redirects,
# robots.txt and the sites' fixed pages (measured: the `auto` spider fetches ~1,060 pages of a
# 2-group web, ~2,020 of a 4-group one).
PAGES_PER_GROUP = 530
# Loopback addresses start at 127.0.0.FIRST_IP (as SampleWeb's first_ip) and go on through
# 127.0.1.1-254, 127.0.2.1-254, ... (Linux routes all of 127.0.0.0/8 to the loopback interface).
FIRST_IP = 11
MAX_SITES = 2_000
# What the WordPress navigation asks the REST API for (crawler.spiders.wordpress.API_PAGE).
WP_API_PER_PAGE = 50
# The server threads' select() timeout (SampleWeb uses 0.05 s); stop() waits up to this long.
POLL_SECONDS = 1.0
# How long after the original a blog copy appears, and how many posts a blog puts in a month.
COPY_DELAY_DAYS = (2, 30)
POSTS_PER_MONTH = {"blogger-classic": 5, "blogger-layouts": 3, "wordpress": 4}
# The share of blog copies with each damage (the rest are clean copies with a Source line).
DAMAGE_RATES = {"edits": 0.35, "question": 0.25, "bang": 0.3, "mojibake": 0.08, "spin": 0.08,
                "abridge": 0.06, "intro": 0.15}
# How many comments a blog copy gets: (share of posts, low, high).
COMMENT_COUNTS = ((0.30, 0, 0), (0.50, 1, 4), (0.15, 5, 9), (0.05, 11, 16))
# A synthetic article is a bundled one (13-19 paragraphs, 430-600 words) with a few of its
# paragraphs dropped and a few borrowed from two others: ~10% longer than the bundled ones on
# average, as long as real free-reprint articles run (400-800 words).
DROPPED_PARAGRAPHS = (0, 4)
BORROWED_PARAGRAPHS = (2, 6)

TITLE_LEADS = ("Network Marketing Basics", "MLM Success", "Home Business Tips", "For New Distributors",
               "Straight Talk", "Direct Sales", "Team Building", "Part-Time Success", "Leadership Notes",
               "Prospecting 101", "Field Notes", "Ask the Mentor", "Weekend Reading", "From the Trenches")
TITLE_TAILS = ("What I Learned the Hard Way", "A Second Look", "Lessons From the Field", "Revisited",
               "For Beginners", "The Short Version", "What Top Earners Know", "Myths and Facts",
               "A Checklist", "Questions and Answers", "Ten Years Later", "Before You Sign Up")
INTROS = ("Found this one in the directory this week and had to share it with the team.",
          "A great read for anyone in their first year. Pass it on!",
          "My upline sent me this article and I think every distributor should see it.",
          "This says what I have been trying to tell my leaders for years.",
          "Short and honest. Read the resource box too, the author knows what she is talking about.")
SPIN_SYNONYMS = {"business": "venture", "people": "folks", "money": "cash", "team": "group",
                 "income": "earnings", "build": "create", "support": "back", "advice": "guidance",
                 "focus": "concentrate", "decide": "determine", "trouble": "difficulty",
                 "successful": "effective", "share": "discuss"}
SITE_TZ = timezone(timedelta(hours=-6))


@dataclass(frozen=True)
class Plan:
    """How many sites of each kind, and posts on each, a web of `pages` pages gets."""

    pages: int
    groups: int
    posts: dict  # kind -> posts on each site of that kind

    @property
    def sites(self) -> int:
        return self.groups * len(KINDS)


def plan(pages: int) -> Plan:
    """Groups of five sites, each group ~PAGES_PER_GROUP pages; small webs get smaller sites."""
    if pages < 50:
        raise ValueError(f"a synthetic web needs at least 50 pages, not {pages}")
    groups = max(1, math.ceil(pages / PAGES_PER_GROUP))
    if groups * len(KINDS) > MAX_SITES:
        raise ValueError(f"{pages} pages need {groups * len(KINDS)} sites; at most {MAX_SITES} are served")
    scale = pages / (groups * PAGES_PER_GROUP)
    return Plan(pages, groups, {kind: max(3, round(n * scale)) for kind, n in GROUP_POSTS.items()})


def site_key(kind: str, group: int) -> str:
    return SAMPLE_KEYS[kind] if group == 0 else f"{SAMPLE_KEYS[kind]}-{group + 1}"


# -- composing the corpus ------------------------------------------------------------------------

def synthetic_corpus(pages: int, seed: int = 0) -> Corpus:
    """A deterministic corpus of about `pages` crawlable pages (same arguments, same corpus)."""
    base = load_corpus()
    layout = plan(pages)
    templates = {spec.kind: spec for spec in base.sites}
    pool = _comment_pool(base)
    labels = sorted({label for spec in base.sites for p in spec.posts for label in p.meta.get("labels", ())})
    categories = sorted({c for spec in base.sites for p in spec.posts for c in p.meta.get("categories", ())})
    articles: dict[str, Article] = {}
    sites: list[SiteSpec] = []
    for group in range(layout.groups):
        rng = random.Random(f"synthetic:{seed}:{group}")
        originals: list[tuple[SiteSpec, Post]] = []
        for kind in KINDS:
            spec = _site_spec(templates[kind], group)
            if spec.platform == "directory":
                _directory_site(spec, layout.posts[kind], base, articles, rng, group, seed)
                originals += [(spec, post) for post in spec.posts]
            sites.append(spec)
        group_sites = sites[-len(KINDS):]
        _duplicates(group_sites, rng)
        for spec in group_sites:
            if spec.platform != "directory":
                _blog_site(spec, layout.posts[spec.kind], originals, pool, labels, categories, rng)
            if spec.platform == "wordpress":
                _number_wordpress_comments(spec)
            _link_parents(spec)
    corpus = Corpus(dict(base.authors), articles, sites)
    _mark_duplicates(corpus)
    return corpus


def _site_spec(template: SiteSpec, group: int) -> SiteSpec:
    """A site of the template's kind: its config (minus its posts), renamed for groups after the first."""
    key = site_key(template.kind, group)
    config = {k: v for k, v in template.config.items() if k not in ("posts", "articles")}
    config["key"] = key
    name = template.name if group == 0 else f"{template.name} {group + 1}"
    if group:
        config.pop("blocked", None)  # the anti-bot page stays a single case, on `ezine`
        if "blog_id" in config:
            config["blog_id"] = stable_number(key, "blog")
            config["profile_id"] = stable_number(key, "profile", digits=20)
        host = template.public_host.split(".", 1)
        config["public_host"] = f"{host[0]}{group + 1}.{host[1]}" if len(host) == 2 else template.public_host
    return SiteSpec(key=key, kind=template.kind, platform=template.platform, name=name,
                    public_host=config.get("public_host", template.public_host), server=template.server,
                    config=config)


def _article(n: int, rng: random.Random, base: Corpus, seed: int, day: date) -> Article:
    """One synthetic article: a bundled article's paragraphs with others' spliced in, under a varied title."""
    bases = sorted(base.articles.values(), key=lambda a: a.id)
    primary = bases[n % len(bases)]
    donors = rng.sample([a for a in bases if a is not primary], 2)
    paragraphs = list(primary.paragraphs)
    for _ in range(rng.randint(*DROPPED_PARAGRAPHS)):
        paragraphs.pop(rng.randrange(2, len(paragraphs)))
    borrowed = [p for d in donors for p in d.paragraphs]
    for para in rng.sample(borrowed, rng.randint(*BORROWED_PARAGRAPHS)):
        paragraphs.insert(rng.randint(2, len(paragraphs)), para)
    form = rng.random()
    if form < 0.2:
        title = primary.title
    elif form < 0.6:
        title = f"{rng.choice(TITLE_LEADS)}: {primary.title}"
    else:
        head = primary.title.rstrip(".?!")
        title = f"{head}{' - ' if ':' in head else ': '}{rng.choice(TITLE_TAILS)}"
    return Article(id=f"syn-{seed}-{n:05d}", title=title, author=primary.author, date=day, tags=primary.tags,
                   paragraphs=tuple(paragraphs), bio=primary.bio, copyright=primary.copyright, example=None)


def _directory_site(spec: SiteSpec, count: int, base: Corpus, articles: dict, rng: random.Random,
                    group: int, seed: int) -> None:
    """A directory's originals, one a day or so from 2008 on, with ids that grow as real ones did."""
    next_id = (981_000 if spec.kind == "ezine" else 461_000) + group * 7_000_000 // 10 + rng.randint(0, 999)
    day = date(2008, 1, 7) + timedelta(days=rng.randint(0, 60))
    for _ in range(count):
        n = len(articles)
        day += timedelta(days=rng.randint(3, 15))
        article = _article(n, rng, base, seed, day)
        articles[article.id] = article
        next_id += rng.randint(900, 40_000)
        if spec.kind == "ezine":
            path = f"/?{ezine_slug(article.title)}&id={next_id}"
        else:
            path = f"/article_{next_id}_{spec.config['category_id']}.html"
        spec.posts.append(Post(
            site=spec.key, article=article, role="original", path=path, title=article.title,
            published=datetime(day.year, day.month, day.day, tzinfo=timezone.utc), byline=article.author.name,
            text=article.text, body=article.text, meta={"id": next_id}))


def _duplicates(group_sites: list[SiteSpec], rng: random.Random) -> None:
    """A few a1 articles are clean duplicates of ezine ones (the author submitted to both)."""
    ezine = next(s for s in group_sites if s.kind == "ezine")
    a1 = next(s for s in group_sites if s.kind == "a1")
    sources = list(ezine.posts)
    for post in a1.posts:
        if rng.random() < 0.04 and sources:
            source = sources.pop(rng.randrange(len(sources)))  # each ezine article duplicated once at most
            post.article = source.article
            post.title = source.title
            post.text = post.body = source.article.text


def _comment_pool(base: Corpus) -> list[dict]:
    """Every comment the sample blogs carry, as sites.yml entries, minus replies by the blog's author."""
    pool = []
    for spec in base.sites:
        for entry in spec.config.get("posts", ()):
            for c in entry.get("comments", ()) or ():
                if c.get("blog_author") or c.get("by_post_author") or c.get("reply_to"):
                    continue
                pool.append({k: c[k] for k in ("author", "url", "body", "spam", "profile", "type", "deleted")
                             if k in c})
    return pool


def _comment_entries(spec: SiteSpec, published: datetime, pool: list[dict], rng: random.Random) -> list[dict]:
    """sites.yml-style comment entries for one post: a few readers, some spam, now and then the author."""
    roll, acc, low, high = rng.random(), 0.0, 0, 0
    for share, low, high in COMMENT_COUNTS:
        acc += share
        if roll < acc:
            break
    if spec.platform == "blogger":
        low, high = min(low, 6), min(high, 9)  # Blogger shows every comment on the post page
    count = rng.randint(low, high)
    choices = [c for c in pool if spec.platform == "wordpress" or c.get("type", "comment") == "comment"]
    when = published
    entries = []
    for n in range(count):
        when += timedelta(minutes=rng.randint(20, 60 * 24 * 9))
        entry = dict(rng.choice(choices), posted=when.isoformat())
        if spec.platform != "wordpress":
            entry.setdefault("profile", "openid" if entry.get("url") else "anonymous")
        entries.append(entry)
        reader = not entry.get("spam") and entry.get("type", "comment") == "comment"
        if spec.platform == "wordpress" and reader and rng.random() < 0.25:
            key = f"c{n}"
            entry["key"] = key
            when += timedelta(minutes=rng.randint(30, 600))
            author = spec.config["author"]
            entries.append({"author": author["name"], "url": author["url"], "by_post_author": True,
                            "reply_to": key, "posted": when.isoformat(),
                            "body": f"Thanks, {entry['author'].split()[0]}! Glad it helped."})
        elif spec.platform == "blogger" and reader and rng.random() < 0.1:
            when += timedelta(minutes=rng.randint(30, 600))
            entries.append({"author": spec.config["author"], "profile": "blogger", "blog_author": True,
                            "url": f"http://www.blogger.com/profile/{spec.config['profile_id']}",
                            "posted": when.isoformat(),
                            "body": "Thank you for reading and for the kind words!"})
    return entries


def _damage(article: Article, rng: random.Random) -> dict:
    """A sites.yml-style damage entry for one blog copy (spin, abridge, edits, question, bang, ...)."""
    entry: dict = {}
    if rng.random() < DAMAGE_RATES["spin"]:
        entry["spin"] = SPIN_SYNONYMS
    if rng.random() < DAMAGE_RATES["abridge"]:
        entry["abridge"] = rng.randint(4, 7)
    if rng.random() < DAMAGE_RATES["edits"]:
        kept = article.paragraphs[: entry.get("abridge", len(article.paragraphs))]
        words = sorted({w for p in kept for w in p.split()
                        if len(w) >= 8 and w.isalpha() and w.islower() and w not in entry.get("spin", {})})
        edits = []
        for word in rng.sample(words, min(len(words), rng.randint(1, 3))):
            cut = rng.randint(3, len(word) - 3)
            edits.append([f" {word} ", f" {word[:cut]} {word[cut:]} "])
        entry["edits"] = [e for e in edits if e[0] in "\n\n".join(kept)]
    if rng.random() < DAMAGE_RATES["mojibake"]:
        entry["mojibake"] = True
    elif rng.random() < DAMAGE_RATES["question"]:
        entry["question"] = True
    if rng.random() < DAMAGE_RATES["bang"]:
        entry["bang"] = {"every": rng.randint(960, 985), "first": rng.randint(300, 950)}
    if rng.random() < DAMAGE_RATES["intro"]:
        entry["intro"] = rng.choice(INTROS)
    return entry


def _blog_site(spec: SiteSpec, count: int, originals: list[tuple[SiteSpec, Post]], pool: list[dict],
               labels: list[str], categories: list[str], rng: random.Random) -> None:
    """A blog's copies of directory originals, a few a month, each damaged and commented as sampled."""
    # A blog republishes what the directories published around the same time: a stretch of the
    # directories' timeline, so its archive spans months, not the directories' years.
    timeline = sorted(originals, key=lambda sp: sp[1].published)
    span = min(len(timeline), max(count, round(count * 1.5)))
    start = rng.randint(0, len(timeline) - span)
    chosen = sorted(rng.sample(timeline[start:start + span], min(count, span)),
                    key=lambda sp: sp[1].published)
    per_month = POSTS_PER_MONTH[spec.kind]
    used_paths: set[str] = set()
    last = None
    for n, (source_spec, original) in enumerate(chosen):
        article = original.article
        published = original.published.astimezone(SITE_TZ) + timedelta(days=rng.randint(*COPY_DELAY_DAYS),
                                                                         minutes=rng.randint(0, 1439))
        if last is not None:  # at most `per_month` a month: later posts slip to later days
            published = max(published, last + timedelta(days=30 / per_month, minutes=rng.randint(1, 600)))
        last = published
        entry = _damage(article, rng)
        text, body, found = _compose_copy(spec.kind, article, entry)
        meta = {"intro": entry["intro"]} if "intro" in entry else {}
        if spec.platform == "blogger":
            meta["labels"] = sorted(rng.sample(labels, rng.randint(1, 2)))
            meta["post_id"] = stable_number(spec.key, article.id)
            path = f"/{published:%Y/%m}/{blogger_slug(article.title)}.html"
            path = _unique(path, used_paths, lambda p, k: p[:-5] + f"_{k}.html")
            byline = spec.config["author"]
        else:
            meta["id"] = 100 + 3 * n + rng.randint(0, 2)
            meta["categories"] = sorted(rng.sample(categories, rng.randint(1, 2)))
            meta["slug"] = wordpress_slug(article.title)
            path = _unique(f"/{published:%Y/%m}/{meta['slug']}/", used_paths, lambda p, k: p[:-1] + f"-{k}/")
            meta["slug"] = path.rstrip("/").rsplit("/", 1)[1]
            byline = spec.config["author"]["name"]
        numbering = "blogger" if spec.platform == "blogger" else "wordpress"
        comments = _comment_entries(spec, published, pool, rng)
        spec.posts.append(Post(
            site=spec.key, article=article, role="copy", path=path, title=article.title, published=published,
            byline=byline, text=text, body=body, source_site=source_spec.key, source_path=original.path,
            corruptions=found, comments=_comments(spec.key, article.id, comments, numbering), meta=meta))


def _unique(path: str, used: set[str], variant) -> str:
    """`path`, or its `variant(path, 2)`, `variant(path, 3)`, ... when a post already has it."""
    found, k = path, 1
    while found in used:
        k += 1
        found = variant(path, k)
    used.add(found)
    return found


# -- serving -------------------------------------------------------------------------------------

class SyntheticWeb(SampleWeb):
    """The sample web's server over a synthetic corpus of about `pages` pages.

    Everything `SampleWeb` offers works (start/stop, `sites`, `start_urls`, `requests`) except
    `truth()`, which describes the bundled content only.
    """

    def __init__(self, pages: int = 2000, seed: int = 0, port: int = 0, first_ip: int = FIRST_IP):
        super().__init__(port=port, first_ip=first_ip)
        self._corpus = synthetic_corpus(pages, seed)
        self.pages = pages
        self.seed = seed
        self.render_seconds = 0.0

    def start(self) -> dict[str, str]:
        """Bind, render every page (and the dynamic pages a crawl walks), gzip them; {site_key: start_url}."""
        if self._servers:
            return self.start_urls
        started = time.perf_counter()
        urls = super().start()
        self._poll_less()
        self._prepare()
        self.render_seconds = time.perf_counter() - started
        return urls

    def _addresses(self) -> list[str]:
        """127.0.0.{first_ip}, ... 127.0.0.254, then 127.0.1.1-254 and so on: room for any plan."""
        out, n = [], self.first_ip
        while len(out) < len(self._corpus.sites):
            third, last = divmod(n, 254)
            out.append(f"127.0.{third}.{last + 1 if third else last}")
            n += 1
        return out

    def truth(self):
        raise NotImplementedError("the synthetic web has no ground truth; use article_urls() and the corpus")

    @property
    def corpus(self) -> Corpus:
        return self._corpus

    def article_urls(self) -> list[str]:
        """The URL of every post page (directory originals and duplicates, blog copies)."""
        sites = {site.key: site for site in self.sites}
        return [sites[spec.key].base_url + post.path for spec in self._corpus.sites for post in spec.posts]

    def page_urls(self) -> list[str]:
        """Every 200 HTML page the web serves from memory (what the load test asks for)."""
        out = []
        for server in self._servers:
            for key, resource in server.app.pages.items():
                if resource.status == 200 and resource.content_type.startswith("text/html"):
                    out.append(server.app.site.base_url + _target(key))
        return out

    def served_bytes(self) -> tuple[int, int]:
        """(pages, total body bytes) of the HTML pages rendered at start."""
        sizes = [len(r.body) for s in self._servers for r in s.app.pages.values()
                 if r.status == 200 and r.content_type.startswith("text/html")]
        return len(sizes), sum(sizes)

    def _poll_less(self) -> None:
        """Serve on with a longer select() timeout: it only bounds how fast stop() returns, and ~200
        idle server threads waking 20 times a second (SampleWeb's 0.05 s) cost ~6% of a core."""
        stoppers = [threading.Thread(target=server.shutdown) for server in self._servers]
        for thread in stoppers:
            thread.start()
        for thread in stoppers + self._threads:
            thread.join()
        self._threads = [threading.Thread(target=server.serve_forever, kwargs={"poll_interval": POLL_SECONDS},
                                          name=f"synthetic-{site.key}", daemon=True)
                         for server, site in zip(self._servers, self._sites)]
        for thread in self._threads:
            thread.start()

    def _prepare(self) -> None:
        """Render the paged feeds and API pages a crawl walks, and gzip every answer once, now."""
        for server in self._servers:
            app = server.app
            spec = self._corpus.site(app.site.key)
            targets: list[str] = []
            posts = len(spec.posts)
            if spec.platform == "blogger":
                per = BLOGGER_DEFAULT_MAX_RESULTS
                targets.append("/feeds/posts/default")
                targets += [f"/feeds/posts/default?start-index={start}&max-results={per}"
                            for start in range(1, posts + 1, per)]
            elif spec.platform == "wordpress":
                per_rss = spec.config["posts_per_rss"]
                targets += ["/feed/"] + [f"/feed/?paged={n}" for n in range(1, posts // per_rss + 3)]
                targets += [f"/wp-json/wp/v2/posts?per_page={WP_API_PER_PAGE}&page={n}"
                            for n in range(1, posts // WP_API_PER_PAGE + 3)]
            for target in targets:
                app.resolve(target)
            for resource in list(app.pages.values()) + list(app._dynamic.values()):
                if resource.status == 200 and len(resource.body) >= 256:
                    resource.gzipped  # computed once and kept  # noqa: B018

    def measure(self, seconds: float = 3.0, threads: int = 4, sample: int = 2000) -> dict:
        """Requests per second the server sustains for `threads` keep-alive gzip clients in another process.

        The client is a separate Python process (so it does not share the server's GIL), asking for
        a deterministic sample of the HTML pages; its own cost is included, so this is a lower bound.
        """
        urls = self.page_urls()
        picked = random.Random(self.seed).sample(urls, min(sample, len(urls)))
        cmd = [sys.executable, "-m", "crawler.sampleweb.synthetic", "--loadtest", "-",
               "--threads", str(threads), "--seconds", str(seconds)]
        result = subprocess.run(cmd, input="\n".join(picked), capture_output=True, text=True, check=True,
                                timeout=seconds + 60)
        return json.loads(result.stdout)


def _target(key: str) -> str:
    """A resource key back to a request target (the query pairs as they are: the server sorts them)."""
    return key.replace(" ", "%20")


# -- the load client -------------------------------------------------------------------------------

def loadtest(urls: list[str], threads: int, seconds: float) -> dict:
    """Hit `urls` round robin from `threads` keep-alive connections for `seconds`; count answers."""
    stop = time.perf_counter() + seconds
    counts = [0] * threads
    sizes = [0] * threads
    errors = [0] * threads

    def client(n: int) -> None:
        conns: dict[str, http.client.HTTPConnection] = {}
        i = n
        while time.perf_counter() < stop:
            url = urlsplit(urls[i % len(urls)])
            i += threads
            conn = conns.get(url.netloc)
            if conn is None:
                conn = conns[url.netloc] = http.client.HTTPConnection(url.netloc, timeout=10)
            target = url.path + ("?" + url.query if url.query else "")
            try:
                conn.request("GET", target, headers={"Accept-Encoding": "gzip, deflate"})
                response = conn.getresponse()
                body = response.read()
            except (OSError, http.client.HTTPException):
                errors[n] += 1
                conn.close()
                conns.pop(url.netloc, None)
                continue
            counts[n] += 1
            sizes[n] += len(body)
        for conn in conns.values():
            conn.close()

    started = time.perf_counter()
    workers = [threading.Thread(target=client, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - started
    return {"requests": sum(counts), "errors": sum(errors), "seconds": round(elapsed, 3),
            "requests_per_second": round(sum(counts) / elapsed, 1), "bytes": sum(sizes), "threads": threads}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m crawler.sampleweb.synthetic",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--port", type=int, default=8200)
    parser.add_argument("--loadtest", metavar="URLS_FILE",
                        help="be the load client: URLs from this file ('-': stdin)")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args(argv)
    if args.loadtest:
        source = sys.stdin if args.loadtest == "-" else open(args.loadtest, encoding="utf-8")
        urls = [line.strip() for line in source if line.strip()]
        print(json.dumps(loadtest(urls, args.threads, args.seconds)))
        return
    web = SyntheticWeb(args.pages, args.seed, port=args.port)
    urls = web.start()
    print(f"{len(urls)} sites, {len(web.article_urls())} posts, rendered in {web.render_seconds:.1f}s",
          file=sys.stderr)
    for url in urls.values():
        print(url, flush=True)
    try:
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        web.stop()


if __name__ == "__main__":
    main()
