"""Periodic crawls (pipeline/schedule.py): parsing, slots, claims, one run per source, restarts, commands."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone

import click
import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.schedule import (
    LocalLauncher, ScheduleError, add_schedule, format_interval, get_schedule, list_schedules, open_schedules,
    parse_cron, parse_interval, pid_alive, run_due, schedule, scheduler,
)

T0 = datetime(2026, 11, 23, 9, 10, tzinfo=timezone.utc)
URL = "http://127.0.0.13:8100/"
# The `reprints` command with the schedule commands registered (a no-op once pipeline/cli.py has them).
REPRINTS = """
from pipeline.cli import cli
from pipeline.schedule import schedule, scheduler
for command in (schedule, scheduler):
    if command.name not in cli.commands:
        cli.add_command(command)
cli(prog_name="reprints")
"""


def reprints(*args: str) -> list[str]:
    return [sys.executable, "-c", REPRINTS, *args]


def commands() -> click.Group:
    """The top-level group with `schedule` and `scheduler`, as pipeline/cli.py will have it."""
    return click.Group("reprints", commands={**cli.commands, "schedule": schedule, "scheduler": scheduler})


def invoke(*args: str):
    return CliRunner().invoke(commands(), list(args))


class FakeLauncher:
    """Starts nothing; remembers what it was asked to start. Jobs run until `finish()`."""

    kind = "fake"

    def __init__(self, fail: str | None = None):
        self.started: list[tuple[int, list[str]]] = []
        self.running: set[str] = set()
        self.fail = fail
        self.lock = threading.Lock()

    def check(self):
        pass

    def start(self, item, urls):
        if self.fail:
            raise ScheduleError(self.fail)
        with self.lock:
            job = f"job{len(self.started) + 1}"
            self.started.append((item.id, urls))
            self.running.add(job)
        return {"run_pid": None, "run_job": job, "run_scrapyd": None}

    def alive(self, item):
        return item.run_job in self.running, None

    def finish(self):
        self.running.clear()

    def reap(self):
        pass


@pytest.fixture
def db(db_path):
    database = open_schedules(db_path)
    yield database
    database.close()


# -- parsing -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, seconds", [("6h", 21600), ("30m", 1800), ("1d", 86400), ("1h30m", 5400),
                                           ("2w", 1209600), (" 90 m ", 5400), ("1H", 3600)])
def test_intervals(text, seconds):
    assert parse_interval(text) == seconds
    assert parse_interval(format_interval(seconds)) == seconds


@pytest.mark.parametrize("text", ["6x", "", "h", "3600", "-1h", "1.5h", "6 hours", "30s"])
def test_bad_intervals_are_named(text):
    with pytest.raises(ScheduleError, match=r"^--every '.*': (not an interval|shorter than)"):
        parse_interval(text)


@pytest.mark.parametrize("expression, normal", [
    ("0 */6 * * *", "0 */6 * * *"), (" 30  2 * * 1-5 ", "30 2 * * 1-5"), ("@daily", "0 0 * * *"),
    ("@hourly", "0 * * * *")])
def test_cron_expressions(expression, normal):
    assert parse_cron(expression) == normal


@pytest.mark.parametrize("expression", ["0 */6 * *", "61 * * * *", "0 25 * * *", "* * * * * *", "@often",
                                        "0 0 31 2 *", "every day"])
def test_bad_cron_expressions_are_named(expression):
    with pytest.raises(ScheduleError, match=r"^--cron '.*': not a cron expression"):
        parse_cron(expression)


# -- adding ------------------------------------------------------------------------------------------

def test_an_interval_schedule_is_due_at_once_and_a_cron_one_at_its_next_time(db):
    every = add_schedule(db, URL, every="6h", now=T0)
    cron = add_schedule(db, "http://127.0.0.14:8100/", cron="0 */6 * * *", now=T0)
    assert (every.next_run, every.interval_seconds, every.cron) == ("2026-11-23T09:10:00+00:00", 21600, None)
    assert (cron.next_run, cron.cron) == ("2026-11-23T12:00:00+00:00", "0 */6 * * *")


def test_a_sources_file_is_a_source(db, tmp_path):
    sources = tmp_path / "sources.txt"
    sources.write_text("# my blogs\nhttp://127.0.0.13:8100/\n\nhttp://127.0.0.14:8100/\n")
    made = add_schedule(db, str(sources), "blogger", every="1d", now=T0)
    assert made.source == str(sources.resolve())


@pytest.mark.parametrize("source, message", [
    ("nowhere.example.com", "nowhere.example.com: unknown source"),
    ("ftp://example.com/", "ftp://example.com/: unknown source"),
    ("http://", "http://: unknown source"),
])
def test_an_unknown_source_is_refused(db, source, message):
    with pytest.raises(ScheduleError, match="^" + message):
        add_schedule(db, source, every="6h")
    assert list_schedules(db) == []


def test_a_sources_file_with_a_bad_line_is_refused_naming_the_line(db, tmp_path):
    sources = tmp_path / "sources.txt"
    sources.write_text("http://127.0.0.13:8100/\nblog.example.com\n")
    with pytest.raises(ScheduleError, match=r"sources\.txt: line 2: blog\.example\.com: not an http"):
        add_schedule(db, str(sources), every="6h")
    sources.write_text("# nothing yet\n")
    with pytest.raises(ScheduleError, match="no start URLs in this file"):
        add_schedule(db, str(sources), every="6h")
    assert list_schedules(db) == []


def test_the_same_schedule_twice_is_refused(db):
    first = add_schedule(db, URL, every="6h", now=T0)
    with pytest.raises(ScheduleError, match=f"already scheduled so, as #{first.id}"):
        add_schedule(db, URL, every="6h", now=T0)
    add_schedule(db, URL, cron="@daily", now=T0)  # another timing is another schedule
    assert len(list_schedules(db)) == 2


# -- slots and claims --------------------------------------------------------------------------------

def test_a_run_moves_next_run_to_the_next_slot_of_the_grid(db):
    add_schedule(db, URL, every="6h", now=T0)
    launcher = FakeLauncher()
    outcomes = run_due(db, launcher, now=T0 + timedelta(seconds=3))
    assert [o.status for o in outcomes] == ["started"]
    item = list_schedules(db)[0]
    assert (item.next_run, item.last_run, item.run_job) == (
        "2026-11-23T15:10:00+00:00", "2026-11-23T09:10:03+00:00", "job1")


def test_after_downtime_a_schedule_runs_once_then_waits_for_its_next_future_slot(db):
    add_schedule(db, URL, every="6h", now=T0)
    launcher = FakeLauncher()
    three_days_later = T0 + timedelta(days=3, hours=1)
    assert [o.status for o in run_due(db, launcher, now=three_days_later)] == ["started"]
    assert list_schedules(db)[0].next_run == "2026-11-26T15:10:00+00:00"
    launcher.finish()
    assert run_due(db, launcher, now=three_days_later + timedelta(minutes=5)) == []
    assert len(launcher.started) == 1


def test_a_cron_schedule_after_downtime_runs_once(db):
    add_schedule(db, URL, cron="0 */6 * * *", now=T0)
    launcher = FakeLauncher()
    two_days_later = datetime(2026, 11, 25, 7, 30, tzinfo=timezone.utc)
    assert [o.status for o in run_due(db, launcher, now=two_days_later)] == ["started"]
    assert list_schedules(db)[0].next_run == "2026-11-25T12:00:00+00:00"


def test_nothing_is_due_before_its_time(db):
    add_schedule(db, URL, cron="0 */6 * * *", now=T0)
    assert run_due(db, FakeLauncher(), now=T0 + timedelta(hours=2)) == []


def test_two_schedulers_at_once_start_a_slot_once(db_path):
    setup = open_schedules(db_path)
    for n in range(4):
        add_schedule(setup, f"http://127.0.0.{11 + n}:8100/", every="1h", now=T0)
    setup.close()
    launcher = FakeLauncher()
    barrier = threading.Barrier(4)
    results = []

    def scheduler_pass():
        database = open_schedules(db_path)
        barrier.wait()
        results.extend(run_due(database, launcher, now=T0 + timedelta(minutes=1)))
        database.close()

    threads = [threading.Thread(target=scheduler_pass) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(schedule_id for schedule_id, _ in launcher.started) == [1, 2, 3, 4]
    assert sum(o.status == "started" for o in results) == 4
    # A scheduler that comes second finds the slot claimed ("taken") or its crawl already running ("waiting").
    assert {o.status for o in results} <= {"started", "taken", "waiting"}


def test_one_crawl_at_a_time_per_source(db):
    hourly = add_schedule(db, URL, every="1h", now=T0)
    daily = add_schedule(db, URL, cron="@daily", now=T0)
    launcher = FakeLauncher()
    assert [o.status for o in run_due(db, launcher, now=T0)] == ["started"]
    # The crawl is still running when both schedules come due: both wait, still due.
    later = datetime(2026, 11, 24, 0, 30, tzinfo=timezone.utc)
    outcomes = run_due(db, launcher, now=later)
    assert [(o.schedule.id, o.status) for o in outcomes] == [(hourly.id, "waiting"), (daily.id, "waiting")]
    assert "still running (schedule 1, Scrapyd job job1)" in outcomes[0].detail
    assert get_schedule(db, daily.id).next_run == "2026-11-24T00:00:00+00:00"
    launcher.finish()
    outcomes = run_due(db, launcher, now=later)
    assert [(o.schedule.id, o.status) for o in outcomes] == [(hourly.id, "started"), (daily.id, "waiting")]
    assert len(launcher.started) == 2


def test_a_run_that_cannot_start_leaves_the_schedule_as_it_was(db):
    add_schedule(db, URL, every="6h", now=T0)
    before = list_schedules(db)[0]
    down = "Scrapyd at http://127.0.0.1:6800/: not answering"
    outcomes = run_due(db, FakeLauncher(fail=down), now=T0)
    assert [(o.status, o.detail) for o in outcomes] == [("failed", down)]
    after = list_schedules(db)[0]
    assert (after.next_run, after.last_run, after.run_job) == (before.next_run, before.last_run, None)
    assert after.last_error == down
    # ... and the slot runs once the launcher works again
    assert [o.status for o in run_due(db, FakeLauncher(), now=T0 + timedelta(minutes=1))] == ["started"]


def test_a_sources_file_gone_at_run_time_is_an_error_and_nothing_is_claimed(db, tmp_path):
    sources = tmp_path / "sources.txt"
    sources.write_text(URL + "\n")
    add_schedule(db, str(sources), every="6h", now=T0)
    sources.unlink()
    outcomes = run_due(db, FakeLauncher(), now=T0)
    assert outcomes[0].status == "failed"
    assert "unknown source (the sources file is gone)" in outcomes[0].detail
    assert list_schedules(db)[0].next_run == "2026-11-23T09:10:00+00:00"


# -- local processes across restarts -----------------------------------------------------------------

def sleeper(seconds: float):
    """A stand-in for `reprints crawl` (its command line names pipeline.cli, as a crawl's does)."""
    return lambda item, urls: [sys.executable, "-c", f"import time; time.sleep({seconds})", "pipeline.cli"]


def test_a_restarted_scheduler_sees_the_crawl_its_predecessor_started(db, db_path):
    add_schedule(db, URL, every="1h", now=T0)
    first = LocalLauncher(db_path, command=sleeper(60))
    outcome, = run_due(db, first, now=T0)
    pid = outcome.handle["run_pid"]
    try:
        assert pid_alive(pid)
        # A new scheduler process (no memory but the table) at the next slot: the crawl still runs.
        restarted = LocalLauncher(db_path, command=sleeper(0))
        outcome, = run_due(open_schedules(db_path), restarted, now=T0 + timedelta(hours=1, minutes=1))
        assert outcome.status == "waiting" and f"pid {pid}" in outcome.detail
    finally:
        os.kill(pid, signal.SIGKILL)
        first.children[pid].wait()
    # A run whose process is gone is over: the waiting slot starts.
    outcome, = run_due(open_schedules(db_path), restarted, now=T0 + timedelta(hours=1, minutes=2))
    assert outcome.status == "started"
    restarted.wait(outcome.handle)


def test_a_crawl_that_fails_leaves_its_exit_status_in_last_error(db, db_path):
    add_schedule(db, URL, every="1h", now=T0)
    failing = [sys.executable, "-c", "raise SystemExit(3)"]
    launcher = LocalLauncher(db_path, command=lambda item, urls: failing)
    outcome, = run_due(db, launcher, now=T0)
    launcher.wait(outcome.handle)
    assert run_due(db, launcher, now=T0 + timedelta(minutes=1)) == []
    item = list_schedules(db)[0]
    assert item.run_pid is None and item.last_error.startswith("the crawl exited with status 3")


# -- the commands ------------------------------------------------------------------------------------

@pytest.mark.parametrize("args", [["schedule"], ["schedule", "add"], ["schedule", "list"],
                                  ["schedule", "remove"], ["schedule", "run-due"], ["scheduler"]])
def test_every_command_has_help_with_an_example(args):
    result = invoke(*args, "--help")
    assert result.exit_code == 0 and "Example:" in result.output


def test_add_list_remove(db_path):
    result = invoke("schedule", "add", URL, "--every", "6h", "--platform", "blogger", "--db", db_path)
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"scheduled #1: {URL} (blogger spider, every 6h); next run ")
    result = invoke("schedule", "add", URL, "--cron", "0 */6 * * *", "--no-throttle", "--db", db_path)
    assert result.exit_code == 0, result.output
    listed = invoke("schedule", "list", "--db", db_path).output
    assert "every 6h" in listed and "cron 0 */6 * * *" in listed and listed.count(URL) == 2
    listed_json = invoke("schedule", "list", "--json", "--db", db_path).output
    rows = [json.loads(line) for line in listed_json.splitlines()]
    assert [(r["id"], r["spider"], r["every"], r["cron"], r["options"]) for r in rows] == [
        (1, "blogger", "6h", None, {}), (2, "auto", None, "0 */6 * * *", {"no_throttle": True})]
    assert invoke("schedule", "remove", "1", "--db", db_path).output == "removed #1\n"
    remaining = invoke("schedule", "list", "--json", "--db", db_path).output.splitlines()
    assert [json.loads(line)["id"] for line in remaining] == [2]


@pytest.mark.parametrize("args, message", [
    (["add", "nowhere", "--every", "6h"],
     "Error: nowhere: unknown source (neither an http or https URL nor a file of start URLs)\n"),
    (["add", URL, "--every", "6x"],
     "Error: --every '6x': not an interval (write e.g. 30m, 6h, 1d or 1h30m)\n"),
    (["add", URL, "--cron", "0 */6 * *"],
     "Error: --cron '0 */6 * *': not a cron expression (five fields: minute hour day-of-month month "
     "day-of-week, e.g. '0 */6 * * *')\n"),
    (["add", URL], "Error: give --every INTERVAL or --cron EXPRESSION (one of them)\n"),
    (["add", URL, "--every", "6h", "--cron", "@daily"],
     "Error: give --every INTERVAL or --cron EXPRESSION (one of them)\n"),
    (["remove", "7"], "Error: schedule 7: no such schedule (see `reprints schedule list`)\n"),
])
def test_bad_input_is_a_one_line_error_and_nothing_is_scheduled(db_path, args, message):
    result = invoke("schedule", *args, "--db", db_path)
    assert (result.exit_code, result.output) == (1, message)
    assert list_schedules(open_schedules(db_path)) == []


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_scrapyd_that_does_not_answer_is_named_and_nothing_is_claimed(db_path):
    assert invoke("schedule", "add", URL, "--every", "6h", "--db", db_path).exit_code == 0
    before = list_schedules(open_schedules(db_path))[0]
    scrapyd = f"http://127.0.0.1:{free_port()}/"
    result = invoke("schedule", "run-due", "--scrapyd", scrapyd, "--db", db_path)
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: Scrapyd at {scrapyd}: not answering (")
    assert result.output.endswith("; nothing started\n") and result.output.count("\n") == 1
    assert list_schedules(open_schedules(db_path))[0] == before
    result = invoke("scheduler", "--scrapyd", scrapyd, "--db", db_path)
    assert result.exit_code == 1 and result.output.startswith(f"Error: Scrapyd at {scrapyd}: not answering (")


def test_a_bad_scrapyd_url_is_named(db_path):
    result = invoke("schedule", "run-due", "--scrapyd", "localhost:6800", "--db", db_path)
    assert (result.exit_code, result.output) == (1, "Error: --scrapyd localhost:6800: not an http or https "
                                                    "URL\n")


# -- the service, for real ---------------------------------------------------------------------------

def crawls(db_path) -> list[tuple]:
    with sqlite3.connect(db_path) as conn:
        return conn.execute("select spider, status, new from crawls order by id").fetchall()


@pytest.mark.slow
def test_the_scheduler_service_crawls_when_due_and_a_restart_runs_nothing_twice(sample_web, tmp_path):
    db_path = str(tmp_path / "reprints.db")
    url = sample_web.site("blogger-classic").start_url
    added = subprocess.run(reprints("schedule", "add", url, "--every", "1h", "--no-throttle",
                                    "--db", db_path), capture_output=True, text=True)
    assert added.returncode == 0, added.stderr
    service = subprocess.Popen(reprints("scheduler", "--poll", "0.5", "--db", db_path),
                               stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and ("auto", "finished", 7) not in crawls(db_path):
            time.sleep(0.5)
    finally:
        service.send_signal(signal.SIGTERM)
        _, log = service.communicate(timeout=30)
    assert service.returncode == 0, log
    assert "started: pid" in log and log.rstrip().endswith("scheduler: stopped"), log
    assert crawls(db_path) == [("auto", "finished", 7)]
    # The crawl's row says finished before its process has exited (it dedups, then leaves): wait for that.
    pid = list_schedules(open_schedules(db_path))[0].run_pid
    deadline = time.monotonic() + 60
    while pid and os.path.exists(f"/proc/{pid}") and time.monotonic() < deadline:
        time.sleep(0.2)
    # Restarted, the scheduler finds nothing due: the slot it ran is behind it.
    again = subprocess.run(reprints("schedule", "run-due", "--db", db_path), capture_output=True, text=True)
    assert (again.returncode, again.stderr) == (0, "nothing due\n")
    item = list_schedules(open_schedules(db_path))[0]
    assert item.last_run is not None and item.run_pid is None and item.last_error is None
    assert datetime.fromisoformat(item.next_run) > datetime.now(timezone.utc)
    assert len(crawls(db_path)) == 1
