import subprocess

import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from tests.conftest import reprints_cmd


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_has_help_with_an_example(name):
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output


def test_top_level_help_has_an_example():
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output and "reprints run" in result.output


def test_crawl_of_an_unreachable_url_is_one_line_error(tmp_path):
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/"
    db = tmp_path / "x.db"
    result = subprocess.run(reprints_cmd("crawl", url, "--db", str(db), "--no-throttle"),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert errors == [f"Error: cannot crawl {url}: connection refused"]
    assert "Traceback" not in result.stderr


def test_crawl_into_an_unwritable_database_path_fails_cleanly(tmp_path):
    result = subprocess.run(reprints_cmd("crawl", "http://127.0.0.1:9/", "--db", str(tmp_path / "nope" / "x.db")),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith("Error: ")
    assert "nope/x.db" in result.stderr
    assert not (tmp_path / "nope").exists()


def test_crawl_rejects_non_http_urls():
    result = CliRunner().invoke(cli, ["crawl", "file:///etc/passwd"])
    assert result.exit_code == 1
    assert "file:///etc/passwd: not an http or https URL" in result.output


def test_extract_of_a_missing_file_names_it():
    result = CliRunner().invoke(cli, ["extract", "no-such-page.html"])
    assert result.exit_code == 1
    assert "no-such-page.html: No such file or directory" in result.output


def test_serve_refuses_a_port_in_use(tmp_path, db_path):
    import socket

    from pipeline.store import open_db

    open_db(db_path).close()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        result = CliRunner().invoke(cli, ["serve", "--db", db_path, "--port", str(port)])
    assert result.exit_code == 1
    assert f"port {port} on 127.0.0.1 is already in use" in result.output


def test_run_demo_loads_the_sample_web(tmp_path):
    import sqlite3

    db = tmp_path / "demo.db"
    result = subprocess.run(reprints_cmd("run", "--db", str(db), "--no-serve"), capture_output=True, text=True,
                            timeout=300, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "sample web: 5 sites on loopback" in result.stderr
    with sqlite3.connect(db) as conn:
        articles, sites = conn.execute("select count(*), count(distinct site_id) from articles").fetchone()
        commented = conn.execute("select count(distinct article_id) from comments").fetchone()[0]
    assert articles >= 40 and sites >= 4 and commented >= 10


def test_sampleweb_prints_one_start_url_per_site():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen(reprints_cmd("sampleweb", "--port", str(port)), stdout=subprocess.PIPE, text=True)
    try:
        lines = [proc.stdout.readline().strip() for _ in range(5)]
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert lines == [f"http://127.0.0.{ip}:{port}/" for ip in range(11, 16)]


def test_progress_line_counts_articles_cleaned_before_the_store_writes_them():
    from crawler.runner import progress_line

    stats = {"response_received_count": 131, "reprints/articles_extracted": 40, "reprints/stored/new": 0,
             "reprints/errors/http_404": 3, "reprints/errors/redirect_loop": 1}
    assert progress_line(stats, 1.2) == "crawling: 131 pages fetched, 40 articles cleaned, 0 stored, 4 errors, 1s"
    stats.update({"reprints/stored/new": 30, "reprints/stored/unchanged": 10})
    assert "40 articles cleaned, 40 stored" in progress_line(stats, 9)
