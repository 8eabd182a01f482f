# SPDX-License-Identifier: BSD-3-Clause
# PyTorch side of bench/ops.ts: the same workloads, the same timing rule; prints JSON.
import json, sys, time
import torch

def median_time(fn, min_time=0.25, chunks=7):
    fn()  # warm-up
    reps = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(reps): fn()
        if time.perf_counter() - t0 >= min_time / 4: break
        reps *= 2
    times = []
    for _ in range(chunks):
        t0 = time.perf_counter()
        for _ in range(reps): fn()
        times.append((time.perf_counter() - t0) / reps)
    times.sort()
    return times[len(times) // 2]

threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
torch.set_num_threads(threads)
n = 16 * 1024 * 1024
a, b, c = torch.rand(n), torch.rand(n), torch.empty(n)
m1, m2 = torch.rand(1024, 1024), torch.rand(1024, 1024)
out = {
    "add_16M": median_time(lambda: torch.add(a, b, out=c)),
    "mul_16M": median_time(lambda: torch.mul(a, b, out=c)),
    "sum_16M": median_time(lambda: a.sum()),
    "matmul_1024": median_time(lambda: torch.mm(m1, m2)),
    "matmul_256": median_time(lambda: torch.mm(m1[:256, :256], m2[:256, :256])),
}
print(json.dumps({"torch": torch.__version__, "blas": "openblas" if "openblas" in torch.__config__.show().lower() else "see LD_LIBRARY_PATH", "times": out}))
