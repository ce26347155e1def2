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
