"""Periodic crawls: schedules kept in the `schedules` table, started through Scrapyd or as local processes.

Scrapyd runs crawls but never on a timetable; this module is the timetable. A schedule names a
SOURCE (a start URL, or a file of start URLs read afresh at every run), a spider, and either an
interval (`6h`) or a cron expression (`0 */6 * * *`, evaluated in UTC). `run_due` starts every
schedule whose `next_run` has come; `serve` does that in a loop (`reprints scheduler`).

What holds, with several schedulers and across restarts:
- a run is claimed before it starts, in one SQLite write transaction that also checks the source:
  `UPDATE schedules SET next_run = <next slot> ... WHERE id = ? AND next_run = <the due slot>`.
  Only one claimer changes the row, so no slot runs twice; if the crawl cannot be started (Scrapyd
  does not answer, the sources file is gone), the claim is undone and the error kept in
  `last_error`: nothing is left scheduled half-way, and the slot is tried again at the next tick;
- the next slot is computed from the schedule, never by adding to a stale time: after downtime a
  schedule runs once, then waits for its next future slot (no catch-up storm); interval slots stay
  on the grid of the first one (`--every 6h` added at 09:10 runs at 09:10, 15:10, 21:10, ...);
- one crawl at a time per source: a run's process id (local) or job id (Scrapyd) is kept in
  `run_pid` / `run_job`, and a due schedule whose source still has a live run waits, still due,
  until it ends. A run whose process is gone (or whose job Scrapyd lists as finished) is over;
- the crawl records itself in `crawls` (the store pipeline does that in both modes), so every run
  is in Datasette next to its schedule.
"""

from __future__ import annotations

import functools
import json
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import click
from cronsim import CronSim, CronSimError

from pipeline.processes import process_alive

DEFAULT_DB = "reprints.db"
SPIDERS = ["auto", "blogger", "wordpress", "directory", "feed", "sitemap", "generic"]
# The project name `scrapyd-deploy` uses (scrapy.cfg, [deploy] project).
SCRAPYD_PROJECT = "reprints"
SCRAPYD_ENV = "REPRINTS_SCRAPYD"
SCRAPYD_TIMEOUT_SECONDS = 10
# No schedule runs more often than this: a crawl takes longer than a few seconds anyway.
MIN_INTERVAL_SECONDS = 60
DEFAULT_POLL_SECONDS = 30.0
# A run claimed but not yet started (the claimer died in between) is forgotten after this long.
STARTING_TIMEOUT = timedelta(minutes=5)
STARTING = "starting"  # run_job while a claimed run is being started
INTERVAL_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
INTERVAL_RE = re.compile(r"(?:\d+[smhdw])+")
CRON_MACROS = {"@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
               "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *",
               "@hourly": "0 * * * *"}
# Columns this module adds to the `schedules` table of pipeline/store.py (id, source, spider,
# interval_seconds, cron, next_run, last_run, enabled).
# What `--no-throttle` means for a crawl started through Scrapyd (as crawler/runner.py's LOOPBACK_SETTINGS).
NO_THROTTLE_SETTINGS = {"AUTOTHROTTLE_ENABLED": "False", "DOWNLOAD_DELAY": "0",
                        "CONCURRENT_REQUESTS_PER_DOMAIN": "8", "RETRY_TIMES": "1"}


class ScheduleError(Exception):
    """A schedule that cannot be made or run: the message names the thing and the reason."""


# -- time --------------------------------------------------------------------------------------------

def utc_now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def iso(moment: datetime) -> str:
    """ISO 8601 in UTC to the second, as every time in the database."""
    return moment.astimezone(timezone.utc).replace(microsecond=0).isoformat()


def parse_iso(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def parse_interval(text: str) -> int:
    """'6h', '30m', '1d', '1h30m', '2w' -> seconds."""
    compact = text.strip().lower().replace(" ", "")
    if not INTERVAL_RE.fullmatch(compact):
        raise ScheduleError(f"--every {text!r}: not an interval (write e.g. 30m, 6h, 1d or 1h30m)")
    seconds = sum(int(n) * INTERVAL_UNITS[unit] for n, unit in re.findall(r"(\d+)([smhdw])", compact))
    if seconds < MIN_INTERVAL_SECONDS:
        raise ScheduleError(f"--every {text!r}: shorter than the shortest interval, 1m")
    return seconds


def format_interval(seconds: int) -> str:
    """3600 -> '1h', 5400 -> '1h30m'."""
    parts = []
    for unit, size in sorted(INTERVAL_UNITS.items(), key=lambda item: -item[1]):
        if seconds >= size:
            parts.append(f"{seconds // size}{unit}")
            seconds %= size
    return "".join(parts) or "0s"


def parse_cron(expression: str) -> str:
    """A five-field cron expression (or @daily, @hourly, ...), checked; returned normalized."""
    text = " ".join(expression.split())
    text = CRON_MACROS.get(text.lower(), text)
    if len(text.split()) != 5:
        raise ScheduleError(f"--cron {expression!r}: not a cron expression (five fields: minute hour "
                            f"day-of-month month day-of-week, e.g. '0 */6 * * *')")
    try:
        next(CronSim(text, utc_now()))
    except (CronSimError, StopIteration) as exc:
        why = str(exc) or "it never matches"
        raise ScheduleError(f"--cron {expression!r}: not a cron expression ({why})") from None
    return text


# -- sources -----------------------------------------------------------------------------------------

def _is_url(text: str) -> bool:
    parts = urllib.parse.urlsplit(text)
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def normalize_source(source: str) -> str:
    """A start URL as given, or the absolute path of a sources file; ScheduleError if it is neither."""
    if _is_url(source):
        return source
    path = Path(source).expanduser()
    if not path.is_file():
        raise ScheduleError(f"{source}: unknown source "
                            f"(neither an http or https URL nor a file of start URLs)")
    source_urls(str(path))  # readable, and every line a URL
    return str(path.resolve())


def source_urls(source: str) -> list[str]:
    """The start URLs of a source: the URL itself, or the lines of the file (# comments skipped)."""
    if _is_url(source):
        return [source]
    try:
        text = Path(source).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScheduleError(f"{source}: unknown source (the sources file is gone)") from None
    except (OSError, UnicodeDecodeError) as exc:
        why = getattr(exc, "strerror", None) or exc
        raise ScheduleError(f"{source}: cannot read the sources file ({why})") from None
    urls = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if not _is_url(line):
            raise ScheduleError(f"{source}: line {number}: {line[:80]}: not an http or https URL")
        urls.append(line)
    if not urls:
        raise ScheduleError(f"{source}: no start URLs in this file")
    return urls


# -- the table ---------------------------------------------------------------------------------------

@dataclass
class Schedule:
    """One row of `schedules`."""

    id: int
    source: str
    spider: str
    interval_seconds: int | None
    cron: str | None
    next_run: str
    last_run: str | None
    enabled: bool
    options: dict = field(default_factory=dict)
    created: str | None = None
    run_pid: int | None = None
    run_job: str | None = None
    run_scrapyd: str | None = None
    last_error: str | None = None

    @property
    def timing(self) -> str:
        if self.interval_seconds:
            return f"every {format_interval(self.interval_seconds)}"
        return f"cron {self.cron}"

    @property
    def running(self) -> str | None:
        """The run this schedule last started and has not yet seen end, in words."""
        if self.run_pid:
            return f"pid {self.run_pid}"
        if self.run_job == STARTING:
            return "starting"
        if self.run_job:
            return f"Scrapyd job {self.run_job}"
        return None

    def next_slot(self, after: datetime) -> datetime:
        """The first slot strictly after `after`: the next cron match, or the interval grid's next point."""
        if self.cron:
            return next(CronSim(self.cron, after.astimezone(timezone.utc)))
        step = timedelta(seconds=self.interval_seconds)
        anchor = parse_iso(self.next_run)
        slots = max(1, (after - anchor) // step + 1)
        return anchor + slots * step

    def to_dict(self) -> dict:
        every = format_interval(self.interval_seconds) if self.interval_seconds else None
        return {"id": self.id, "source": self.source, "spider": self.spider, "every": every,
                "interval_seconds": self.interval_seconds, "cron": self.cron, "next_run": self.next_run,
                "last_run": self.last_run, "enabled": self.enabled, "options": self.options,
                "running": self.running, "last_error": self.last_error}


def open_schedules(db_path: str):
    """The corpus database with the `schedules` table ready for this module."""
    from pipeline.store import StoreError, open_db

    try:
        db = open_db(db_path)
    except StoreError as exc:
        raise ScheduleError(str(exc)) from None
    return db


def _from_row(row: dict) -> Schedule:
    return Schedule(
        id=row["id"], source=row["source"], spider=row["spider"] or "auto",
        interval_seconds=row["interval_seconds"], cron=row["cron"], next_run=row["next_run"],
        last_run=row["last_run"], enabled=bool(row["enabled"]), options=json.loads(row["options"] or "{}"),
        created=row["created"], run_pid=row["run_pid"], run_job=row["run_job"],
        run_scrapyd=row["run_scrapyd"], last_error=row["last_error"])


def list_schedules(db, where: str = "1", params=()) -> list[Schedule]:
    return [_from_row(row) for row in db["schedules"].rows_where(where, list(params), order_by="id")]


def get_schedule(db, schedule_id: int) -> Schedule | None:
    found = list_schedules(db, "id = ?", [schedule_id])
    return found[0] if found else None


def add_schedule(db, source: str, spider: str = "auto", every: str | None = None, cron: str | None = None,
                 options: dict | None = None, now: datetime | None = None) -> Schedule:
    """Check everything, then insert one schedule.

    An interval schedule is due at once; a cron schedule at its next match.
    """
    if (every is None) == (cron is None):
        raise ScheduleError("give --every INTERVAL or --cron EXPRESSION (one of them)")
    if spider not in SPIDERS:
        raise ScheduleError(f"--platform {spider}: unknown spider (one of {', '.join(SPIDERS)})")
    interval = parse_interval(every) if every is not None else None
    cron_text = parse_cron(cron) if cron is not None else None
    source = normalize_source(source)
    options = {k: v for k, v in (options or {}).items() if v not in (None, False)}
    now = now or utc_now()
    first = now if interval else next(CronSim(cron_text, now))
    for other in list_schedules(db, "source = ? AND spider = ?", [source, spider]):
        if (other.interval_seconds, other.cron, other.options) == (interval, cron_text, options):
            raise ScheduleError(f"{source}: already scheduled so, as #{other.id}")
    with db.conn:
        new_id = db["schedules"].insert({
            "source": source, "spider": spider, "interval_seconds": interval, "cron": cron_text,
            "next_run": iso(first), "last_run": None, "enabled": 1,
            "options": json.dumps(options, sort_keys=True), "created": iso(now),
        }).last_pk
    return get_schedule(db, new_id)


def remove_schedules(db, ids: list[int]) -> None:
    """Remove schedules by id; all or none (an unknown id is an error and nothing is removed)."""
    missing = [i for i in ids if get_schedule(db, i) is None]
    if missing:
        raise ScheduleError(f"schedule {missing[0]}: no such schedule (see `reprints schedule list`)")
    with db.conn:
        db.conn.executemany("DELETE FROM schedules WHERE id = ?", [(i,) for i in ids])


# -- launchers ---------------------------------------------------------------------------------------

class LocalLauncher:
    """Crawls as local processes: `reprints crawl` in its own session, so it outlives a stopped scheduler."""

    kind = "local"

    def __init__(self, db_path: str, log_path: str | None = None, command=None):
        self.db_path = str(Path(db_path).resolve())
        db = Path(self.db_path)
        self.log_path = log_path or str(db.with_name(db.stem + ".schedule.log"))
        self.command = command or self.crawl_command
        self.children: dict[int, subprocess.Popen] = {}

    def describe(self) -> str:
        return f"as local processes (output in {self.log_path})"

    def check(self) -> None:
        """Nothing to reach."""

    def crawl_command(self, schedule: Schedule, urls: list[str]) -> list[str]:
        command = [sys.executable, "-m", "pipeline.cli", "crawl", *urls, "--db", self.db_path,
                   "--platform", schedule.spider]
        if schedule.options.get("max_pages"):
            command += ["--max-pages", str(schedule.options["max_pages"])]
        if schedule.options.get("no_throttle"):
            command.append("--no-throttle")
        return command

    def start(self, schedule: Schedule, urls: list[str]) -> dict:
        try:
            with open(self.log_path, "ab") as log:
                log.write(f"\n# {iso(utc_now())} schedule {schedule.id}: {schedule.source}\n".encode())
                log.flush()
                child = subprocess.Popen(self.command(schedule, urls), stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT, start_new_session=True,
                                         cwd=str(Path(self.db_path).parent))
        except OSError as exc:
            raise ScheduleError(f"cannot start a crawl process ({exc.strerror or exc})") from None
        self.children[child.pid] = child
        return {"run_pid": child.pid, "run_job": None, "run_scrapyd": None}

    def alive(self, schedule: Schedule) -> tuple[bool, str | None]:
        """(still running, what went wrong if it ended badly) for the run recorded on `schedule`."""
        pid = schedule.run_pid
        child = self.children.get(pid)
        if child is not None:
            code = child.poll()
            if code is None:
                return True, None
            del self.children[pid]
            return False, None if code == 0 else f"the crawl exited with status {code} (see {self.log_path})"
        return pid_alive(pid), None

    def reap(self) -> None:
        """Collect ended children (no zombies); alive() reports how they ended when it next looks."""
        for child in self.children.values():
            child.poll()

    def wait(self, handle: dict, poll: float = 0.5) -> None:
        child = self.children.get(handle.get("run_pid"))
        if child is not None:
            child.wait()


def pid_alive(pid: int) -> bool:
    """True while a process with this id runs a crawl of ours (not a zombie, not an id reused since)."""
    if not process_alive(pid):
        return False
    proc = Path(f"/proc/{pid}")
    if not proc.exists():
        return True  # no /proc to ask: trust the signal
    try:
        state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        command = (proc / "cmdline").read_bytes()
    except (OSError, IndexError):
        return False
    return state != "Z" and b"pipeline.cli" in command  # LocalLauncher runs python -m pipeline.cli crawl


class ScrapydLauncher:
    """Crawls through Scrapyd's HTTP API (schedule.json, listjobs.json) on a deployed `reprints` project."""

    kind = "scrapyd"

    def __init__(self, url: str, db_path: str, project: str = SCRAPYD_PROJECT,
                 timeout: float = SCRAPYD_TIMEOUT_SECONDS):
        if not _is_url(url):
            raise ScheduleError(f"--scrapyd {url}: not an http or https URL")
        self.url = url.rstrip("/") + "/"
        self.db_path = str(Path(db_path).resolve())
        self.project = project
        self.timeout = timeout
        self._jobs: dict | None = None

    def describe(self) -> str:
        return f"through Scrapyd at {self.url} (project {self.project})"

    def _call(self, endpoint: str, data: list[tuple[str, str]] | None = None,
              params: dict | None = None) -> dict:
        url = urllib.parse.urljoin(self.url, endpoint)
        if params:
            url += "?" + urllib.parse.urlencode(params)
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({})) if _loopback(self.url) \
            else urllib.request.build_opener()
        try:
            with opener.open(urllib.request.Request(url, data=body), timeout=self.timeout) as response:
                answer = json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            raise ScheduleError(f"Scrapyd at {self.url}: {endpoint} answered HTTP {exc.code}") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", None) or exc
            raise ScheduleError(f"Scrapyd at {self.url}: not answering ({reason})") from None
        except ValueError:
            raise ScheduleError(f"Scrapyd at {self.url}: {endpoint} did not answer JSON (is it Scrapyd?)") \
                from None
        if answer.get("status") != "ok":
            raise ScheduleError(f"Scrapyd at {self.url}: {endpoint}: {answer.get('message', answer)}".strip())
        return answer

    def check(self) -> None:
        """Scrapyd answers and has the project deployed; ScheduleError naming it otherwise."""
        self._jobs = None
        self._call("daemonstatus.json")
        projects = self._call("listprojects.json").get("projects", [])
        if self.project not in projects:
            raise ScheduleError(f"Scrapyd at {self.url}: no project {self.project!r} deployed "
                                f"(run scrapyd-deploy in the project folder)")

    def settings(self, schedule: Schedule) -> list[tuple[str, str]]:
        pairs = [("REPRINTS_DB", self.db_path)]
        if schedule.options.get("max_pages"):
            pairs.append(("CLOSESPIDER_PAGECOUNT", str(schedule.options["max_pages"])))
        if schedule.options.get("no_throttle"):
            pairs += list(NO_THROTTLE_SETTINGS.items())
        return pairs

    def start(self, schedule: Schedule, urls: list[str]) -> dict:
        data = [("project", self.project), ("spider", schedule.spider), ("start_urls", ",".join(urls))]
        data += [("setting", f"{name}={value}") for name, value in self.settings(schedule)]
        answer = self._call("schedule.json", data)
        self._jobs = None
        return {"run_pid": None, "run_job": answer["jobid"], "run_scrapyd": self.url}

    def jobs(self) -> dict:
        """{job id: 'pending' | 'running' | 'finished'} for the project, asked once per tick."""
        if self._jobs is None:
            answer = self._call("listjobs.json", params={"project": self.project})
            self._jobs = {job["id"]: state for state in ("pending", "running", "finished")
                          for job in answer.get(state, [])}
        return self._jobs

    def alive(self, schedule: Schedule) -> tuple[bool, str | None]:
        if schedule.run_pid:  # started as a local process before Scrapyd was configured
            return pid_alive(schedule.run_pid), None
        if schedule.run_scrapyd and schedule.run_scrapyd != self.url:
            other = ScrapydLauncher(schedule.run_scrapyd, self.db_path, self.project, self.timeout)
            return other.alive(schedule)
        state = self.jobs().get(schedule.run_job)
        return state in ("pending", "running"), None  # unknown to Scrapyd (restarted): over

    def reap(self) -> None:
        self._jobs = None

    def wait(self, handle: dict, poll: float = 0.5) -> None:
        while True:
            self._jobs = None
            if self.jobs().get(handle["run_job"]) not in ("pending", "running"):
                return
            time.sleep(poll)


def _loopback(url: str) -> bool:
    host = urllib.parse.urlsplit(url).hostname or ""
    return host == "localhost" or host.startswith("127.") or host == "::1"


def make_launcher(db_path: str, scrapyd: str | None, project: str = SCRAPYD_PROJECT):
    return ScrapydLauncher(scrapyd, db_path, project) if scrapyd else LocalLauncher(db_path)


# -- running what is due -----------------------------------------------------------------------------

@dataclass
class Outcome:
    """What became of one due schedule in one pass."""

    schedule: Schedule
    status: str  # "started" | "waiting" (its source is busy) | "taken" (by another scheduler) | "failed"
    detail: str = ""
    handle: dict = field(default_factory=dict)

    def __str__(self) -> str:
        what = {"started": "started", "waiting": "waiting", "taken": "already taken", "failed": "not started"}
        return f"schedule {self.schedule.id} ({self.schedule.source}): {what[self.status]}: {self.detail}"


def _check_runs(db, launcher) -> None:
    """Forget the runs that are over (keeping what went wrong), so their sources are free."""
    now = utc_now()
    for schedule in list_schedules(db, "run_pid IS NOT NULL OR run_job IS NOT NULL"):
        if schedule.run_job == STARTING:
            started = parse_iso(schedule.last_run) if schedule.last_run else now
            if now - started < STARTING_TIMEOUT:
                continue
            running, problem = False, "the scheduler stopped while starting this run"
        else:
            running, problem = launcher.alive(schedule)
        if not running:
            with db.conn:
                db.conn.execute(
                    "UPDATE schedules SET run_pid = NULL, run_job = NULL, run_scrapyd = NULL, "
                    "last_error = coalesce(?, last_error) WHERE id = ? AND run_pid IS ? AND run_job IS ?",
                    [problem, schedule.id, schedule.run_pid, schedule.run_job])


def _claim(db, schedule: Schedule, now: datetime) -> tuple[str, str]:
    """Claim the due slot of `schedule`: ('claimed', next_run), ('waiting', what runs) or ('taken', '')."""
    conn = db.conn
    if conn.in_transaction:
        conn.commit()
    conn.execute("BEGIN IMMEDIATE")  # the source check and the claim are one step for every scheduler
    try:
        busy = conn.execute(
            "SELECT id, run_pid, run_job FROM schedules WHERE source = ? AND (run_pid IS NOT NULL OR "
            "run_job IS NOT NULL)", [schedule.source]).fetchone()
        if busy:
            conn.rollback()
            if busy[1]:
                what = f"pid {busy[1]}"
            else:
                what = "starting" if busy[2] == STARTING else f"Scrapyd job {busy[2]}"
            return "waiting", f"a crawl of this source is still running (schedule {busy[0]}, {what})"
        next_run = iso(schedule.next_slot(now))
        changed = conn.execute(
            "UPDATE schedules SET next_run = ?, last_run = ?, run_pid = NULL, run_job = ?, "
            "run_scrapyd = NULL, last_error = NULL WHERE id = ? AND next_run = ? AND enabled = 1",
            [next_run, iso(now), STARTING, schedule.id, schedule.next_run]).rowcount
        conn.commit()
    except BaseException:
        conn.rollback()
        raise
    return ("claimed", next_run) if changed == 1 else ("taken", "")


def _unclaim(db, schedule: Schedule, next_run: str, error: str) -> None:
    """Undo a claim whose run could not start: the slot stays due, the reason is kept."""
    with db.conn:
        db.conn.execute(
            "UPDATE schedules SET next_run = ?, last_run = ?, run_job = NULL, last_error = ? "
            "WHERE id = ? AND next_run = ? AND run_job = ?",
            [schedule.next_run, schedule.last_run, error, schedule.id, next_run, STARTING])


def run_due(db, launcher, now: datetime | None = None) -> list[Outcome]:
    """Start every enabled schedule whose next_run has come; return what became of each.

    Raises ScheduleError before anything is claimed when the launcher cannot be reached.
    """
    now = now or utc_now()
    launcher.check()
    _check_runs(db, launcher)
    outcomes = []
    for schedule in list_schedules(db, "enabled = 1 AND next_run <= ?", [iso(now)]):
        try:
            urls = source_urls(schedule.source)
        except ScheduleError as exc:
            with db.conn:
                db.conn.execute("UPDATE schedules SET last_error = ? WHERE id = ?", [str(exc), schedule.id])
            outcomes.append(Outcome(schedule, "failed", str(exc)))
            continue
        state, detail = _claim(db, schedule, now)
        if state != "claimed":
            outcomes.append(Outcome(schedule, state, detail or "another scheduler started this run"))
            continue
        try:
            handle = launcher.start(schedule, urls)
        except ScheduleError as exc:
            _unclaim(db, schedule, detail, str(exc))
            outcomes.append(Outcome(schedule, "failed", str(exc)))
            continue
        with db.conn:
            db.conn.execute("UPDATE schedules SET run_pid = ?, run_job = ?, run_scrapyd = ? WHERE id = ?",
                            [handle["run_pid"], handle["run_job"], handle["run_scrapyd"], schedule.id])
        run = f"pid {handle['run_pid']}" if handle["run_pid"] else f"Scrapyd job {handle['run_job']}"
        outcomes.append(Outcome(schedule, "started", f"{run}; next run {detail}", handle))
    return outcomes


def seconds_until_next(db, now: datetime | None = None) -> float | None:
    """Seconds until the earliest enabled next_run (0 if one is due), or None without schedules."""
    row = db.execute("SELECT min(next_run) FROM schedules WHERE enabled = 1").fetchone()
    if not row or not row[0]:
        return None
    return max(0.0, (parse_iso(row[0]) - (now or utc_now())).total_seconds())


def serve(db_path: str, launcher, poll: float = DEFAULT_POLL_SECONDS, stop: threading.Event | None = None,
          log=None) -> None:
    """The scheduler loop: run what is due, then sleep until the next slot (at most `poll` seconds)."""
    stop = stop or threading.Event()
    log = log or (lambda line: click.echo(f"{iso(utc_now())} {line}", err=True))
    waiting: dict[int, str] = {}  # a schedule waiting for its source is logged once, not at every tick
    while not stop.is_set():
        try:
            db = open_schedules(db_path)
            try:
                for outcome in run_due(db, launcher):
                    if outcome.status != "waiting" or waiting.get(outcome.schedule.id) != outcome.detail:
                        log(str(outcome))
                    if outcome.status == "waiting":
                        waiting[outcome.schedule.id] = outcome.detail
                    else:
                        waiting.pop(outcome.schedule.id, None)
                wait = seconds_until_next(db)
            finally:
                db.close()
        except (ScheduleError, sqlite3.Error) as exc:  # Scrapyd down, the database locked: a tick lost
            log(f"error: {exc}; trying again in {poll:g}s")
            wait = poll
        launcher.reap()
        stop.wait(poll if wait is None else min(poll, max(1.0, wait)))


# -- the commands ------------------------------------------------------------------------------------

def _db_option(fn):
    return click.option("--db", "db_path", default=DEFAULT_DB, show_default=True,
                        type=click.Path(dir_okay=False),
                        help="SQLite database of the corpus (the schedules live there too)")(fn)


def _scrapyd_options(fn):
    fn = click.option("--project", default=SCRAPYD_PROJECT, show_default=True,
                      help="Scrapyd project the crawler was deployed as")(fn)
    return click.option("--scrapyd", "scrapyd_url", envvar=SCRAPYD_ENV, metavar="URL",
                        help=f"Start crawls through this Scrapyd (or ${SCRAPYD_ENV}); "
                             f"else as local processes")(fn)


def _one_line_errors(fn):
    """Expected failures become one-line errors naming the thing and the reason."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except ScheduleError as exc:
            raise click.ClickException(str(exc)) from None
        except sqlite3.Error as exc:
            raise click.ClickException(f"{kwargs.get('db_path', DEFAULT_DB)}: {exc}") from None
    return wrapper


@click.group()
def schedule():
    """Add, list, remove and run periodic crawls (kept in the `schedules` table).

    Times are UTC. `reprints scheduler` starts due crawls as a long-lived service;
    `reprints schedule run-due` does one pass (for a system cron or a test).

    Example:

    \b
        reprints schedule add http://blog.example.com/ --every 6h
        reprints schedule add sources.txt --cron "0 */6 * * *" --platform blogger
        reprints schedule list
        reprints schedule run-due --scrapyd http://127.0.0.1:6800/
        reprints schedule remove 2
    """


@schedule.command("add")
@click.argument("source")
@click.option("--every", metavar="INTERVAL", help="Run at this interval: 30m, 6h, 1d, 1h30m (first run: now)")
@click.option("--cron", metavar="EXPRESSION", help='Run at these times (UTC): "0 */6 * * *", @daily, ...')
@click.option("--platform", type=click.Choice(SPIDERS), default="auto", show_default=True,
              help="Spider to run (as `reprints crawl --platform`)")
@click.option("--max-pages", type=click.IntRange(min=1), help="Stop each crawl after this many responses")
@click.option("--no-throttle", is_flag=True, help="No delays: only for sites you run yourself (loopback)")
@_db_option
@_one_line_errors
def add_command(source, every, cron, platform, max_pages, no_throttle, db_path):
    """Schedule crawls of SOURCE: a start URL, or a file of start URLs (one a line, # comments).

    Example:

    \b
        reprints schedule add http://127.0.0.13:8100/ --every 6h --db corpus.db
        reprints schedule add sources.txt --cron "30 2 * * *" --platform wordpress
    """
    options = {"max_pages": max_pages, "no_throttle": no_throttle}
    made = add_schedule(open_schedules(db_path), source, platform, every, cron, options)
    click.echo(f"scheduled #{made.id}: {made.source} ({made.spider} spider, {made.timing}); "
               f"next run {made.next_run}")


@schedule.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per schedule, one a line")
@_db_option
@_one_line_errors
def list_command(as_json, db_path):
    """List the schedules: timing, next and last run, the run in progress, the last error.

    Example:

    \b
        reprints schedule list --db corpus.db
        reprints schedule list --json | jq .next_run
    """
    schedules = list_schedules(open_schedules(db_path))
    if as_json:
        for item in schedules:
            click.echo(json.dumps(item.to_dict()))
        return
    if not schedules:
        click.echo("no schedules (add one with `reprints schedule add SOURCE --every 6h`)", err=True)
        return
    rows = [("ID", "SOURCE", "SPIDER", "WHEN", "NEXT RUN", "LAST RUN", "STATE")]
    for item in schedules:
        state = f"running ({item.running})" if item.running else ("enabled" if item.enabled else "disabled")
        if item.last_error:
            state += f"; last error: {item.last_error}"
        rows.append((str(item.id), item.source, item.spider, item.timing, item.next_run, item.last_run or "-",
                     state))
    widths = [max(len(row[i]) for row in rows) for i in range(6)]
    for row in rows:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[6])


@schedule.command("remove")
@click.argument("ids", nargs=-1, required=True, type=int)
@_db_option
@_one_line_errors
def remove_command(ids, db_path):
    """Remove schedules by id (a crawl already running is left to finish).

    Example:

    \b
        reprints schedule remove 2 5 --db corpus.db
    """
    remove_schedules(open_schedules(db_path), list(ids))
    click.echo("removed " + ", ".join(f"#{i}" for i in ids))


@schedule.command("run-due")
@_scrapyd_options
@click.option("--wait", is_flag=True, help="Wait for the crawls started to finish")
@_db_option
@_one_line_errors
def run_due_command(scrapyd_url, project, wait, db_path):
    """Start every schedule whose time has come, once, then exit.

    Example:

    \b
        reprints schedule run-due --db corpus.db
        reprints schedule run-due --scrapyd http://127.0.0.1:6800/ --wait
    """
    launcher = make_launcher(db_path, scrapyd_url, project)
    db = open_schedules(db_path)
    try:
        outcomes = run_due(db, launcher)
    except ScheduleError as exc:
        raise ScheduleError(f"{exc}; nothing started") from None
    if not outcomes:
        click.echo("nothing due", err=True)
    for outcome in outcomes:
        click.echo(str(outcome), err=True)
    if wait:
        for outcome in outcomes:
            if outcome.status == "started":
                launcher.wait(outcome.handle)
        _check_runs(db, launcher)
    failed = [o for o in outcomes if o.status == "failed"]
    if failed:
        raise ScheduleError(f"{len(failed)} due schedule(s) not started: " +
                            "; ".join(f"#{o.schedule.id}: {o.detail}" for o in failed))


@click.command()
@_scrapyd_options
@click.option("--poll", type=click.FloatRange(min=0.1), default=DEFAULT_POLL_SECONDS, show_default=True,
              help="Look at the schedules at least this often (seconds)")
@_db_option
@_one_line_errors
def scheduler(scrapyd_url, project, poll, db_path):
    """Run as a service: start due crawls, through Scrapyd if given, else as local processes.

    State lives in the `schedules` table: a restart misses nothing (a slot that came while it was
    down runs once) and runs nothing twice. Stop it with Ctrl-C or SIGTERM; crawls it started go on.

    Example:

    \b
        reprints scheduler --db corpus.db
        reprints scheduler --scrapyd http://127.0.0.1:6800/ --poll 60
    """
    launcher = make_launcher(db_path, scrapyd_url, project)
    db = open_schedules(db_path)
    try:
        launcher.check()
        count = len(list_schedules(db, "enabled = 1"))
    finally:
        db.close()
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    click.echo(f"scheduler: {count} enabled schedule(s) in {db_path}; crawls start {launcher.describe()}; "
               f"checking at least every {poll:g}s", err=True)
    serve(db_path, launcher, poll, stop)
    click.echo("scheduler: stopped", err=True)
