"""Why a benchmark must not read PSS while it times questions (issue 12, bench_freshness).

A child process maps ``--mb`` MB (touched, as a search process maps its index) and times a 1 MiB
anonymous mmap/munmap in a loop; the parent reads the child's ``/proc/PID/smaps_rollup`` every
``--interval`` s (what ``bench_load.MemorySampler`` does) or not at all, alternating. Reading it
walks the child's page tables under its mmap lock, and the child's mmap waits. Prints, per mode,
the child's slowest calls and the reads' own duration.

    .venv/bin/python bench/smaps_stall.py [--mb 500] [--seconds 6] [--interval 0.05] [--pairs 2]
"""

from __future__ import annotations

import argparse
import mmap
import os
import subprocess
import sys
import time


def child(mb: int, seconds: float) -> None:
    region = mmap.mmap(-1, mb << 20)
    for at in range(0, mb << 20, 4096):
        region[at] = 1
    print("ready", flush=True)
    waits = []
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        t0 = time.perf_counter()
        block = mmap.mmap(-1, 1 << 20)
        block[0] = 1
        block.close()
        waits.append(time.perf_counter() - t0)
        time.sleep(0.0005)
    waits.sort()
    print(f"{len(waits)} {waits[len(waits) // 2] * 1e3:.3f} {waits[int(len(waits) * .999)] * 1e3:.2f} "
          f"{waits[-1] * 1e3:.2f} {sum(w > 0.005 for w in waits)}", flush=True)


def run(mb: int, seconds: float, interval: float | None) -> str:
    proc = subprocess.Popen([sys.executable, __file__, "--child", "--mb", str(mb),
                             "--seconds", str(seconds)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    reads = []
    if interval is not None:
        while proc.poll() is None:
            t0 = time.perf_counter()
            try:
                with open(f"/proc/{proc.pid}/smaps_rollup") as f:
                    f.read()
            except OSError:
                break
            reads.append(time.perf_counter() - t0)
            time.sleep(interval)
    n, p50, p999, worst, over = proc.stdout.readline().split()
    proc.wait()
    mode = "no PSS reads" if interval is None else f"PSS read every {interval * 1000:.0f} ms"
    read = f"; the reads: {len(reads)}, slowest {max(reads) * 1e3:.1f} ms" if reads else ""
    return (f"{mode:24s} 1 MiB mmap: {n} calls, median {p50} ms, p99.9 {p999} ms, "
            f"slowest {worst} ms, {over} over 5 ms{read}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mb", type=int, default=500)
    ap.add_argument("--seconds", type=float, default=6.0)
    ap.add_argument("--interval", type=float, default=0.05)
    ap.add_argument("--pairs", type=int, default=2)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.mb, args.seconds)
        return
    print(f"{args.mb} MB mapped in the child; load {os.getloadavg()[0]:.1f}")
    for _ in range(args.pairs):
        print(run(args.mb, args.seconds, None))
        print(run(args.mb, args.seconds, args.interval))


if __name__ == "__main__":
    main()
