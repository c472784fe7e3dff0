"""Full garbage collections in a server process holding many sockets, with and without
config/heap.py's ShortCollections (GC_THAW_SECONDS).

    .venv/bin/python bench/gc_pause.py [--sockets 1950] [--seconds 60]

For each setting, a fresh interpreter imports the ASGI application as Daphne does
(config.asgi: the start-up objects frozen, and ShortCollections installed unless
GC_THAW_SECONDS=0), then holds `--sockets` connections' worth of objects (about 240 tracked
objects each, as the farm's Daphne held: 465,000 at 1,950 sockets, docs/benchmarks.md), made
over time as sockets arrive, and then serves traffic for `--seconds`: short-lived frames, and a
little that lives on (as caches and sessions do). Every full (generation 2) collection is timed
through gc.callbacks. Printed: their number and their pauses (median, max) during the arrival
and during the traffic, and the process's RSS at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import gc, json, os, resource, sys, time
import config.asgi  # noqa: F401  (as Daphne: start-up objects frozen; ShortCollections unless 0)

sockets, seconds = int(sys.argv[1]), float(sys.argv[2])
pauses = {"arrival": [], "traffic": []}
phase = "arrival"
began = [0.0]

def timer(what, info):
    if info["generation"] != 2:
        return
    if what == "start":
        began[0] = time.perf_counter()
    else:
        pauses[phase].append((time.perf_counter() - began[0]) * 1000)

gc.callbacks.insert(0, timer)

class Socket:  # a connection's objects: scope, consumer, protocol, buffers (tracked, cyclic)
    def __init__(self, n):
        self.me = self
        self.scope = {"path": f"/ws/meetings/{n}/", "headers": [[b"k", b"v"] for _ in range(20)]}
        self.parts = [[i, self] for i in range(200)]

held = []
for n in range(sockets):  # arriving
    held.append(Socket(n))
    _ = [[i] for i in range(300)]  # the handshake's garbage
phase = "traffic"
lasting = []
end = time.monotonic() + seconds
frames = 0
while time.monotonic() < end:
    for _ in range(200):
        frame = {"type": "event", "payload": [[i] for i in range(30)]}
        frames += 1
    if frames % 5000 == 0:
        lasting.append([frame])  # a little lives on
    if frames % 20000 == 0:  # a socket closes and another opens
        held[frames % len(held)] = Socket(frames)
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"pauses": pauses, "frames": frames, "max_rss_mib": round(rss / 1024)}))
"""


def run(thaw: str, sockets: int, seconds: float) -> dict:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "GC_THAW_SECONDS": thaw}
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(sockets), str(seconds)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def summary(values: list[float]) -> str:
    if not values:
        return "none"
    ordered = sorted(values)
    return f"{len(values)}, median {ordered[len(values) // 2]:.0f} ms, max {ordered[-1]:.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sockets", type=int, default=1950)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    load = os.getloadavg()[0]
    print(f"{os.cpu_count()} cores, load {load:.2f}; {args.sockets} sockets, {args.seconds:g} s")
    settings = (("Python's collector (GC_THAW_SECONDS=0)", "0"), ("ShortCollections", "600"))
    for label, thaw in settings:
        result = run(thaw, args.sockets, args.seconds)
        print(f"{label}:")
        print(f"  full collections while arriving: {summary(result['pauses']['arrival'])}")
        print(f"  full collections under traffic:  {summary(result['pauses']['traffic'])}")
        print(f"  frames {result['frames']}, max RSS {result['max_rss_mib']} MiB")


if __name__ == "__main__":
    main()
