"""The synthetic web for throughput benchmarks: deterministic, sample-web-like pages, served on loopback."""

from __future__ import annotations

import gzip
import math
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from crawler.sampleweb.content import load_corpus
from crawler.sampleweb.synthetic import (
    KINDS, PAGES_PER_GROUP, SyntheticWeb, loadtest, plan, synthetic_corpus,
)

# Post-page markup of each site kind: what the sample web's templates print around the article.
MARKERS = {
    "ezine": ['<div id="article-content">', '<div id="article-source">Article Source:'],
    "a1": ['<div class="art_body">'],
    "blogger-classic": ['<div class="post-body">', "Source: "],
    "blogger-layouts": ["<div class='post-body entry-content'", "Source: "],
    "wordpress": ['class="single single-post', "Article Source:"],
}


def fingerprint(corpus) -> list[tuple]:
    """Everything a page is rendered from, as plain values."""
    return [(spec.key, post.path, post.title, post.published.isoformat(), post.text, post.source_path,
             tuple(sorted(post.corruptions.items())), tuple((c.id, c.author, c.html, c.spam, c.parent)
                                                            for c in post.comments))
            for spec in corpus.sites for post in spec.posts]


def fetch(url: str) -> tuple[int, bytes, dict]:
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=10) as response:
        body = response.read()
        headers = dict(response.headers)
        if headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        return response.status, body, headers


@pytest.fixture(scope="module")
def web():
    with SyntheticWeb(120, seed=3, first_ip=250) as served:  # 127.0.0.250-253, then 127.0.1.1
        yield served


def test_same_seed_same_corpus_other_seed_other_corpus():
    first, again = synthetic_corpus(400, seed=1), synthetic_corpus(400, seed=1)
    other = synthetic_corpus(400, seed=2)
    assert fingerprint(first) == fingerprint(again)
    assert fingerprint(first) != fingerprint(other)


def test_sites_grow_in_groups_of_five_kinds():
    small, big = plan(500), plan(20_000)
    assert small.groups == 1 and big.groups == math.ceil(20_000 / PAGES_PER_GROUP)
    assert big.sites == 5 * big.groups
    corpus = synthetic_corpus(3 * PAGES_PER_GROUP)
    keys = [spec.key for spec in corpus.sites]
    sample_keys = [spec.key for spec in load_corpus().sites]
    assert keys[:5] == sample_keys  # the first group keeps the sample web's keys (cross-links, error pages)
    assert keys[5:10] == [f"{key}-2" for key in sample_keys]
    assert [spec.kind for spec in corpus.sites] == list(KINDS) * 3
    for spec in corpus.sites:
        assert len({post.path for post in spec.posts}) == len(spec.posts), spec.key
    with pytest.raises(ValueError):
        plan(10)
    with pytest.raises(ValueError):
        plan(10_000_000)  # more sites than we would serve


def test_copies_carry_the_sample_webs_damage_and_comments():
    corpus = synthetic_corpus(2_000)
    damage = Counter()
    comments = []
    for spec in corpus.sites:
        for post in spec.posts:
            damage.update(post.corruptions)
            comments += post.comments
            if post.role == "copy":
                original = next(p for p in corpus.site(post.source_site).posts if p.path == post.source_path)
                assert original.article is post.article
                assert post.published > original.published
    assert {"bang", "question", "split", "mojibake", "spin", "abridged"} <= set(damage)
    assert any(c.spam for c in comments) and any(not c.spam for c in comments)
    assert any(c.parent for c in comments)  # WordPress replies
    assert any(c.kind == "pingback" for c in comments)
    wordpress = [p for s in corpus.sites if s.platform == "wordpress" for p in s.posts]
    assert any(p.extra_paths for p in wordpress)  # posts with a second comment page
    roles = Counter(p.role for s in corpus.sites for p in s.posts)
    assert roles["original"] and roles["copy"] and roles["duplicate"]


def test_articles_recombine_the_bundled_paragraphs():
    bundled = {p for a in load_corpus().articles.values() for p in a.paragraphs}
    corpus = synthetic_corpus(300)
    for article in list(corpus.articles.values())[:50]:
        assert set(article.paragraphs) <= bundled
        assert 350 <= article.word_count <= 1000, article.word_count
    assert len({a.title for a in corpus.articles.values()}) > len(corpus.articles) / 3


def test_post_pages_have_the_templates_markup_and_real_sizes(web):
    seen = set()
    for spec in web.corpus.sites:
        site = web.site(spec.key)
        for post in spec.posts[:2]:
            status, body, headers = fetch(site.base_url + post.path)
            text = body.decode("utf-8")
            assert status == 200 and headers["Content-Type"].startswith("text/html")
            for marker in MARKERS[spec.kind]:
                assert marker in text, (spec.kind, marker)
            assert post.title.split(":")[0].replace("&", "&amp;").replace('"', "&#34;")[:20] in text
            assert 8_000 <= len(body) <= 80_000, (spec.kind, len(body))
            seen.add(spec.kind)
    assert seen == set(KINDS)
    pages, total = web.served_bytes()
    assert 8 * 1024 <= total / pages <= 40 * 1024


def test_server_serves_every_page(web):
    urls = web.page_urls()
    assert set(web.article_urls()) <= set(urls)
    with ThreadPoolExecutor(4) as pool:
        statuses = Counter(status for status, _, _ in pool.map(fetch, urls))
    assert statuses == Counter({200: len(urls)})
    with ThreadPoolExecutor(4) as pool:
        assert {status for status, _, _ in pool.map(fetch, web.article_urls())} == {200}
    # The paged feeds a crawl walks were rendered (and gzipped) before the first request.
    blogger = web.site("blogger-classic")
    status, body, _ = fetch(blogger.base_url + "/feeds/posts/default?start-index=1&max-results=25")
    assert status == 200 and b"<feed" in body


def test_addresses_go_on_past_127_0_0_254(web):
    hosts = [site.host for site in web.sites]
    assert hosts == ["127.0.0.250", "127.0.0.251", "127.0.0.252", "127.0.0.253", "127.0.1.1"]
    assert fetch(web.sites[-1].start_url)[0] == 200


def test_load_client_counts_answers(web):
    result = loadtest(web.page_urls()[:50], threads=2, seconds=0.5)
    assert result["requests"] > 0 and result["errors"] == 0


def test_null_spider_is_the_auto_spider_without_item_pipelines():
    from scrapy.spiderloader import SpiderLoader
    from scrapy.utils.project import get_project_settings

    from crawler.spiders.null import NullSpider
    from crawler.spiders.sites import Spider

    assert issubclass(NullSpider, Spider) and NullSpider.platform == Spider.platform
    assert NullSpider.custom_settings == {"ITEM_PIPELINES": {}}
    settings = get_project_settings()
    settings.setmodule("crawler.settings", priority="project")
    assert SpiderLoader.from_settings(settings).load("null") is NullSpider


def test_null_and_real_crawls_fetch_the_same_pages(tmp_path):
    """The benchmark's own driver, both spiders, one small web: same pages, items only in the real one."""
    from pipeline.benchmarks.throughput import crawl

    with SyntheticWeb(60, seed=5) as small:
        urls = list(small.start_urls.values())
        null = crawl(urls, "null", tmp_path / "null.db")
        real = crawl(urls, "auto", tmp_path / "real.db", workers=1)
        posts = len(small.article_urls())
    assert null.pages == real.pages > posts
    assert "reprints/articles_extracted" not in null.stats
    assert null.stats["item_scraped_count"] >= posts - 1
    assert real.articles >= posts - 3  # the anti-bot page and clean duplicates aside
    assert real.db_stats["reprints/cpu_seconds/extract"] > 0
    assert real.peak_rss_mb > 0 and real.processes >= 2  # the crawl process and its pool
    assert null.stats["throughput/process_cpu_seconds"] > 0
