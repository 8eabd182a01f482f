# SPDX-License-Identifier: BSD-3-Clause
# PyTorch side of bench/ops.ts: the same workloads and the same timing rule. Serves requests so
# the two frameworks can be timed interleaved in one run: prints {"ready": ...} once, then for
# each line "NAME" on stdin prints one JSON line {"name": NAME, "time": seconds} (or "error").
import json, sys
import torch
import torch.nn.functional as F
from harness import median_time


threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
torch.set_num_threads(threads)
torch.manual_seed(0)
n = 16 * 1024 * 1024
big = {}


def vecs():
    if not big:
        big["a"], big["b"], big["c"] = torch.rand(n), torch.rand(n), torch.empty(n)
    return big["a"], big["b"], big["c"]


mats = {}


def mat(r, c, dtype=torch.float32):
    key = (r, c, dtype)
    if key not in mats: mats[key] = torch.rand(r, c, dtype=dtype)
    return mats[key]


def matmul_case(size, ta, tb, dtype=torch.float32):
    A = mat(size, size, dtype).t() if ta else mat(size, size, dtype)
    B = mat(size, size, dtype).t() if tb else mat(size, size, dtype)
    return lambda: torch.mm(A, B)


def mlp_step():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x, y = torch.rand(64, 784), torch.randint(0, 10, (64,))

    def step():
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()
    return step


def workload(name):
    if name.startswith("matmul_"):  # matmul_SIZE[_nt|_tn|_tt][_f64]
        parts = name.split("_")
        size = int(parts[1])
        trans = parts[2] if len(parts) > 2 and parts[2] in ("nn", "nt", "tn", "tt") else "nn"
        dtype = torch.float64 if parts[-1] == "f64" else torch.float32
        return matmul_case(size, trans[0] == "t", trans[1] == "t", dtype)
    if name.startswith("bmm_"):  # bmm_BATCHxSIZE
        bs, size = map(int, name[4:].split("x"))
        A, B = torch.rand(bs, size, size), torch.rand(bs, size, size)
        return lambda: torch.bmm(A, B)
    if name == "mv_4096":
        A, x = mat(4096, 4096), torch.rand(4096)
        return lambda: torch.mv(A, x)
    if name.endswith("_16M_out") or name.endswith("_16M_fresh") or name == "sum_16M":
        a, b, c = vecs()
        return {
            "add_16M_out": lambda: torch.add(a, b, out=c),
            "mul_16M_out": lambda: torch.mul(a, b, out=c),
            "relu_16M_out": lambda: torch.clamp(a, min=0, out=c),
            "add_16M_fresh": lambda: torch.add(a, b),
            "mul_16M_fresh": lambda: torch.mul(a, b),
            "relu_16M_fresh": lambda: torch.relu(a),
            "sum_16M": lambda: a.sum(),
        }[name]
    if name == "add_1_nograd":
        a, b = torch.rand(1), torch.rand(1)
        return lambda: a.add(b)
    if name == "add_1_grad":
        a, b = torch.rand(1, requires_grad=True), torch.rand(1)
        return lambda: a.add(b)
    if name == "mlp_adam_64":
        return mlp_step()
    if name.endswith("_fb"):  # nn spatial kernels, forward + backward (shapes as in bench/ops.ts)
        g = lambda *shape: torch.randn(*shape, requires_grad=True)
        x = g(32, 16, 32, 32)
        if name == "conv2d_fb":
            w, b = g(32, 16, 3, 3), g(32)
            return lambda: F.conv2d(x, w, b, padding=1).sum().backward()
        if name == "maxpool2d_fb":
            return lambda: F.max_pool2d(x, 2).sum().backward()
        if name == "conv1d_fb":
            x1, w1 = g(32, 32, 512), g(32, 32, 5)
            return lambda: F.conv1d(x1, w1, None, padding=2).sum().backward()
        if name == "convT2d_fb":
            wt = g(16, 8, 4, 4)
            return lambda: F.conv_transpose2d(x, wt, None, stride=2, padding=1).sum().backward()
        if name == "bilinear_fb":
            return lambda: F.interpolate(x, scale_factor=2, mode="bilinear").sum().backward()
    raise KeyError(name)


print(json.dumps({"ready": True, "torch": torch.__version__}), flush=True)
for line in sys.stdin:
    name, _, min_time = line.strip().partition(" ")
    if not name: continue
    try:
        fn = workload(name)
        print(json.dumps({"name": name, "time": median_time(fn, float(min_time or 0.25))}), flush=True)
    except Exception as e:  # report, keep serving
        print(json.dumps({"name": name, "error": repr(e)}), flush=True)
