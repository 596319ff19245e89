"""CPU time used by groups of processes over a phase, read from /proc (Linux).

On a machine shared with other work, requests per second say as much about the neighbours as about
us; CPU seconds per request do not: they are what this code costs, whatever else runs.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces; everything after its closing parenthesis is fixed.
    return text[text.rindex(")") + 2 :].split()


def process_ticks(pid: int, *, with_ended_children: bool = False) -> int:
    """utime + stime; with the children it has reaped (cutime + cstime), for a tree's root: a process of
    the tree that ends during a phase (a database backend closed after CONN_MAX_AGE) still counts."""
    fields = _stat_fields(pid)
    if not fields:
        return 0
    own = int(fields[11]) + int(fields[12])
    return own + int(fields[13]) + int(fields[14]) if with_ended_children else own


def process_tree(root: int) -> set[int]:
    """The process and all its descendants alive now."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            fields = _stat_fields(int(entry.name))
            if fields:
                children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = set(), [root]
    while todo:
        pid = todo.pop()
        found.add(pid)
        todo.extend(children.get(pid, []))
    return found


def parent_pid(pid: int) -> int | None:
    fields = _stat_fields(pid)
    return int(fields[1]) if fields else None


def tree_ticks(root: int | None) -> int:
    """CPU ticks of a process tree: its live processes, and those its root has reaped."""
    if root is None:
        return 0
    return sum(process_ticks(pid, with_ended_children=pid == root) for pid in process_tree(root))


class CpuMeter:
    """CPU seconds used by named process trees between start() and stop().

    Each group is a callable returning the root pid of its tree (or None: nothing yet), asked at both
    ends. A process born during the phase counts from zero; one that ended during it counts too, through
    its parent's reaped-children times (all of a tree's processes are reaped by their parent: the
    postmaster, gunicorn's arbiter, Celery's main process)."""

    def __init__(self, groups: dict[str, Callable[[], int | None]]) -> None:
        self.groups = groups
        self._start: dict[str, int] = {}

    def _snapshot(self) -> dict[str, int]:
        return {name: tree_ticks(root()) for name, root in self.groups.items()}

    def start(self) -> None:
        self._start = self._snapshot()

    def stop(self) -> dict[str, float]:
        end = self._snapshot()
        return {name: (end[name] - self._start[name]) / TICKS_PER_SECOND for name in self.groups}
