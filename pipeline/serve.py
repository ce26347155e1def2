"""Datasette over the corpus, with the project's `datasette/` configuration."""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATASETTE_DIR = PROJECT_ROOT / "datasette"
DATABASE_NAME = "reprints"
# Safe to put on the internet: read-only file, bounded queries, no facet suggestions on big tables.
SETTINGS = {
    "sql_time_limit_ms": 1000,
    "suggest_facets": "off",
    "default_page_size": 50,
    "max_returned_rows": 1000,
    "allow_download": "off",
}


class ServeError(Exception):
    """Datasette cannot be started."""


def check_port_free(host: str, port: int) -> None:
    """Raise ServeError when host:port is taken."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            raise ServeError(f"port {port} on {host} is already in use") from None


def datasette_command(db_path: Path, host: str, port: int) -> list[str]:
    """The datasette command line for a database named `reprints`."""
    args = [sys.executable, "-m", "datasette", "serve", "-i", str(db_path), "--host", host, "--port", str(port),
            "--metadata", str(DATASETTE_DIR / "metadata.yml")]
    if (DATASETTE_DIR / "templates").is_dir():
        args += ["--template-dir", str(DATASETTE_DIR / "templates")]
    if (DATASETTE_DIR / "plugins").is_dir():
        args += ["--plugins-dir", str(DATASETTE_DIR / "plugins")]
    if (DATASETTE_DIR / "static").is_dir():
        args += ["--static", f"static:{DATASETTE_DIR / 'static'}"]
    for name, value in SETTINGS.items():
        args += ["--setting", name, str(value)]
    return args


def named_reprints(db_path: Path) -> tuple[Path, tempfile.TemporaryDirectory | None]:
    """Datasette names a database after its file: link any other name to `reprints.db`."""
    if db_path.stem == DATABASE_NAME:
        return db_path, None
    tmp = tempfile.TemporaryDirectory(prefix="reprints-serve-")
    link = Path(tmp.name) / f"{DATABASE_NAME}.db"
    link.symlink_to(db_path.resolve())
    return link, tmp


def start_datasette(db_path: str, host: str = "127.0.0.1", port: int = 8001) -> tuple[subprocess.Popen, str]:
    """Start Datasette in a child process; return it and its URL."""
    path = Path(db_path)
    if not path.is_file():
        raise ServeError(f"{db_path}: no such database (run `reprints crawl` or `reprints run` first)")
    check_port_free(host, port)
    served, tmp = named_reprints(path)
    proc = subprocess.Popen(datasette_command(served, host, port))
    proc._reprints_tmp = tmp  # keep the link alive as long as the process
    return proc, f"http://{host}:{port}/{DATABASE_NAME}"
