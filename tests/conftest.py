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
