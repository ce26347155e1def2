"""Shared fixtures. Tests never touch the network beyond loopback."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
SHARED = PROJECT.parent / "shared"
FILES = Path(__file__).resolve().parent / "files"
CASES = Path(__file__).resolve().parent / "cases"


@pytest.fixture
def db_path(tmp_path) -> str:
    return str(tmp_path / "reprints.db")


def reprints_cmd(*args: str) -> list[str]:
    """The `reprints` command as a subprocess argument list (the venv's, whatever PATH says)."""
    return [sys.executable, "-m", "pipeline.cli", *args]


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch):
    # Loopback only: a proxy in the environment must not intercept the sample web.
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "*")
    yield


@pytest.fixture(scope="session")
def sample_web():
    """The bundled sample web on loopback, for the whole session."""
    from crawler.sampleweb.server import SampleWeb

    with SampleWeb() as web:
        yield web


@pytest.fixture(scope="session")
def crawled_db(sample_web, tmp_path_factory) -> Path:
    """A database made by one real `reprints crawl` of the whole sample web (shared: crawling is the slow part)."""
    import subprocess

    path = tmp_path_factory.mktemp("crawl") / "reprints.db"
    urls = [site.start_url for site in sample_web.sites]
    result = subprocess.run(reprints_cmd("crawl", *urls, "--db", str(path), "--no-throttle"),
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return path
