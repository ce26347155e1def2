"""`reprints reprocess` rebuilds, from the WARC archive alone, the rows the crawl wrote."""

import sqlite3
import subprocess

from pipeline.archive import archive_path_for
from tests.conftest import reprints_cmd

ARTICLE_COLUMNS = "id, url, site_id, title, author_id, published, category, tags, body, body_html, " \
                  "word_count, topic_score, syndicated_from, content_hash, repairs"
COMMENT_COLUMNS = "id, article_id, position, author, author_url, posted, body, is_spam, spam_score, spam_reasons"


def rows(db, sql):
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def test_reprocess_into_an_empty_database_gives_the_crawled_rows(crawled_db, tmp_path):
    rebuilt = tmp_path / "rebuilt.db"
    result = subprocess.run(reprints_cmd("reprocess", "--db", str(rebuilt), "--archive",
                                         str(archive_path_for(crawled_db))), capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    for table, columns in (("articles", ARTICLE_COLUMNS), ("comments", COMMENT_COLUMNS)):
        crawled = rows(crawled_db, f"select {columns} from {table} order by id")
        assert crawled, f"the crawl stored no {table}"
        assert rows(rebuilt, f"select {columns} from {table} order by id") == crawled
    assert rows(rebuilt, "select spider, status from crawls") == [("reprocess", "finished")]


def test_reprocess_twice_adds_nothing(crawled_db, tmp_path):
    rebuilt = tmp_path / "rebuilt.db"
    archive = str(archive_path_for(crawled_db))
    for _ in range(2):
        result = subprocess.run(reprints_cmd("reprocess", "--db", str(rebuilt), "--archive", archive),
                                capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
    assert "0 new, 0 updated" in result.stderr
    assert rows(rebuilt, "select count(*) from articles") == rows(crawled_db, "select count(*) from articles")


def test_reprocess_without_an_archive_is_a_clear_error(tmp_path):
    result = subprocess.run(reprints_cmd("reprocess", "--db", str(tmp_path / "x.db")), capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stderr.strip() == f"Error: {tmp_path / 'x.warc'}: no archive folder (crawl first, or give --archive)"
