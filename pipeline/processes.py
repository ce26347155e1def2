"""Whether a process on this machine is still there, for crawls, loaders and pool workers that
must tell a live owner from one that was killed."""

from __future__ import annotations

import os


def process_alive(pid: int | None) -> bool:
    """True while a process with this id exists (one we may not signal counts as existing)."""
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def process_tree(pid: int) -> list[int]:
    """`pid` and its descendants, by /proc/<pid>/task/<tid>/children (Linux 3.5+)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            tasks = os.listdir(f"/proc/{current}/task")
        except OSError:
            continue
        for tid in tasks:
            try:
                with open(f"/proc/{current}/task/{tid}/children", "rb") as f:
                    todo += [int(c) for c in f.read().split()]
            except OSError:
                continue
    return found


def resident_bytes(pid: int) -> int:
    """A process's resident set size in bytes (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0
