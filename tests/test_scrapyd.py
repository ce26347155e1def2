"""A real Scrapyd on loopback: the project deploys with scrapyd-client and crawls the sample web through it.

Scrapyd runs from tmp_path with its own scrapyd.conf (eggs, logs and dbs inside tmp_path, HOME
too). `scrapyd-deploy` builds the egg in a copy of the project, since it writes setup.py, build/
and *.egg-info into the folder it runs in; the copy is the working tree's crawler/, pipeline/,
scrapy.cfg and pyproject.toml, with a `[deploy:test]` target for this Scrapyd.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import tomllib
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.test_schedule import reprints

pytest.importorskip("scrapyd", reason="scrapyd is not installed (it is in the dev extra: "
                                      "pip install -e '.[dev]')")
pytest.importorskip("scrapyd_client", reason="scrapyd-client is not installed (pip install -e '.[dev]')")

PROJECT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
NO_THROTTLE = ["AUTOTHROTTLE_ENABLED=False", "DOWNLOAD_DELAY=0", "CONCURRENT_REQUESTS_PER_DOMAIN=8"]
JOB_SECONDS = 120  # a deadline for a stuck job, not a measurement
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def call(base: str, endpoint: str, data: list[tuple[str, str]] | None = None, **params) -> dict:
    url = base + endpoint + ("?" + urllib.parse.urlencode(params) if params else "")
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    with OPENER.open(urllib.request.Request(url, data=body), timeout=10) as response:
        return json.loads(response.read())


def wait_for_job(base: str, job: str) -> dict:
    deadline = time.monotonic() + JOB_SECONDS
    while time.monotonic() < deadline:
        finished = {j["id"]: j for j in call(base, "listjobs.json", project="reprints")["finished"]}
        if job in finished:
            return finished[job]
        time.sleep(0.3)
    raise AssertionError(f"Scrapyd job {job} did not finish within {JOB_SECONDS}s")


@pytest.fixture(scope="module")
def scrapyd(tmp_path_factory):
    """Scrapyd on a free loopback port; yields its URL and folder."""
    root = tmp_path_factory.mktemp("scrapyd")
    port = free_port()
    (root / "scrapyd.conf").write_text(
        f"[scrapyd]\nbind_address = 127.0.0.1\nhttp_port = {port}\neggs_dir = {root / 'eggs'}\n"
        f"logs_dir = {root / 'logs'}\ndbs_dir = {root / 'dbs'}\nitems_dir =\njobs_dir =\n"
        f"poll_interval = 0.2\nmax_proc = 2\n")
    (root / "home").mkdir()
    env = dict(os.environ, HOME=str(root / "home"), NO_PROXY="*")
    log = open(root / "scrapyd.log", "wb")
    process = subprocess.Popen([str(BIN / "scrapyd")], cwd=root, env=env, stdout=log,
                               stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if call(base, "daemonstatus.json")["status"] == "ok":
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError("Scrapyd did not start: " + (root / "scrapyd.log").read_text()[-2000:])
            time.sleep(0.2)
        yield base, root
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


@pytest.fixture(scope="module")
def deployed(scrapyd, tmp_path_factory):
    """The project deployed to Scrapyd by `scrapyd-deploy`; yields Scrapyd's URL and folder."""
    base, root = scrapyd
    declared = tomllib.loads((PROJECT / "pyproject.toml").read_text())["project"].get("entry-points", {})
    if declared.get("scrapy", {}).get("settings") != "crawler.settings":
        pytest.fail("pyproject.toml declares no [project.entry-points.scrapy] "
                    "settings = \"crawler.settings\": Scrapyd finds a deployed project's settings "
                    "through that entry point of its egg")
    copy = tmp_path_factory.mktemp("project")
    for folder in ("crawler", "pipeline"):
        shutil.copytree(PROJECT / folder, copy / folder,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name in ("pyproject.toml", "README.md", "setup.py", "MANIFEST.in", "LICENSE"):
        if (PROJECT / name).exists():
            shutil.copy(PROJECT / name, copy / name)
    config = (PROJECT / "scrapy.cfg").read_text() + f"\n[deploy:test]\nurl = {base}\nproject = reprints\n"
    (copy / "scrapy.cfg").write_text(config)
    result = subprocess.run([str(BIN / "scrapyd-deploy"), "test"], cwd=copy, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-3000:] + result.stdout[-1000:]
    assert json.loads(result.stdout.strip().splitlines()[-1])["status"] == "ok", result.stdout
    spiders = call(base, "listspiders.json", project="reprints")["spiders"]
    assert {"auto", "blogger", "wordpress", "directory", "feed", "sitemap", "generic"} <= set(spiders)
    return base, root


def stored(db_path) -> dict[str, sqlite3.Row]:
    """The articles of a database by URL (none when the crawl never opened it)."""
    if not Path(db_path).exists():
        return {}
    with sqlite3.connect(db_path) as conn:
        conn.row_factory = sqlite3.Row
        rows = conn.execute("select a.url, a.title, au.name as author from articles a "
                            "left join authors au on au.id = a.author_id").fetchall()
    return {row["url"]: row for row in rows}


def job_log(root, job: str) -> str:
    found = list((root / "logs").rglob(f"{job}.log"))
    return found[0].read_text(errors="replace")[-3000:] if found else "(no log)"


def test_a_crawl_scheduled_through_scrapyd_stores_the_sample_web(deployed, sample_web, tmp_path):
    base, root = deployed
    db_path = tmp_path / "reprints.db"
    data = [("project", "reprints"), ("spider", "auto"), ("start_urls", sample_web.site("ezine").start_url),
            ("setting", f"REPRINTS_DB={db_path}")] + [("setting", s) for s in NO_THROTTLE]
    answer = call(base, "schedule.json", data)
    assert answer["status"] == "ok", answer
    wait_for_job(base, answer["jobid"])
    truth = sample_web.truth()
    rows = stored(db_path)
    expected = [page for page in truth.pages if page.site == "ezine"]
    assert sorted(rows) == sorted(page.url for page in expected), job_log(root, answer["jobid"])
    pitfall = next(p for p in expected if p.path.startswith("/?The-Major-Pitfall-of-the-Network-Marketing"))
    assert (rows[pitfall.url]["title"], rows[pitfall.url]["author"]) == (pitfall.title, pitfall.author)
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("select spider, status, new from crawls").fetchall() == [("auto", "finished",
                                                                                       len(expected))]


def test_the_scheduler_starts_due_crawls_through_scrapyd(deployed, sample_web, tmp_path):
    base, root = deployed
    db_path = str(tmp_path / "reprints.db")
    url = sample_web.site("blogger-classic").start_url
    added = subprocess.run(reprints("schedule", "add", url, "--every", "6h", "--no-throttle",
                                    "--db", db_path), capture_output=True, text=True)
    assert added.returncode == 0, added.stderr
    ran = subprocess.run(reprints("schedule", "run-due", "--scrapyd", base, "--wait", "--db", db_path),
                         capture_output=True, text=True, timeout=JOB_SECONDS + 60)
    assert ran.returncode == 0, ran.stderr
    assert "started: Scrapyd job " in ran.stderr
    job = ran.stderr.split("started: Scrapyd job ", 1)[1].split(";")[0]
    truth = sample_web.truth()
    expected = sorted(page.url for page in truth.pages if page.site == "blogger-classic")
    assert sorted(stored(db_path)) == expected, job_log(root, job)
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("select spider, status, new from crawls").fetchall() == [("auto", "finished",
                                                                                       len(expected))]
        run_job, last_run, last_error = conn.execute(
            "select run_job, last_run, last_error from schedules").fetchone()
    assert run_job is None and last_run and last_error is None  # the job is over, and the schedule knows
