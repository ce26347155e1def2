"""The bundled sample web: its sites, feeds, HTTP behaviour and the content truth tests rely on.

Offline: every request goes to the loopback servers this module starts.
"""

from __future__ import annotations

import gzip
import http.client
import json
import re
import socket
import urllib.error
import urllib.request
import urllib.robotparser
from html import unescape
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from lxml import etree

from crawler.sampleweb import SampleWeb, load_truth
from crawler.sampleweb.content import load_corpus
from crawler.sampleweb.render import renderer_for

# The two example texts: bundled with the sample web, and (in the team's tree) their originals.
BUNDLED_EXAMPLES = Path(__file__).resolve().parents[1] / "crawler" / "sampleweb" / "content" / "verbatim"
SHARED_EXAMPLES = Path(__file__).resolve().parents[2] / "shared" / "examples"
ATOM_NS = {"a": "http://www.w3.org/2005/Atom"}
SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}

# What tells a crawler which platform a start page runs on.
GENERATOR_MARKERS = {
    "ezine": r'<img src="/images/ea_logo.png" alt="EzineArticles',
    "a1articles": r"A1Articles\.com - Free Articles Directory",
    "blogger-classic": r'<meta name="generator" content="Blogger" />',
    "blogger-layouts": r"<meta content='blogger' name='generator'/>",
    "wordpress": r'<meta name="generator" content="WordPress 3\.\d+(\.\d+)?" />',
}


@pytest.fixture(scope="module")
def web():
    with SampleWeb(port=0) as served:
        yield served


@pytest.fixture(scope="module")
def truth(web):
    return web.truth()


def fetch(url: str, method: str = "GET", **headers: str) -> tuple[int, http.client.HTTPMessage, bytes]:
    """One request, redirects followed; HTTP errors come back as their status, not raised."""
    request = urllib.request.Request(url, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def fetch_raw(url: str, **headers: str) -> http.client.HTTPResponse:
    """One request, redirects not followed."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    conn.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""), headers=headers)
    response = conn.getresponse()
    response.read()
    conn.close()
    return response


def text_of(body: bytes) -> str:
    """A page's text with tags dropped and entities decoded, whitespace collapsed."""
    html = re.sub(r"</?(?:a|span|b|i|em|strong|abbr)\b[^>]*>", "", body.decode("utf-8"))
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


# -- sites --------------------------------------------------------------------------------------

def test_five_sites_each_on_its_own_loopback_address_and_one_port(web):
    sites = web.sites
    assert [s.key for s in sites] == ["ezine", "a1articles", "blogger-classic", "blogger-layouts", "wordpress"]
    assert [s.host for s in sites] == [f"127.0.0.{n}" for n in range(11, 16)]
    assert len({s.port for s in sites}) == 1 and sites[0].port > 0
    assert [s.platform for s in sites] == ["directory", "directory", "blogger", "blogger", "wordpress"]
    assert web.start_urls["ezine"] == f"http://127.0.0.11:{sites[0].port}/"


@pytest.mark.parametrize("key", list(GENERATOR_MARKERS))
def test_start_page_answers_with_its_platform_marker(web, key):
    status, headers, body = fetch(web.start_urls[key])
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=UTF-8"
    assert re.search(GENERATOR_MARKERS[key], body.decode("utf-8"))


def test_sites_answer_with_their_own_server_header(web):
    servers = {key: fetch(url, method="HEAD")[1]["Server"] for key, url in web.start_urls.items()}
    assert servers["ezine"].startswith("Apache/2.2")
    assert servers["a1articles"].startswith("Microsoft-IIS")
    assert servers["blogger-classic"] == "GSE"


@pytest.mark.parametrize("key", ["ezine", "a1articles", "blogger-classic", "blogger-layouts", "wordpress"])
def test_unknown_url_is_a_404(web, key):
    assert fetch(web.url(key, "/no/such/page.html"))[0] == 404


# -- robots.txt and sitemaps ---------------------------------------------------------------------

@pytest.mark.parametrize("key", ["ezine", "a1articles", "blogger-classic", "blogger-layouts", "wordpress"])
def test_robots_txt_names_a_sitemap(web, key):
    status, headers, body = fetch(web.url(key, "/robots.txt"))
    assert status == 200 and headers["Content-Type"].startswith("text/plain")
    sitemaps = re.findall(r"^Sitemap: (\S+)$", body.decode(), re.M)
    assert sitemaps and all(s.startswith(web.site(key).base_url + "/") for s in sitemaps)
    assert fetch(sitemaps[0])[0] == 200


@pytest.mark.parametrize("key", ["ezine", "a1articles", "blogger-layouts", "wordpress"])
def test_sitemap_lists_every_article_page_with_lastmod(web, truth, key):
    status, _, body = fetch(web.url(key, "/sitemap.xml"))
    urls = etree.fromstring(body).findall("s:url", SITEMAP_NS)
    assert status == 200 and urls
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d", u.findtext("s:lastmod", namespaces=SITEMAP_NS)) for u in urls)
    locs = {u.findtext("s:loc", namespaces=SITEMAP_NS) for u in urls}
    assert {p.url for p in truth.pages if p.site == key} <= locs


def test_directory_robots_rule_covers_a_linked_members_area(web):
    robots = urllib.robotparser.RobotFileParser(web.url("ezine", "/robots.txt"))
    robots.read()
    assert not robots.can_fetch("reprints", web.url("ezine", "/members/"))
    assert robots.can_fetch("reprints", web.url("ezine", "/?cat=Home-Based-Business:Network-Marketing"))
    assert 'href="/members/"' in fetch(web.start_urls["ezine"])[2].decode()


def test_blogger_robots_disallows_search_pages_the_home_page_links_to(web):
    robots = urllib.robotparser.RobotFileParser(web.url("blogger-layouts", "/robots.txt"))
    robots.read()
    home = fetch(web.start_urls["blogger-layouts"])[2].decode()
    older = unescape(re.search(r"blog-pager-older-link' href='([^']+)'", home).group(1))
    assert "/search?updated-max=" in older and fetch(older)[0] == 200
    assert not robots.can_fetch("reprints", older)


# -- directory listings ----------------------------------------------------------------------------

def test_ezine_category_is_paginated_and_lists_every_article(web, truth):
    first = fetch(web.url("ezine", "/?cat=Home-Based-Business:Network-Marketing"))[2].decode()
    second = fetch(web.url("ezine", "/?cat=Home-Based-Business:Network-Marketing&page=2"))[2].decode()
    assert 'href="/?cat=Home-Based-Business:Network-Marketing&amp;page=2"' in first
    linked = set(re.findall(r'href="([^"]+)" class="article-title-link"', first + second))
    assert len(re.findall(r'class="article-title-link"', first)) == 8
    assert {unescape(u) for u in linked} >= {p.path for p in truth.pages if p.site == "ezine"}


def test_ezine_article_urls_ignore_query_order(web, truth):
    page = next(p for p in truth.pages if p.site == "ezine")
    slug, article_id = page.path[2:].split("&")
    status, _, body = fetch(web.url("ezine", f"/?{article_id}&{slug}"))
    assert status == 200 and page.title in unescape(body.decode())


# -- feeds ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("key", ["blogger-classic", "blogger-layouts"])
def test_blogger_feed_pages_with_start_index_and_max_results(web, truth, key):
    default = etree.fromstring(fetch(web.url(key, "/feeds/posts/default"))[2])
    posts = {p.url for p in truth.pages if p.site == key}
    assert default.findtext("{http://a9.com/-/spec/opensearchrss/1.0/}itemsPerPage") == "25"
    assert len(default.findall("a:entry", ATOM_NS)) == len(posts)
    assert not default.xpath("a:link[@rel='next']", namespaces=ATOM_NS)

    seen, url, pages = [], web.url(key, "/feeds/posts/default?max-results=3"), 0
    while url:
        status, headers, body = fetch(url)
        assert status == 200 and headers["Content-Type"] == "application/atom+xml; charset=UTF-8"
        feed = etree.fromstring(body)
        seen += feed.xpath("a:entry/a:link[@rel='alternate']/@href", namespaces=ATOM_NS)
        url = (feed.xpath("a:link[@rel='next']/@href", namespaces=ATOM_NS) or [None])[0]
        pages += 1
    assert pages == 3 and len(seen) == len(set(seen)) and set(seen) == posts
    start = etree.fromstring(fetch(web.url(key, "/feeds/posts/default?start-index=4&max-results=3"))[2])
    assert start.xpath("a:entry/a:link[@rel='alternate']/@href", namespaces=ATOM_NS) == seen[3:6]


def test_blogger_rss_and_legacy_feed_urls(web, truth):
    count = sum(p.site == "blogger-classic" for p in truth.pages)
    rss = etree.fromstring(fetch(web.url("blogger-classic", "/feeds/posts/default?alt=rss"))[2])
    assert len(rss.findall("channel/item")) == count
    for path, kind in (("/atom.xml", "application/atom+xml"), ("/rss.xml", "application/rss+xml")):
        status, headers, body = fetch(web.url("blogger-classic", path))
        assert status == 200 and headers["Content-Type"].startswith(kind)
        etree.fromstring(body)


def test_wordpress_feed_pages(web, truth):
    items = []
    for n, expected in ((1, 5), (2, 3)):
        status, headers, body = fetch(web.url("wordpress", "/feed/" + (f"?paged={n}" if n > 1 else "")))
        assert status == 200 and headers["Content-Type"] == "application/rss+xml; charset=UTF-8"
        page_items = etree.fromstring(body).findall("channel/item")
        assert len(page_items) == expected
        items += [i.findtext("link") for i in page_items]
    assert set(items) == {p.url for p in truth.pages if p.site == "wordpress"}
    assert fetch(web.url("wordpress", "/feed/?paged=3"))[0] == 404


def test_wordpress_rest_api_pages(web, truth):
    status, headers, body = fetch(web.url("wordpress", "/wp-json/wp/v2/posts?per_page=3&page=2"))
    assert status == 200 and headers["X-WP-Total"] == "8" and headers["X-WP-TotalPages"] == "3"
    posts = json.loads(body)
    assert len(posts) == 3 and {p["link"] for p in posts} <= {p.url for p in truth.pages}
    assert fetch(web.url("wordpress", "/wp-json/wp/v2/posts?page=4&per_page=3"))[0] == 400


# -- HTTP behaviour -------------------------------------------------------------------------------

def test_repeated_request_gets_304_with_etag_or_date(web):
    url = web.url("wordpress", "/")
    status, headers, _ = fetch(url)
    assert status == 200 and headers["ETag"] and headers["Last-Modified"]
    again = fetch_raw(url, **{"If-None-Match": headers["ETag"]})
    assert again.status == 304 and again.getheader("ETag") == headers["ETag"]
    assert fetch_raw(url, **{"If-Modified-Since": headers["Last-Modified"]}).status == 304
    assert fetch_raw(url, **{"If-None-Match": '"something-else"'}).status == 200


def test_head_and_gzip(web):
    url = web.url("blogger-classic", "/")
    plain = fetch(url)[2]
    status, headers, body = fetch(url, method="HEAD")
    assert status == 200 and body == b"" and int(headers["Content-Length"]) == len(plain)
    status, headers, body = fetch(url, **{"Accept-Encoding": "gzip"})
    assert headers["Content-Encoding"] == "gzip" and gzip.decompress(body) == plain


# -- content --------------------------------------------------------------------------------------

def test_enough_distinct_articles_and_article_pages(truth):
    originals = [a for a in truth.articles if not a.example]
    assert len(originals) >= 20 and len(truth.articles) == len(originals) + 2
    assert all(400 <= a.word_count <= 900 for a in originals)
    assert len(truth.pages) >= 40
    assert len({a.author for a in originals}) >= 6


def test_every_article_page_answers_with_its_title_and_body(web, truth):
    for page in truth.pages:
        status, _, body = fetch(page.url)
        assert status == 200, page.url
        text = text_of(body)
        assert page.title in text, page.url
        assert " ".join(page.body.split()[:40]) in text, page.url


def test_example_post_appears_on_the_classic_blog_as_published(web, truth):
    page = next(p for p in truth.pages if p.example == "mlm-leadership-blogger-post.txt" and p.role == "copy")
    assert page.site == "blogger-classic" and page.published.startswith("2008-03-05T08:15")
    text = text_of(fetch(page.url)[2])
    example = (BUNDLED_EXAMPLES / "mlm-leadership-blogger-post.txt").read_text(encoding="utf-8")
    for line in example.splitlines():
        line = " ".join(line.split())
        if line and line != "Blogger WAHMom said...":  # "Blogger" is the alt text of an icon
            assert line in text, line
    assert "WAHMom said..." in text and "Posted by bizarticles at 8:15 AM" in text


@pytest.mark.parametrize("name", ["mlm-leadership-blogger-post.txt", "major-pitfall-article.txt"])
def test_bundled_examples_are_the_originals(name):
    if not (SHARED_EXAMPLES / name).exists():
        pytest.skip("the shared examples folder is not beside this checkout")
    assert (BUNDLED_EXAMPLES / name).read_bytes() == (SHARED_EXAMPLES / name).read_bytes()


def test_both_examples_appear_on_two_sites(truth):
    for name in ("mlm-leadership-blogger-post.txt", "major-pitfall-article.txt"):
        article = next(a for a in truth.articles if a.example == name)
        assert len(article.sites) >= 2


def test_directory_originals_are_clean_and_copies_damaged(truth):
    for page in truth.pages:
        article = truth.article(page.article)
        if page.role in ("original", "duplicate"):
            assert page.body == article.text and not page.corruptions
        else:
            assert page.corruptions, page.url
    damaged = " ".join(p.text for p in truth.pages if p.role == "copy")
    assert re.search(r"\w! \w", damaged) and re.search(r"\w\?\w", damaged) and "â€™" in damaged


def test_copies_name_their_original_in_a_source_line(web, truth):
    originals = {(p.site, p.path): p for p in truth.pages if p.role != "copy"}
    for page in (p for p in truth.pages if p.role == "copy"):
        assert (page.source_site, page.source_path) in originals
        assert page.source_url in unescape(fetch(page.url)[2].decode("utf-8")), page.url


def test_comments_have_spam_truth_that_pages_never_show(web, truth):
    spam = [c for c in truth.comments if c.spam]
    assert 10 <= len(spam) < len(truth.comments) / 2
    assert any(c.deleted for c in truth.comments) and any(c.kind == "pingback" for c in truth.comments)
    years = {c.page: c.posted[:4] for c in truth.comments}
    assert any(int(c.posted[:4]) - int(truth.page(c.site, c.page).published[:4]) >= 5 for c in spam), years
    for page in {(c.site, c.comment_page) for c in truth.comments}:
        body = fetch(web.url(*page))[2].decode("utf-8")
        assert not re.search(r"\bspam\b\s*[=:]|data-spam|is_spam", body)
        for comment in (c for c in truth.comments if (c.site, c.comment_page) == page):
            assert comment.author in unescape(body), (page, comment.author)


def test_wordpress_comments_continue_on_a_second_page(web, truth):
    page = next(p for p in truth.pages if p.comment_pages)
    first, second = (fetch(web.url("wordpress", path))[2].decode() for path in page.comment_pages)
    assert "Newer Comments" in first and "Older Comments" in second
    on_second = [c for c in truth.comments if c.comment_page == page.comment_pages[1]]
    assert on_second and all(f'id="comment-{c.id}"' in second and f'id="comment-{c.id}"' not in first
                             for c in on_second)
    assert "<ul class='children'>" in first


def test_error_urls_answer_as_documented(web, truth):
    kinds = {e.kind for e in truth.errors}
    assert kinds == {"not-found", "gone", "server-error", "redirect-loop", "pdf", "captcha", "blog-not-found"}
    wordpress_home = fetch(web.start_urls["wordpress"])[2].decode()
    for error in truth.errors:
        response = fetch_raw(error.url)
        assert response.status == error.status, error
        if error.kind == "redirect-loop":
            hop = fetch_raw(response.getheader("Location"))
            assert hop.status == 302 and hop.getheader("Location") == error.url
        if error.kind == "pdf":
            assert response.getheader("Content-Type") == "application/pdf"
        if error.site == "wordpress":
            assert f'href="{error.url}"' in wordpress_home
    captcha = next(e for e in truth.errors if e.kind == "captcha")
    assert b"excessive amount of traffic" in fetch(captcha.url)[2]


# -- the server -----------------------------------------------------------------------------------

def test_port_in_use_raises_oserror_naming_address_and_port():
    blocker = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        blocker.bind(("127.0.0.11", 0))
        blocker.listen(1)
        port = blocker.getsockname()[1]
        with pytest.raises(OSError, match=rf"127\.0\.0\.11:{port}"):
            SampleWeb(port=port).start()
    finally:
        blocker.close()


def test_rendering_is_deterministic():
    corpus = load_corpus()
    bases = {spec.key: f"http://127.0.0.{11 + n}:8100" for n, spec in enumerate(corpus.sites)}
    for spec in corpus.sites:
        once = renderer_for(spec, corpus, bases).pages()
        twice = renderer_for(spec, corpus, bases).pages()
        assert {k: v.body for k, v in once.items()} == {k: v.body for k, v in twice.items()}


def test_truth_without_a_server_has_paths_but_no_urls():
    truth = load_truth()
    assert all(p.url is None and p.path.startswith("/") for p in truth.pages)
    assert json.dumps(truth.to_dict())
