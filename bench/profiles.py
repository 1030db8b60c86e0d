"""Sampling profiles of a running server with py-spy, summarised as its hottest frames.

`Profiler.record(pid, seconds, name)` samples the process (all its threads, idle ones left
out) into DIR/name.txt in py-spy's collapsed-stack format, which flame-graph tools read
(e.g. https://www.speedscope.app or flamegraph.pl), and `top_frames` reads such a file back:
the functions with the largest share of samples on the stack (inclusive) and at its top (self).
"""

import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path


class Profiler:
    def __init__(self, directory: Path) -> None:
        beside_python = Path(sys.executable).parent / "py-spy"
        executable = str(beside_python) if beside_python.exists() else shutil.which("py-spy")
        if executable is None:
            raise SystemExit("py-spy is not installed (it is in the dev extra: make install)")
        self.executable = executable
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)

    def start(self, pid: int, seconds: float, name: str) -> tuple[subprocess.Popen[bytes], Path]:
        """Starts sampling `pid` for `seconds`; wait on the process, then read the file."""
        output = self.directory / f"{name}.txt"
        process = subprocess.Popen(
            [
                self.executable, "record", "--pid", str(pid), "--duration", str(max(1, round(seconds))),
                "--rate", "250", "--format", "raw", "--output", str(output), "--nonblocking",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        return process, output


def _frame_name(frame: str) -> str:
    """`function (path/to/module.py:123)` → `function (module.py)`: one entry per function."""
    function, _, location = frame.partition(" (")
    path = location.rsplit(":", 1)[0].rstrip(")")
    parts = Path(path).parts
    short = "/".join(parts[-2:]) if len(parts) >= 2 else path
    return f"{function} ({short})"


def top_frames(collapsed: Path, count: int = 12) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
    """(inclusive, self) shares of all samples, hottest first, `count` of each."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in collapsed.read_text().splitlines():
        stack, _, samples = line.rpartition(" ")
        if not stack or not samples.isdigit():
            continue
        weight = int(samples)
        frames = [_frame_name(f) for f in stack.split(";")[1:]]  # the first is the thread
        if not frames:
            continue
        total += weight
        for frame in set(frames):
            inclusive[frame] += weight
        own[frames[-1]] += weight
    if total == 0:
        return [], []

    def shares(counter: Counter[str]) -> list[tuple[str, float]]:
        # Frames under nearly every sample (the event loop, uvicorn's protocol) say nothing.
        ranked = [(frame, n / total) for frame, n in counter.most_common() if n / total < 0.9]
        return ranked[:count]

    return shares(inclusive), shares(own)


# Our top-level packages; a frame anywhere else is named by its library (its path's first part).
_OURS = ("adapters", "generated", "handlers", "kernel", "persistence", "services", "silverstar", "workers")


def self_time_by_package(collapsed: Path) -> list[tuple[str, float]]:
    """Shares of all samples by the package of the frame on top (self time), largest first:
    where a request's CPU goes, library by library ("ours" for this project's code)."""
    by_package: Counter[str] = Counter()
    for line in collapsed.read_text().splitlines():
        stack, _, samples = line.rpartition(" ")
        if not stack or not samples.isdigit():
            continue
        _, _, location = stack.rsplit(";", 1)[-1].partition(" (")
        package = location.split("/", 1)[0].split(":", 1)[0].rstrip(")")
        by_package["ours" if package in _OURS else package or "?"] += int(samples)
    total = sum(by_package.values())
    return [(package, n / total) for package, n in by_package.most_common()] if total else []


def print_top_frames(title: str, collapsed: Path, count: int = 12) -> None:
    inclusive, own = top_frames(collapsed, count)
    print(f"\n{title} — {collapsed}")
    if not inclusive:
        print("  (no samples)")
        return
    packages = self_time_by_package(collapsed)[:10]
    print("  self time by package: " + ", ".join(f"{name} {share:.0%}" for name, share in packages))
    print(f"  {'on the stack':<78} {'self':<60}")
    for (frame_in, share_in), (frame_self, share_self) in zip(inclusive, own, strict=False):
        print(f"  {share_in:5.1%} {frame_in[:71]:<72} {share_self:5.1%} {frame_self[:60]}")
