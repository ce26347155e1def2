"""Each spider, forced with --platform, over one site of the sample web."""

from __future__ import annotations

import json
import sqlite3
import subprocess

import pytest

from tests.conftest import reprints_cmd


def crawl(tmp_path, *args) -> tuple[subprocess.CompletedProcess, list[str]]:
    db = tmp_path / "r.db"
    result = subprocess.run(reprints_cmd("crawl", *args, "--db", str(db), "--no-throttle"), capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    with sqlite3.connect(db) as conn:
        return result, sorted(row[0] for row in conn.execute("select url from articles"))


def truth_urls(web, site_key) -> list[str]:
    return sorted(page.url for page in web.truth().pages if page.site == site_key)


@pytest.mark.parametrize("platform, site_key, path", [
    ("feed", "blogger-classic", "/feeds/posts/default"),
    ("feed", "wordpress", "/feed/"),
    ("sitemap", "a1articles", "/sitemap.xml"),
])
def test_feed_and_sitemap_spiders_store_every_listed_post(sample_web, tmp_path, platform, site_key, path):
    _, stored = crawl(tmp_path, sample_web.url(site_key, path), "--platform", platform)
    listed = truth_urls(sample_web, site_key)
    if platform == "feed" and site_key == "wordpress":
        assert set(stored) <= set(listed) and len(stored) >= 5  # the feed lists the newest posts only
    else:
        assert stored == listed


@pytest.mark.parametrize("platform, site_key", [("blogger", "blogger-layouts"), ("wordpress", "wordpress"),
                                                ("directory", "ezine")])
def test_forced_platform_spiders_find_every_post(sample_web, tmp_path, platform, site_key):
    _, stored = crawl(tmp_path, sample_web.site(site_key).start_url, "--platform", platform)
    assert stored == truth_urls(sample_web, site_key)


def test_min_topic_score_keeps_only_on_topic_articles(sample_web, tmp_path):
    _, stored = crawl(tmp_path, sample_web.site("blogger-classic").start_url, "--min-topic-score", "0.99")
    assert len(stored) < len(truth_urls(sample_web, "blogger-classic"))


def test_max_pages_bounds_the_crawl(sample_web, tmp_path):
    result, _ = crawl(tmp_path, sample_web.site("ezine").start_url, "--max-pages", "5")
    with sqlite3.connect(tmp_path / "r.db") as conn:
        stats = json.loads(conn.execute("select stats from crawls").fetchone()[0])
    assert stats["finish_reason"] == "closespider_pagecount"
    assert stats["response_received_count"] <= 5 + 32  # responses already in flight (CONCURRENT_REQUESTS) still arrive


def test_extract_command_on_a_saved_page(sample_web, tmp_path):
    import urllib.request

    url = sample_web.url("blogger-classic", "/2008/03/mlm-leadership-why-your-upline-will.html")
    saved = tmp_path / "post.html"
    saved.write_bytes(urllib.request.urlopen(url).read())
    result = subprocess.run(reprints_cmd("extract", str(saved), "--url", url), capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    article = json.loads(result.stdout)
    assert article["title"] == "MLM Leadership -Why Your Upline Will Always Fail You No Matter What."
    assert article["syndicated_from"] == "http://www.a1articles.com/article_485576_80.html"
    assert article["bio"].startswith("Roger Smith is the founder")
    assert [(c["author"], c["is_spam"]) for c in article["comments"]] == [("WAHMom", True)]
    assert "tha! t" not in article["body"] and "that you to speak" in article["body"]
