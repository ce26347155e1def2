"""Kill -9 in the middle of a crawl, start it again: nothing lost, nothing duplicated, database intact."""

import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

from pipeline.processes import process_tree
from tests.conftest import reprints_cmd

STORED_BEFORE_KILL = 10
WORKERS_EXIT_SECONDS = 30  # a generous bound on pipelines.ORPHAN_CHECK_SECONDS, not a timing claim


def alive(pids: set[int]) -> set[int]:
    """Those of pids still running (a zombie, or a process gone while we look, is not)."""
    def running(pid: int) -> bool:
        try:
            return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
        except OSError:
            return False
    return {pid for pid in pids if running(pid)}


def article_count(db) -> int:
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            return conn.execute("select count(*) from articles").fetchone()[0]
    except sqlite3.Error:
        return 0


def test_killed_crawl_restarted_with_its_jobdir_loses_and_duplicates_nothing(sample_web, tmp_path):
    db, jobdir = tmp_path / "r.db", tmp_path / "job"
    command = reprints_cmd("crawl", *[s.start_url for s in sample_web.sites], "--db", str(db),
                           "--jobdir", str(jobdir))
    # The first run keeps the polite delays so that it is still running when killed, however fast
    # the machine; the restart drops them.
    crawl = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while article_count(db) < STORED_BEFORE_KILL and crawl.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert crawl.poll() is None, "the crawl finished before it could be killed"
    workers = set(process_tree(crawl.pid)) - {crawl.pid}  # its forkserver and pool workers
    assert workers, "the crawl runs its cleaning in worker processes"
    os.kill(crawl.pid, signal.SIGKILL)
    crawl.wait()
    stored_at_kill = article_count(db)
    assert STORED_BEFORE_KILL <= stored_at_kill < len(sample_web.truth().pages)
    # Its worker processes notice and end instead of waiting forever for work.
    deadline = time.monotonic() + WORKERS_EXIT_SECONDS
    while alive(workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not alive(workers)

    again = subprocess.run([*command, "--no-throttle"], capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr[-2000:]
    assert "the last crawl there was killed" in again.stderr
    with sqlite3.connect(db) as conn:
        urls = [row[0] for row in conn.execute("select url from articles")]
        assert sorted(urls) == sorted(page.url for page in sample_web.truth().pages)
        assert conn.execute("select count(*), count(distinct id) from comments").fetchone()[0] == \
            conn.execute("select count(distinct id) from comments").fetchone()[0]
        assert conn.execute("pragma integrity_check").fetchone() == ("ok",)
        statuses = [row[0] for row in conn.execute("select status from crawls order by id")]
    assert statuses == ["killed", "finished"]  # the killed run stays visible as such


def test_a_clean_second_run_with_the_same_jobdir_is_not_a_recovery(sample_web, tmp_path):
    db, jobdir = tmp_path / "r.db", tmp_path / "job"
    command = reprints_cmd("crawl", sample_web.sites[2].start_url, "--db", str(db), "--no-throttle",
                           "--jobdir", str(jobdir))
    first = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr[-2000:]
    second = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert second.returncode == 0
    assert "killed" not in second.stderr
