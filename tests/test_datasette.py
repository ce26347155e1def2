"""Datasette over a small corpus, in-process (the browser test drives a real server)."""

import asyncio

import pytest
import yaml
from datasette.app import Datasette

from pipeline.serve import DATASETTE_DIR, SETTINGS
from pipeline.store import article_id, open_db, save_article
from tests.test_store import make_article


@pytest.fixture
def datasette(tmp_path):
    path = tmp_path / "reprints.db"
    db = open_db(str(path))
    save_article(db, make_article(paragraphs=["Leaders insist that you speak to everybody.",
                                              "<script>alert('x')</script> stays text."]))
    db.close()
    metadata = yaml.safe_load((DATASETTE_DIR / "metadata.yml").read_text())
    return Datasette(files=[str(path)], immutables=[], metadata=metadata,
                     template_dir=str(DATASETTE_DIR / "templates"), plugins_dir=str(DATASETTE_DIR / "plugins"),
                     static_mounts=[("static", str(DATASETTE_DIR / "static"))],
                     settings={k: v for k, v in SETTINGS.items() if k != "suggest_facets"})


def get(ds, path):
    return asyncio.run(ds.client.get(path))


def test_article_page_shows_clean_body_bio_source_and_folds_spam(datasette):
    art = article_id(make_article().url)
    response = get(datasette, f"/reprints/articles/{art}")
    assert response.status_code == 200
    html = response.text
    assert "<h1 class=\"article-title\">MLM Leadership</h1>" in html
    assert "Leaders insist that you speak to everybody." in html
    assert "Roger Smith is the founder of Magnetic Leadership Marketing (MLM)." in html
    assert "Republished from <a href=\"http://www.a1articles.com/article_485576_80.html\"" in html
    # spam sits inside a closed <details>, the reader's comment outside it
    before_details, details = html.split("<details class=\"spam-comments\">")
    assert "Thank you." in before_details and "WAHMom" not in before_details
    assert "WAHMom" in details
    # stored text is escaped, never run
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; stays text." in html
    assert "<code>stray_bang</code>: 2" in html


@pytest.mark.parametrize("query, params", [
    ("articles_per_month", ""), ("top_authors", ""), ("spam_by_site", ""), ("most_repaired", ""),
    ("search", "?q=insist"), ("feed", "?q=insist"),
])
def test_canned_queries_run(datasette, query, params):
    response = get(datasette, f"/reprints/{query}.json{params}{'&' if params else '?'}_shape=array")
    assert response.status_code == 200, response.text
    assert len(response.json()) >= 1


def test_search_query_highlights_snippets(datasette):
    rows = get(datasette, "/reprints/search.json?q=insist&_shape=array").json()
    assert rows[0]["title"] == "MLM Leadership"
    assert "<mark>insist</mark>" in rows[0]["snippet"]


def test_atom_feed_of_newest_articles(datasette):
    response = get(datasette, "/reprints/feed.atom")
    assert response.status_code == 200
    assert "<title>MLM Leadership</title>" in response.text


def test_no_writable_canned_queries():
    metadata = yaml.safe_load((DATASETTE_DIR / "metadata.yml").read_text())
    queries = metadata["databases"]["reprints"]["queries"]
    assert all(not q.get("write") for q in queries.values())
    assert all(q["sql"].lstrip().lower().startswith("select") for q in queries.values())


def test_cluster_query_runs_on_a_corpus_without_clusters(datasette):
    response = get(datasette, "/reprints/syndicated_clusters.json?_shape=array")
    assert response.status_code == 200
    assert response.json() == []


@pytest.mark.parametrize("path", ["/", "/reprints/articles", "/reprints/articles.json", "/-/static/app.css"])
def test_every_response_carries_the_security_headers(datasette, path):
    headers = get(datasette, path).headers
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert "object-src 'none'" in headers["content-security-policy"]
