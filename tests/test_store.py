import json
import sqlite3

import pytest
import sqlite_utils

from pipeline.model import Article, Comment
from pipeline.store import (BatchWriter, StoreError, article_id, content_hash, ensure_schema, open_db, save_article,
                            save_articles)


def make_article(**overrides) -> Article:
    fields = dict(
        url="http://127.0.0.13:8100/2008/03/mlm-leadership.html", platform="blogger",
        site_name="Free Business Articles Blog", title="MLM Leadership", author="Roger Smith",
        published="2008-03-05", categories=["mlm", "leadership"],
        paragraphs=["Success in your MLM career depends on your sponsor.", "Final views."],
        bio="Roger Smith is the founder of Magnetic Leadership Marketing (MLM).",
        syndicated_from="http://www.a1articles.com/article_485576_80.html",
        repairs={"stray_bang": 2}, topic_score=0.9,
        comments=[Comment(author="Ann", body="Thank you."),
                  Comment(author="WAHMom", body="paid surveys", is_spam=True, spam_score=0.97,
                          spam_reasons=["posted_years_after_post"])],
    )
    fields.update(overrides)
    return Article(**fields)


def test_ensure_schema_is_idempotent_and_complete():
    db = sqlite_utils.Database(memory=True)
    ensure_schema(db)
    ensure_schema(db)
    names = set(db.table_names())
    assert {"sites", "authors", "articles", "comments", "clusters", "crawls", "schedules",
            "article_versions", "articles_fts", "comments_fts"} <= names
    assert {fk.other_table for fk in db["articles"].foreign_keys} == {"sites", "authors", "crawls", "clusters"}


def test_save_new_then_unchanged_then_updated_keeps_history(db_path):
    db = open_db(db_path)
    assert save_article(db, make_article(), when="2026-01-01T00:00:00+00:00") == "new"
    assert save_article(db, make_article(), when="2026-01-02T00:00:00+00:00") == "unchanged"
    changed = make_article(paragraphs=["Success in your MLM career depends on you.", "Final views."])
    assert save_article(db, changed, when="2026-01-03T00:00:00+00:00") == "updated"
    row = db["articles"].get(article_id(changed.url))
    assert row["first_seen"] == "2026-01-01T00:00:00+00:00"
    assert row["last_seen"] == "2026-01-03T00:00:00+00:00"
    assert row["body"].startswith("Success in your MLM career depends on you.")
    assert json.loads(row["repairs"]) == {"stray_bang": 2}
    versions = list(db["article_versions"].rows)
    assert [v["body"].split(".")[0] for v in versions] == ["Success in your MLM career depends on your sponsor"]
    assert db["articles"].count == 1
    assert db["comments"].count == 2


def test_a_recrawl_without_a_crawl_id_keeps_the_stored_one(db_path):
    db = open_db(db_path)
    crawl = db["crawls"].insert({"spider": "auto", "status": "finished"}).last_pk
    save_article(db, make_article(), crawl_id=crawl)
    save_article(db, make_article(paragraphs=["A changed body."]), crawl_id=None)
    row = db["articles"].get(article_id(make_article().url))
    assert (row["crawl_id"], row["body"]) == (crawl, "A changed body.")


def test_content_hash_folds_case_and_whitespace():
    assert content_hash("MLM  Leadership\n\nSuccess IS yours") == content_hash("mlm leadership success is yours")
    assert content_hash("MLM Leadership") != content_hash("MLM Leaders hip")


def _table(db, sql):
    return [tuple(row) for row in db.execute(sql).fetchall()]


def test_batch_writer_stores_what_save_articles_stores_and_reports_statuses(tmp_path):
    batches = [[make_article(url=f"http://blog.example/{i}.html", author=f"Author {i % 3}") for i in range(j, j + 4)]
               for j in range(0, 12, 4)]
    plain = open_db(str(tmp_path / "plain.db"))
    for batch in batches:
        save_articles(plain, batch, None, "2026-01-01T00:00:00+00:00")
    reported = []
    with BatchWriter(str(tmp_path / "writer.db"), on_saved=lambda arts, st: reported.append(
            [(a.url.rsplit("/", 1)[1], s) for a, s in zip(arts, st)])) as writer:
        for batch in batches:
            writer.save(batch, "2026-01-01T00:00:00+00:00")
        writer.save([make_article(url="http://blog.example/0.html"),
                     make_article(url="http://blog.example/1.html", paragraphs=["New text."])],
                    "2026-01-02T00:00:00+00:00")
    assert reported[0] == [("0.html", "new"), ("1.html", "new"), ("2.html", "new"), ("3.html", "new")]
    assert reported[-1] == [("0.html", "unchanged"), ("1.html", "updated")]
    written = open_db(str(tmp_path / "writer.db"))
    save_articles(plain, batches[0][:1], None, "2026-01-02T00:00:00+00:00")
    save_articles(plain, [make_article(url="http://blog.example/1.html", paragraphs=["New text."])], None,
                  "2026-01-02T00:00:00+00:00")
    for sql in ("select * from articles order by id", "select * from comments order by id",
                "select * from authors order by id", "select * from sites order by id",
                "select article_id, title, body, first_seen, replaced from article_versions",
                "select rowid from articles_fts where articles_fts match 'text' order by rowid"):
        assert _table(written, sql) == _table(plain, sql), sql


def test_a_failed_batch_is_rolled_back_named_and_earlier_batches_stay(tmp_path):
    path = str(tmp_path / "corpus.db")
    db = open_db(path)
    db.execute("create trigger refuse before insert on articles when new.title = 'boom' "
               "begin select raise(abort, 'refused by a test trigger'); end")
    writer = BatchWriter(path)
    writer.save([make_article(url="http://blog.example/kept.html")])
    writer.save([make_article(url="http://blog.example/lost.html"),
                 make_article(url="http://blog.example/boom.html", title="boom")])
    with pytest.raises(StoreError, match=r"corpus\.db: refused by a test trigger"):
        writer.close()
    assert [row["url"] for row in db.query("select url from articles")] == ["http://blog.example/kept.html"]
    assert db.execute("select count(*) from comments").fetchone()[0] == 2
    assert db.execute("pragma integrity_check").fetchone()[0] == "ok"


def test_comments_keep_page_order_and_verdicts(db_path):
    db = open_db(db_path)
    save_article(db, make_article())
    rows = list(db.query("select author, position, is_spam, spam_reasons from comments order by position"))
    assert rows == [{"author": "Ann", "position": 0, "is_spam": 0, "spam_reasons": "[]"},
                    {"author": "WAHMom", "position": 1, "is_spam": 1,
                     "spam_reasons": '["posted_years_after_post"]'}]


def test_same_author_on_two_sites_is_one_row(db_path):
    db = open_db(db_path)
    save_article(db, make_article())
    save_article(db, make_article(url="http://127.0.0.11:8100/article_485576_80.html", platform="directory",
                                  author="Roger  SMITH", bio="Roger Smith is the founder of Magnetic "
                                  "Leadership Marketing (MLM). He assists entrepreneurs."))
    assert db["authors"].count == 1
    author = next(iter(db["authors"].rows))
    assert author["name"] == "Roger Smith"
    assert author["bio"].endswith("He assists entrepreneurs.")  # the fuller bio wins
    assert db["sites"].count == 2


def test_full_text_search_follows_writes(db_path):
    db = open_db(db_path)
    save_article(db, make_article())
    hits = list(db.query("select title from articles where rowid in "
                         "(select rowid from articles_fts where articles_fts match 'sponsor')"))
    assert hits == [{"title": "MLM Leadership"}]
    save_article(db, make_article(paragraphs=["Nothing about that word now."]))
    assert list(db.query("select rowid from articles_fts where articles_fts match 'sponsor'")) == []
    assert list(db.query("select rowid from comments_fts where comments_fts match 'surveys'"))


def test_updates_outside_the_text_leave_the_full_text_index_alone(db_path):
    db = open_db(db_path)
    save_article(db, make_article())
    index_rows = lambda: db.execute("select count(*) from articles_fts_data").fetchone()[0]  # noqa: E731
    before = index_rows()
    with db.conn:
        db.execute("update articles set last_seen = 'later', cluster_id = null")
    assert index_rows() == before  # no delete-and-reinsert of the row's terms
    with db.conn:
        db.execute("update articles set title = 'Sponsorship Secrets'")
    assert [r["title"] for r in db.query("select title from articles where rowid in (select rowid from "
                                         "articles_fts where articles_fts match 'secrets')")] == ["Sponsorship Secrets"]


def test_a_file_that_is_not_sqlite_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database\n" * 100)
    before = path.read_bytes()
    with pytest.raises(StoreError, match="notes.db: not an SQLite database"):
        open_db(str(path))
    assert path.read_bytes() == before


def test_a_directory_that_does_not_exist_is_refused(tmp_path):
    with pytest.raises(StoreError, match="missing/x.db"):
        open_db(str(tmp_path / "missing" / "x.db"))
    assert not (tmp_path / "missing").exists()


def test_integrity_after_writes(db_path):
    db = open_db(db_path)
    save_article(db, make_article())
    db.close()
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("pragma integrity_check").fetchone() == ("ok",)
        assert conn.execute("pragma foreign_key_check").fetchall() == []


def test_the_crawl_writes_waiting_articles_on_a_timer_when_no_further_page_comes(tmp_path):
    # A crawl's slow tail (retries, timeouts) sends no page for a while: what waits is written
    # anyway, so that killing the crawl then loses nothing already extracted.
    from scrapy.utils.test import get_crawler
    from twisted.internet import task

    from crawler.pipelines import StorePipeline
    from crawler.spiders.sites import Spider

    db = tmp_path / "r.db"
    settings = {"REPRINTS_DB": str(db), "REPRINTS_STORE_BATCH": 100, "REPRINTS_STORE_SECONDS": 30}
    crawler = get_crawler(Spider, settings)
    crawler.spider = Spider.from_crawler(crawler, start_urls="http://site.test/")
    pipeline = StorePipeline.from_crawler(crawler)
    pipeline.open_spider()
    clock = task.Clock()  # the timer on a clock the test moves
    pipeline.timer.stop()
    pipeline.timer.clock = clock
    pipeline.timer.start(30, now=False)
    article = Article(url="http://site.test/a.html", title="Warm market", paragraphs=["Talk to them."])
    pipeline.process_item(article)
    stored = lambda: sqlite3.connect(db).execute("select count(*) from articles").fetchone()[0]  # noqa: E731
    assert stored() == 0  # a batch of one, well inside its 30 seconds
    clock.advance(30)
    assert stored() == 1 and pipeline.pending == []
    pipeline.close_spider()
    pipeline.spider_closed(crawler.spider, "finished")
    assert not pipeline.timer.running
