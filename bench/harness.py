# SPDX-License-Identifier: BSD-3-Clause
"""Timing shared by the PyTorch side of the benchmarks (the same procedure as bench/harness.ts)."""
import time


def median_time(fn, min_time=0.5, chunks=7):
    """Median seconds per call: one warm-up call, the repetition count doubled until a chunk takes
    min_time / 4, then `chunks` chunks of that many calls. Calls slower than 0.5 s get 3 chunks of
    one call at most (as in perf-baselines.md)."""
    fn()
    reps = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(reps): fn()
        took = time.perf_counter() - t0
        if took >= min_time / 4:
            if reps == 1 and took > 0.5: chunks = min(chunks, 3)
            break
        reps *= 2
    times = []
    for _ in range(chunks):
        t0 = time.perf_counter()
        for _ in range(reps): fn()
        times.append((time.perf_counter() - t0) / reps)
    times.sort()
    return times[len(times) // 2]


def peak_rss_mib():
    """Peak resident set size of this process so far (VmHWM), in MiB."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
