"""CPU time spent by each part of the stack during a scenario, read from /proc.

Throughput on a shared machine moves with whatever else runs; CPU milliseconds per request
do not, so they say where the two cores go (and what a change saved) even on a busy box.
"""

from __future__ import annotations

import os
import resource
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name may hold spaces; the fields after it are fixed.
    return raw[raw.rindex(")") + 2 :].split()


def _tree(root: int) -> list[int]:
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat(int(entry.name))):
            parents[int(entry.name)] = int(fields[1])
    found, frontier = [root], [root]
    while frontier:
        children = [pid for pid, parent in parents.items() if parent in frontier]
        found += children
        frontier = children
    return found


def _seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        fields = _stat(pid)
        if fields:
            total += int(fields[11]) + int(fields[12])  # utime + stime
    return total / TICKS


class CpuMeter:
    """CPU seconds per named process tree, plus the load generator (a reaped child)."""

    def __init__(self, roots: dict[str, int]) -> None:
        self.roots = roots
        self.before = {
            name: {pid: _seconds([pid]) for pid in _tree(root)} for name, root in roots.items()
        }
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.children_before = usage.ru_utime + usage.ru_stime

    def stop(self) -> dict[str, float]:
        # Processes born during the run (a PostgreSQL backend for a new connection, a
        # respawned worker) count from zero; one that ended during it is lost, as /proc is.
        spent = {}
        for name, root in self.roots.items():
            before = self.before[name]
            now = {pid: _seconds([pid]) for pid in _tree(root)}
            spent[name] = round(sum(t - before.get(pid, 0.0) for pid, t in now.items()), 2)
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        spent["load_generator"] = round(usage.ru_utime + usage.ru_stime - self.children_before, 2)
        return spent
