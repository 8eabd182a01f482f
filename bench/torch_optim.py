# SPDX-License-Identifier: BSD-3-Clause
# PyTorch side of bench/optim.ts: one optimizer step over the same ~10M-parameter model (ten
# 1000x1000 weights and their biases, gradients preset), the same timing rule; prints JSON.
import json, sys, time
import torch

def median_time(fn, min_time=0.5, chunks=7):
    fn()  # warm-up (creates the optimizer state)
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
torch.manual_seed(0)

def model():
    params = []
    for _ in range(10):
        params += [torch.randn(1000, 1000).mul_(0.01).requires_grad_(), torch.zeros(1000).requires_grad_()]
    for p in params:
        p.grad = torch.randn_like(p).mul_(1e-3)
    return params

def bench(make):
    params = model()
    opt = make(params)
    return median_time(opt.step)

out = {
    "adam": bench(lambda p: torch.optim.Adam(p, lr=1e-3)),
    "adam_foreach": bench(lambda p: torch.optim.Adam(p, lr=1e-3, foreach=True)),
    "adamw": bench(lambda p: torch.optim.AdamW(p, lr=1e-3)),
    "sgd_momentum": bench(lambda p: torch.optim.SGD(p, lr=1e-3, momentum=0.9)),
}
print(json.dumps({"torch": torch.__version__, "numel": sum(p.numel() for p in model()), "times": out}))
