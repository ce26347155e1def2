"""The published corpus in a real browser: Debian's Chromium driven by Playwright."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import reprints_cmd

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-quic",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def served(crawled_db):
    port = free_port()
    proc = subprocess.Popen(reprints_cmd("serve", "--db", str(crawled_db), "--port", str(port)),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/-/versions.json", timeout=1)
            break
        except OSError:
            time.sleep(0.2)
    yield base
    proc.terminate()
    proc.wait(timeout=10)


def test_search_open_article_and_unfold_spam(served, tmp_path):
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(f"{served}/reprints/articles?_search=upline")
        link = page.locator("a", has_text="MLM Leadership -Why Your Upline Will Always Fail You").first
        link.click()
        page.wait_for_selector("h1.article-title")
        body = page.locator(".article-body").inner_text()
        assert "The leaders insist that you to speak to everybody" in body
        assert "Haven" not in body  # the bio left the body
        assert "Post a Comment" not in page.locator("article").inner_text()
        assert "Free Business Articles Blog" not in body
        spam = page.locator(".spam-comments .comment.spam", has_text="paid surveys").first
        assert not spam.is_visible()
        page.locator(".spam-comments summary").click()
        assert spam.is_visible()
        page.screenshot(path=str(SCREENSHOTS / "article-page.png"), full_page=True)
        browser.close()
