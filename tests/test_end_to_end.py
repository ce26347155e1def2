"""One real crawl of the whole sample web (see conftest.crawled_db), checked against the sample web's truth."""

from __future__ import annotations

import json
import sqlite3

import pytest

EXAMPLE_TITLE = "MLM Leadership -Why Your Upline Will Always Fail You No Matter What."


@pytest.fixture(scope="module")
def truth(sample_web):
    return sample_web.truth()


@pytest.fixture(scope="module")
def conn(crawled_db):
    connection = sqlite3.connect(crawled_db)
    connection.row_factory = sqlite3.Row
    yield connection
    connection.close()


def article_row(conn, url):
    return conn.execute(
        "select a.*, au.name as author_name, au.bio as author_bio, s.platform as site_platform, "
        "(select count(*) from comments c where c.article_id = a.id) as comment_count, "
        "(select count(*) from comments c where c.article_id = a.id and c.is_spam) as spam_count "
        "from articles a left join authors au on au.id = a.author_id left join sites s on s.id = a.site_id "
        "where a.url = ?", [url]).fetchone()


def test_every_article_page_is_stored_once_and_nothing_else(conn, truth):
    stored = [row["url"] for row in conn.execute("select url from articles")]
    assert len(stored) == len(set(stored))
    assert sorted(stored) == sorted(page.url for page in truth.pages)


def test_five_sites_with_their_platforms(conn, sample_web):
    sites = {row["id"]: row["platform"] for row in conn.execute("select id, platform from sites")}
    assert sites == {site.netloc: site.platform for site in sample_web.sites}


@pytest.mark.parametrize("site, path_start", [
    ("blogger-classic", "/2008/03/mlm-leadership-why-your-upline-will.html"),
    ("blogger-layouts", "/2010/09/5-ways-to-support-your-downline-without.html"),
    ("wordpress", "/2011/09/building-your-mlm-business-with-social-media"),
    ("ezine", "/?The-Major-Pitfall-of-the-Network-Marketing-and-MLM-Industry&id=5071264"),
    ("a1articles", "/article_485576_80.html"),
])
def test_named_articles(conn, truth, site, path_start):
    page = next(p for p in truth.pages if p.site == site and p.path.startswith(path_start))
    row = article_row(conn, page.url)
    assert row is not None, page.url
    assert row["title"] == page.title
    assert row["author_name"] == page.author
    assert row["published"][:10] == page.published[:10]
    assert row["site_platform"] == page.platform
    assert row["comment_count"] == page.comment_count


def test_every_page_has_its_title_date_and_comment_count(conn, truth):
    wrong = []
    for page in truth.pages:
        row = article_row(conn, page.url)
        got = (row["title"], row["published"][:10], row["comment_count"])
        want = (page.title, page.published[:10], page.comment_count)
        if got != want:
            wrong.append((page.url, got, want))
    assert wrong == []


def test_the_example_post_comes_out_clean(conn, truth):
    page = next(p for p in truth.pages if p.site == "blogger-classic" and p.title == EXAMPLE_TITLE)
    row = article_row(conn, page.url)
    body = row["body"]
    assert "The leaders insist that you to speak to everybody" in body
    assert "Leaders blame the new distributor as not putting enough efforts and move on to another distributor." \
        in body
    assert "special dinners" in body
    for chrome in ("Post a Comment", "<< Home", "Free Busine", "All Rights Reserved", "Source:", "said...",
                   "Roger Smith is the founder"):
        assert chrome not in body
    assert body.endswith("show healthy growth.")
    assert row["syndicated_from"] == "http://www.a1articles.com/article_485576_80.html"
    assert row["author_bio"].startswith("Roger Smith is the founder of Magnetic Leadership Marketing (MLM).")
    assert row["author_bio"].endswith("Skype Me: (972)535-8801")  # the copyright footer is not bio
    assert json.loads(row["repairs"])["stray_bang"] >= 7
    assert (row["comment_count"], row["spam_count"]) == (1, 1)


def test_comments_carry_spam_verdicts_close_to_the_truth(conn, truth):
    verdicts = {(row["url"], row["author"]): row["is_spam"] for row in conn.execute(
        "select a.url, c.author, c.is_spam from comments c join articles a on a.id = c.article_id")}
    pages = {(p.site, p.path): p.url for p in truth.pages}
    judged = [(verdicts.get((pages[(c.site, c.page)], c.author)), c.spam) for c in truth.comments
              if (c.site, c.page) in pages]
    assert len(judged) == len(truth.comments)
    agree = sum(1 for got, want in judged if got is not None and bool(got) == want)
    assert agree / len(judged) >= 0.9


def test_the_crawl_is_recorded_with_its_errors(conn, truth):
    crawl = conn.execute("select * from crawls").fetchone()
    assert crawl["status"] == "finished"
    stats = json.loads(crawl["stats"])
    assert crawl["new"] == len(truth.pages)
    # each planted bad page is counted with its reason
    assert stats.get("httperror/response_ignored_status_count/404", 0) + stats.get("reprints/errors/http_404", 0) >= 1
    assert stats.get("reprints/errors/http_410") == 1
    assert stats.get("reprints/errors/http_500") == 1
    assert stats.get("reprints/errors/not_html") == 1
    assert stats.get("reprints/errors/redirect_loop") == 1
    assert any(key.startswith("reprints/not_article/") and "bot" in key for key in stats)
    assert crawl["errors"] >= 5


def test_republished_copies_are_clustered_as_the_truth_groups_them(conn, truth):
    article_of = {page.url: page.article for page in truth.pages}
    groups: dict = {}
    for url, cluster in conn.execute("select url, cluster_id from articles"):
        groups.setdefault(cluster if cluster is not None else url, set()).add(article_of[url])
    # each cluster holds one article, and each article is in one cluster
    assert all(len(articles) == 1 for articles in groups.values())
    assert len(groups) == len(truth.articles)
    canonical_sites = {row[0] for row in conn.execute(
        "select s.platform from clusters join articles a on a.id = clusters.canonical_article_id "
        "join sites s on s.id = a.site_id")}
    assert canonical_sites == {"directory"}  # the directory original wins over blog copies
