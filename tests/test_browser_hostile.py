"""Publishing safety: hostile articles in a real browser, and a database served read-only with a time limit.

Two articles go into a fresh database through `pipeline.store.save_article`:

- the hostile site's script page (crawler/sampleweb/hostile.py, SCRIPT_POST) run through the whole
  pipeline (`process_page`), as a crawl stores it;
- a raw article that skips cleaning, its every field carrying `<script>`, on* handlers and
  `javascript:` / `data:` URLs, for the publishing layer alone to defend.

Datasette serves the database (`reprints serve`), Debian's Chromium opens each article page and the
table pages, and nothing may run: every payload sets `window.__pwned` and the title "PWNED".
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import reprints_cmd

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-quic",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

PWN = "window.__pwned=1;document.title='PWNED'"
RAW_URL = "http://127.0.0.21:8121/2026/08/raw-hostile-article/"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def raw_hostile_article():
    """An article whose every field is hostile, stored as is (no extraction, no cleaning)."""
    from pipeline.model import Article, Comment

    payloads = [
        f"<script>{PWN}</script>",
        f'<img src=x onerror="{PWN}">',
        f'<a href="javascript:{PWN}">click</a>',
        f"<svg onload=\"{PWN}\"></svg>",
        f'"><script>{PWN}</script>',
        f"';{PWN};//",
        f"</p></div><iframe src=\"javascript:{PWN}\"></iframe>",
        f"{{{{ 7*7 }}}} {{% raw %}}{PWN}",
    ]
    body_html = "\n".join(f"<p>{p}</p>" for p in payloads) + (
        f'<p onclick="{PWN}"><a href="JaVaScRiPt:{PWN}">x</a><a href="data:text/html,<script>alert(1)</script>">y</a>'
        f"<form action=\"javascript:{PWN}\"><button>Join</button></form><style>body{{background:url(javascript:{PWN})}}</style></p>")
    return Article(
        url=RAW_URL,
        platform="generic",
        site_name=f"<script>{PWN}</script>Hostile Blog",
        title=f"Network marketing <script>{PWN}</script> <img src=x onerror=\"{PWN}\">",
        author=f"<b onmouseover=\"{PWN}\">Eve Hacker</b>",
        author_url=f"javascript:{PWN}",
        published="2026-08-01",
        categories=[f"<script>{PWN}</script>"],
        paragraphs=["Network marketing distributors should read this paragraph about upline and downline."]
        + payloads,
        body_html=body_html,
        bio=f"Eve sells <a href=\"javascript:{PWN}\">autoship</a> plans.<script>{PWN}</script>",
        syndicated_from=f"javascript:{PWN}",
        comments=[
            Comment(author=f"<script>{PWN}</script>Mallory", author_url=f"javascript:{PWN}",
                    posted="2026-08-02T10:00:00", body=f"Great post! <img src=x onerror=\"{PWN}\">"),
            Comment(author="Trudy", author_url=f" JaVaScRiPt:{PWN}", posted="2026-08-02T11:00:00",
                    body=f"<a href=\"javascript:{PWN}\">my downline tips</a>"),
            Comment(author="Oscar", author_url=f"java\tscript:{PWN}", posted="2026-08-02T12:00:00",
                    body="The compensation plan question matters most."),
            Comment(author="Peggy", author_url="data:text/html,<script>alert(1)</script>", posted=None,
                    body=f"cheap pills <script>{PWN}</script>", is_spam=True, spam_score=0.99,
                    spam_reasons=[f"<script>{PWN}</script>"]),
        ],
        repairs={f"<script>{PWN}</script>": 1},
        topic_score=0.5,
    )


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """A database with the pipeline's script page and the raw hostile article; {name: article id}."""
    from crawler.sampleweb.hostile import POST_NUMBERS, SCRIPT_POST, post_html
    from pipeline.process import process_page
    from pipeline.store import article_id, open_db, save_article

    path = tmp_path_factory.mktemp("served") / "reprints.db"
    url = "http://127.0.0.21:8121" + SCRIPT_POST.path
    page = post_html(SCRIPT_POST, POST_NUMBERS[SCRIPT_POST.path]).encode("utf-8")
    db = open_db(str(path))
    save_article(db, process_page(page, url))
    save_article(db, raw_hostile_article())
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.conn.commit()
    db.close()
    return path, {"pipeline": article_id(url), "raw": article_id(RAW_URL)}


def start_serving(db: Path, log: Path) -> tuple[subprocess.Popen, str]:
    """`reprints serve` in its own process group (it starts Datasette as a child); wait until it answers."""
    port = free_port()
    with open(log, "wb") as out:
        proc = subprocess.Popen(reprints_cmd("serve", "--db", str(db), "--port", str(port)), stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(base + "/-/versions.json", timeout=1)
            return proc, base
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.2)
    stop_serving(proc)
    pytest.fail(f"reprints serve did not answer: {log.read_text(errors='replace')[-2000:]}")


def stop_serving(proc: subprocess.Popen) -> None:
    """End the serve process and the Datasette it started (its whole process group)."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    proc.wait(timeout=10)


@pytest.fixture(scope="module")
def served_log(hostile_db) -> Path:
    return hostile_db[0].with_name("serve.log")


@pytest.fixture(scope="module")
def served(hostile_db, served_log):
    proc, base = start_serving(hostile_db[0], served_log)
    yield base
    stop_serving(proc)


# What a page may not hold: scripts of ours, on* attributes, script-capable URLs (browsers drop
# ASCII whitespace and control characters inside a scheme, so "java\tscript:" is "javascript:").
FIND_ACTIVE = """() => {
  const found = [];
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      if (name.startsWith('on')) found.push(el.tagName + '@' + name);
      if (['href', 'src', 'action', 'formaction', 'xlink:href', 'data', 'background'].includes(name)) {
        const squeezed = attr.value.replace(/[\\u0000-\\u0020]/g, '').toLowerCase();
        if (/^(javascript|vbscript|data):/.test(squeezed)) found.push(el.tagName + '@' + name + '=' + attr.value.slice(0, 40));
      }
    }
    if (['SCRIPT', 'IFRAME', 'OBJECT', 'EMBED'].includes(el.tagName)
        && /pwned|PWNED|alert\\(/.test(el.outerHTML)) found.push('<' + el.tagName + '> ' + el.outerHTML.slice(0, 60));
  }
  return found;
}"""


# Script-capable URLs in links (browsers drop ASCII whitespace and control characters in a scheme).
FIND_SCRIPT_URLS = """() => {
  const found = [];
  for (const el of document.querySelectorAll('[href], [src], [action], [formaction]')) {
    for (const name of ['href', 'src', 'action', 'formaction']) {
      const value = el.getAttribute(name);
      if (value === null) continue;
      const squeezed = value.replace(/[\\u0000-\\u0020]/g, '').toLowerCase();
      if (/^(javascript|vbscript|data):/.test(squeezed)) found.push(el.tagName + '@' + name + '=' + value.slice(0, 40));
    }
  }
  return found;
}"""


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def open_page(chromium, url: str):
    """A fresh page at `url` (spam comments unfolded), and the list its dialogs go to."""
    context = chromium.new_context()
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(url)
    page.wait_for_load_state("load")
    if page.locator(".spam-comments summary").count():
        page.locator(".spam-comments summary").click()
    return context, page, dialogs


# Fire the events inline handlers hang on, on every element, as a reader's mouse would.
FIRE_EVENTS = """() => {
  for (const el of document.querySelectorAll('body *')) {
    for (const type of ['mouseover', 'mouseenter', 'focus', 'animationstart']) {
      el.dispatchEvent(new Event(type, {bubbles: true}));
    }
  }
}"""


def pwned(page) -> object:
    return page.evaluate("() => window.__pwned === undefined ? null : window.__pwned")


pytestmark_browser = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")


@pytestmark_browser
@pytest.mark.parametrize("which", ["pipeline", "raw"])
def test_no_script_runs_in_the_article_page(chromium, served, hostile_db, which):
    """Loaded, events fired, spam unfolded: no payload ran, no on* attribute or payload-bearing element exists."""
    _, ids = hostile_db
    context, page, dialogs = open_page(chromium, f"{served}/reprints/articles/{ids[which]}")
    assert page.locator("h1.article-title").count() == 1  # the reprints article page, not an error
    body = page.locator(".article-body").inner_text()
    if which == "raw":  # the payloads show as the text they are
        assert "<script>window.__pwned=1" in body
        assert "<script>" in page.locator("h1.article-title").inner_text()
    else:
        assert "Bring five questions with you" in body
    page.evaluate(FIRE_EVENTS)
    page.wait_for_timeout(300)
    found, ran, title = page.evaluate(FIND_ACTIVE), pwned(page), page.title()
    context.close()
    assert ran is None
    assert title != "PWNED"
    assert dialogs == []
    assert [f for f in found if "@href=" not in f] == []  # links: the next test


@pytestmark_browser
@pytest.mark.parametrize("which", ["pipeline", "raw"])
def test_no_script_url_in_the_article_page(chromium, served, hostile_db, which):
    """No javascript:, vbscript: or data: URL in a link; clicking each link that is not a web link runs nothing."""
    _, ids = hostile_db
    url = f"{served}/reprints/articles/{ids[which]}"
    context, page, _ = open_page(chromium, url)
    found = page.evaluate(FIND_SCRIPT_URLS)
    hrefs = [link.get_attribute("href") or "" for link in page.locator("article a[href]").all()]
    context.close()
    ran = []
    for index, href in enumerate(hrefs):
        if re.sub(r"[\x00-\x20]", "", href).lower().startswith(("http://", "https://", "/", "#", "?")):
            continue
        # one fresh page per click: a javascript: URL that returns a string replaces the document
        context, page, dialogs = open_page(chromium, url)
        page.set_default_timeout(5000)
        page.locator("article a[href]").nth(index).evaluate("a => a.click()")
        page.wait_for_timeout(300)
        state = page.evaluate("() => [String(window.__pwned), document.title, "
                              "document.body ? document.body.innerText.slice(0, 80) : '']")
        if "PWNED" in state[1:] or state[0] != "undefined" or dialogs:
            ran.append((href[:40], state))
        context.close()
    assert ran == [], ran  # clicked, it ran: the proof that a script URL in a link is a live XSS
    assert found == []


@pytestmark_browser
@pytest.mark.parametrize("path", ["/reprints/articles", "/reprints/comments", "/reprints/authors", "/reprints/sites",
                                  "/reprints?sql=select+*+from+articles", "/reprints/articles.json"])
def test_nothing_runs_in_the_table_pages(chromium, served, path):
    context, page, dialogs = open_page(chromium, served + path)
    page.evaluate(FIRE_EVENTS)
    page.wait_for_timeout(300)
    ran, title, active = pwned(page), page.title(), page.evaluate(FIND_ACTIVE)
    context.close()
    assert ran is None and title != "PWNED" and dialogs == []
    assert active == [], active


# -- the served database ------------------------------------------------------------------------------------

def get_json(url: str) -> tuple[int, object]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        body = error.read()
        try:
            return error.code, json.loads(body)
        except ValueError:
            return error.code, body.decode(errors="replace")


def sql(served: str, statement: str) -> tuple[int, object]:
    return get_json(f"{served}/reprints.json?" + urllib.parse.urlencode({"sql": statement, "_shape": "array"}))


def test_the_database_is_served_immutable(served, hostile_db):
    path, _ = hostile_db
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    status, databases = get_json(f"{served}/-/databases.json")
    reprints = next(d for d in databases if d["name"] == "reprints")
    assert reprints["is_mutable"] is False
    status, rows = sql(served, "select count(*) as n from articles")
    assert status == 200 and rows == [{"n": 2}]
    for statement in ("delete from articles", "update articles set title = 'x'", "drop table comments",
                      "insert into articles (id) values ('x')", "pragma writable_schema = 1",
                      "attach database '/tmp/reprints-attack.db' as x", "vacuum into '/tmp/reprints-attack.db'",
                      "select load_extension('/tmp/evil')", "create table x (y)",
                      "with x as (select 1) delete from articles"):
        status, answer = sql(served, statement)
        assert status >= 400, (statement, answer)
    assert not Path("/tmp/reprints-attack.db").exists()
    status, rows = sql(served, "select count(*) as n from articles")
    assert rows == [{"n": 2}]
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_no_write_endpoint_answers(served):
    payload = json.dumps({"row": {"id": "x", "title": "injected"}}).encode()
    for path in ("/reprints/articles/-/insert", "/reprints/-/create", "/reprints/articles/-/upsert",
                 "/reprints/articles/-/drop", "/reprints/-/query"):
        request = urllib.request.Request(served + path, data=payload, method="POST",
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        assert status >= 400, path
    status, queries = get_json(f"{served}/reprints.json")
    canned = queries.get("queries", []) if isinstance(queries, dict) else []
    assert not any(q.get("write") for q in canned)


def test_queries_have_a_time_limit(served):
    status, settings = get_json(f"{served}/-/settings.json")
    assert status == 200
    assert 0 < settings["sql_time_limit_ms"] <= 5000
    started = time.monotonic()
    status, answer = sql(served, "with recursive c(x) as (select 1 union all select x + 1 from c) "
                                 "select count(*) from c")
    elapsed = time.monotonic() - started
    assert status >= 400 and re.search(r"too long|interrupted", json.dumps(answer), re.I), answer
    assert elapsed < settings["sql_time_limit_ms"] / 1000 + 10


def test_a_bad_query_costs_no_traceback(served, served_log):
    time.sleep(0.5)
    before = served_log.stat().st_size
    status, _ = sql(served, "delete from articles")
    assert status == 400
    time.sleep(0.5)
    assert served_log.stat().st_size - before < 2000


def test_stopping_serve_stops_datasette(hostile_db, tmp_path):
    proc, base = start_serving(hostile_db[0], tmp_path / "serve.log")
    try:
        proc.terminate()  # SIGTERM to `reprints serve` alone, as a service manager would send
        proc.wait(timeout=10)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(base + "/-/versions.json", timeout=1)
            except OSError:
                return  # Datasette went with it
            time.sleep(0.2)
        pytest.fail(f"Datasette still answers at {base} after `reprints serve` was terminated")
    finally:
        stop_serving(proc)  # the whole process group: no orphan either way
