import json
import subprocess
from pathlib import Path

import jsonschema

from pipeline.export import ExportFilter, iter_records
from pipeline.store import open_db, save_article
from tests.conftest import reprints_cmd
from tests.test_store import make_article

SCHEMA = json.loads((Path(__file__).parent.parent / "pipeline/schemas/article.schema.json").read_text())


def corpus(db_path):
    db = open_db(db_path)
    save_article(db, make_article())
    save_article(db, make_article(url="http://127.0.0.15:8100/other/", platform="wordpress", site_name="WP",
                                  title="Recipes", author="Jane Doe", published="2012-05-01", comments=[],
                                  paragraphs=["A pie with pumpkin."], topic_score=0.05, syndicated_from=None))
    return db


def test_records_nest_comments_and_hide_spam_by_default(db_path):
    db = corpus(db_path)
    records = list(iter_records(db))
    assert [r["title"] for r in records] == ["Recipes", "MLM Leadership"]  # newest first
    leadership = records[1]
    assert leadership["author"]["bio"].startswith("Roger Smith is the founder")
    assert leadership["syndicated_from"] == "http://www.a1articles.com/article_485576_80.html"
    assert [c["author"] for c in leadership["comments"]] == ["Ann"]
    with_spam = list(iter_records(db, ExportFilter(include_spam=True)))[1]
    assert [c["author"] for c in with_spam["comments"]] == ["Ann", "WAHMom"]
    for record in records:
        jsonschema.validate(record, SCHEMA)


def test_filters(db_path):
    db = corpus(db_path)
    titles = lambda **kw: [r["title"] for r in iter_records(db, ExportFilter(**kw))]  # noqa: E731
    assert titles(site="127.0.0.15:8100") == ["Recipes"]
    assert titles(since="2010-01-01") == ["Recipes"]
    assert titles(until="2010-01-01") == ["MLM Leadership"]
    assert titles(author="roger smith") == ["MLM Leadership"]
    assert titles(search="sponsor") == ["MLM Leadership"]
    assert titles(min_topic_score=0.5) == ["MLM Leadership"]


def test_cli_export_json_array_to_file_validates(db_path, tmp_path):
    corpus(db_path).close()
    out = tmp_path / "out.json"
    result = subprocess.run(reprints_cmd("export", "--db", db_path, "--format", "json", "--output", str(out)),
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    records = json.loads(out.read_text())
    assert len(records) == 2
    for record in records:
        jsonschema.validate(record, SCHEMA)
    assert not (tmp_path / "out.json.partial").exists()
    assert "exported 2 articles" in result.stderr


def test_cli_export_to_unwritable_place_is_one_line_error(db_path, tmp_path):
    corpus(db_path).close()
    result = subprocess.run(reprints_cmd("export", "--db", db_path, "--output", str(tmp_path / "no/such/dir/x.jsonl")),
                            capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stderr.strip().startswith("Error:")
    assert "no/such/dir/x.jsonl" in result.stderr
    assert "Traceback" not in result.stderr


def _no_room_past(limit_bytes: int):
    """A child's preexec: writes past `limit_bytes` fail as on a full disk (EFBIG, not a signal)."""
    def apply():
        import resource
        import signal
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))
    return apply


ROOM_BYTES = 256 * 1024  # more than SQLite's shared-memory file needs, less than the export below


def test_export_that_runs_out_of_room_names_the_file_and_leaves_the_database_alone(db_path, tmp_path):
    db = open_db(db_path)
    for i in range(100):
        save_article(db, make_article(url=f"http://127.0.0.13:8100/2008/03/post-{i}.html",
                                      paragraphs=[f"Paragraph {k} of post {i}. " * 40 for k in range(4)]))
    db.close()
    out = tmp_path / "out.jsonl"
    result = subprocess.run(reprints_cmd("export", "--db", db_path, "--output", str(out)), capture_output=True,
                            text=True, preexec_fn=_no_room_past(ROOM_BYTES))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith(f"Error: {out}: ")
    assert "Traceback" not in result.stderr
    assert not out.exists() and not (tmp_path / "out.jsonl.partial").exists()
    db = open_db(db_path)
    assert db.execute("pragma integrity_check").fetchone() == ("ok",)
    assert db.execute("select count(*) from articles").fetchone() == (100,)


def test_export_to_a_full_stdout_is_one_line_error(db_path):
    corpus(db_path).close()
    with open("/dev/full", "w") as full:
        result = subprocess.run(reprints_cmd("export", "--db", db_path), stdout=full, stderr=subprocess.PIPE,
                                text=True)
    assert result.returncode == 1
    assert result.stderr.strip() == "Error: stdout: No space left on device"
