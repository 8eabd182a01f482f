# SPDX-License-Identifier: BSD-3-Clause
# PyTorch side of bench/optim.ts: one optimizer step over the same ~10M-parameter model (ten
# 1000x1000 weights and their biases, gradients preset), the same timing rule; prints JSON.
import json, sys
import torch
from harness import median_time

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
