"""The machine, the code under test, and where the CPU went during a phase."""

from __future__ import annotations

import contextlib
import hashlib
import os
import platform
import sqlite3
import subprocess
import time
from pathlib import Path
from typing import Any

from tests.bench.hub.common import REPO

WATCHED = ("shared", "pyproject.toml")  # what the hub runs, besides its dependencies
NOT_RUN_BY_HUB = ("shared/client/",)  # the apps' client library: not in the digest


def _mount_of(path: Path) -> dict[str, str]:
    real, best = os.path.realpath(path), ("", "", "", "")
    for line in Path("/proc/mounts").read_text().splitlines():
        dev, mnt, fstype, opts = line.split()[:4]
        mnt = mnt.replace("\\040", " ")
        inside = real == mnt or real.startswith(mnt.rstrip("/") + "/")
        if inside and len(mnt) >= len(best[1]):
            best = (dev, mnt, fstype, opts)
    return dict(zip(("device", "mount", "fstype", "options"), best, strict=True))


def _git(*args: str) -> str | None:
    try:
        out = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True)
    except OSError:  # no git here
        return None
    return out.stdout if out.returncode == 0 else None


def _hub_digest() -> str:
    """A digest of the files the hub runs, as they are on disk now (commits aside)."""
    digest = hashlib.sha256()
    files = [REPO / "pyproject.toml", *sorted((REPO / "shared").rglob("*"))]
    for path in files:
        rel = path.relative_to(REPO).as_posix()
        if not path.is_file() or "__pycache__" in rel or rel.startswith(NOT_RUN_BY_HUB):
            continue
        digest.update(rel.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def code_state() -> dict[str, Any]:
    """The commit, the files of shared/ changed since, and a digest of the hub's files: the
    hub code is edited while benchmarks run, so each hub records what it started from."""
    commit = (_git("rev-parse", "--short", "HEAD") or "").strip() or "unknown"
    # Porcelain lines are "XY path": never strip the output, the first X may be a space.
    lines = _git("status", "--porcelain", "--untracked-files=all", "--", *WATCHED) or ""
    changed = [line[3:] for line in lines.splitlines() if len(line) > 3]
    return {"commit": commit, "changed_since": changed, "digest": _hub_digest()}


def describe_machine(workdir: Path) -> dict[str, Any]:
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")), platform.processor() or "unknown",
    )  # fmt: skip
    return {
        "cpu_model": cpu,
        "cores": os.cpu_count(),
        "cores_usable": len(os.sched_getaffinity(0)),
        "kernel": platform.release(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "sqlite": sqlite3.sqlite_version,
        "db_dir": str(workdir),
        "db_dir_base": str(workdir.parent),
        "filesystem": _mount_of(workdir),
        "loadavg_start": [round(x, 2) for x in os.getloadavg()],
    }


class CpuMeter:
    """CPU used during a phase by the hub, by this process, and by everything else."""

    TICK = os.sysconf("SC_CLK_TCK")

    def __init__(self, hub_pid: int | None) -> None:
        self.hub_pid = hub_pid
        self.start = self._sample()

    def _sample(self) -> tuple[float, float, float, float]:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
        busy = (sum(fields[:8]) - fields[3] - fields[4]) / self.TICK  # minus idle, iowait
        hub = 0.0
        if self.hub_pid is not None:
            stat = Path(f"/proc/{self.hub_pid}/stat").read_text()
            rest = stat[stat.rindex(")") + 2 :].split()
            hub = (int(rest[11]) + int(rest[12])) / self.TICK
        me = os.times()
        return time.perf_counter(), busy, hub, me.user + me.system

    def stop(self) -> dict[str, float]:
        end = self._sample()
        wall, busy, hub, me = (b - a for a, b in zip(self.start, end, strict=True))
        share = {"hub": hub, "bench": me, "other": max(0.0, busy - hub - me)}
        # Percent of ONE core; the machine has os.cpu_count() × 100 %.
        return {k: round(100 * v / wall, 1) for k, v in share.items()}


def established(port: int) -> int:
    """Server-side TCP connections of the hub (both ends of a loopback pair are listed)."""
    n = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(FileNotFoundError):
            for line in Path(table).read_text().splitlines()[1:]:
                local, state = line.split()[1], line.split()[3]
                n += state == "01" and int(local.rsplit(":", 1)[1], 16) == port
    return n
