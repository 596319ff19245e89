"""CPU time used by groups of processes over a phase, read from /proc (Linux).

On a machine shared with other work, requests per second say as much about the neighbours as about
us; CPU seconds per request do not: they are what this code costs, whatever else runs.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path

TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces; everything after its closing parenthesis is fixed.
    return text[text.rindex(")") + 2 :].split()


def process_ticks(pid: int) -> int:
    fields = _stat_fields(pid)
    return int(fields[11]) + int(fields[12]) if fields else 0  # utime + stime


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


class CpuMeter:
    """CPU seconds used by named groups of processes between start() and stop().

    Each group is a callable returning its pids; it is asked at both ends, so processes born during the
    phase count from zero (those that ended before stop() are missed; none of ours do)."""

    def __init__(self, groups: dict[str, Callable[[], Iterable[int]]]) -> None:
        self.groups = groups
        self._start: dict[str, dict[int, int]] = {}

    def _snapshot(self) -> dict[str, dict[int, int]]:
        return {name: {pid: process_ticks(pid) for pid in pids()} for name, pids in self.groups.items()}

    def start(self) -> None:
        self._start = self._snapshot()

    def stop(self) -> dict[str, float]:
        end = self._snapshot()
        return {
            name: sum(ticks - self._start[name].get(pid, 0) for pid, ticks in end[name].items()) / TICKS_PER_SECOND
            for name in self.groups
        }
