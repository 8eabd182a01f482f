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
# nn spatial kernels, forward + backward (same shapes in bench/ops.ts)
F = torch.nn.functional
r = lambda *s: torch.randn(*s).requires_grad_()
x, w, b, x1, w1, wt = r(32, 16, 32, 32), r(32, 16, 3, 3), r(32), r(32, 32, 512), r(32, 32, 5), r(16, 8, 4, 4)
out["conv2d_fb"] = median_time(lambda: F.conv2d(x, w, b, padding=1).sum().backward())
out["maxpool2d_fb"] = median_time(lambda: F.max_pool2d(x, 2).sum().backward())
out["conv1d_fb"] = median_time(lambda: F.conv1d(x1, w1, None, padding=2).sum().backward())
out["convT2d_fb"] = median_time(lambda: F.conv_transpose2d(x, wt, None, stride=2, padding=1).sum().backward())
out["bilinear_fb"] = median_time(lambda: F.interpolate(x, scale_factor=2, mode="bilinear").sum().backward())
print(json.dumps({"torch": torch.__version__, "blas": "openblas" if "openblas" in torch.__config__.show().lower() else "see LD_LIBRARY_PATH", "times": out}))
