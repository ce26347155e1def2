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


# -- a copy that lost its style takes an intact sibling's -------------------------------------------

def test_the_crawl_gives_a_converted_copy_the_dash_style_of_its_intact_sibling(crawled_db):
    # The blogger copy of warm-market-myth went through a Latin-1 form: every dash became "?".
    # Its directory original writes spaced en dashes; nothing left in the copy says so.
    (body, repairs), = rows(crawled_db, "select body, repairs from articles where url like '%warm-market-myth%' "
                                        "and site_id != (select site_id from articles where url like '%981245%')")
    assert "Talk to your warm market – differently" in body
    assert '"dash_style_from_copy": 1' in repairs and "dash_style_guessed" not in repairs


def test_after_the_crawl_no_copy_is_left_that_a_sibling_could_restyle(crawled_db):
    import sqlite_utils

    from pipeline.reprocess import copy_hints

    assert copy_hints(sqlite_utils.Database(crawled_db)) == {}
    # The crawl did restyle some: their repairs say the style came from a copy.
    assert rows(crawled_db, "select count(*) from articles where repairs like '%style_from_copy%'")[0][0] >= 5


def copy_corpus(crawled_db, tmp_path):
    import shutil

    db = tmp_path / "reprints.db"
    shutil.copy(crawled_db, db)
    shutil.copytree(archive_path_for(crawled_db), archive_path_for(db))
    return db


def test_dedup_again_restyles_nothing(crawled_db, tmp_path):
    db = copy_corpus(crawled_db, tmp_path)
    before = rows(db, "select id, body, repairs from articles order by id")
    result = subprocess.run(reprints_cmd("dedup", "--db", str(db)), capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "restyle" not in result.stderr
    assert rows(db, "select id, body, repairs from articles order by id") == before


def test_a_damaged_archive_skips_the_restyle_and_keeps_the_clusters(crawled_db, tmp_path):
    db = copy_corpus(crawled_db, tmp_path)
    # Make one restyled copy look never consulted, so that dedup wants to read the archive.
    with sqlite3.connect(db) as conn:
        conn.execute("""update articles set repairs = replace(repairs, '"copy_consulted": 1, ', '') """
                     "where url like '%warm-market-myth%' and repairs like '%copy_consulted%'")
        assert conn.total_changes == 1
    damaged = archive_path_for(db) / "crawl-00000000T000000000000-1.warc.gz"
    damaged.write_bytes(b"not a warc file")
    before = rows(db, "select id, body, cluster_id from articles order by id")
    result = subprocess.run(reprints_cmd("dedup", "--db", str(db)), capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert f"restyle skipped: {damaged}: truncated or not a WARC file" in result.stderr
    assert rows(db, "select id, body, cluster_id from articles order by id") == before
