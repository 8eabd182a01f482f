# SPDX-License-Identifier: BSD-3-Clause
# PyTorch side of `npm run bench` (bench/ops.ts): the same workloads and the same timing rule.
# Serves requests so the frameworks can be timed interleaved in one run:
#   /usr/bin/python3 bench/torch_ops.py THREADS MODELDIR
# prints {"ready": true, "torch": VERSION} once, then answers one JSON line per request line:
#   {"cmd": "check", "name": N, "dir": D, "tag": T}  builds workload N (kept for later requests) and
#       checks it where it can: training steps must lower the loss; models (weights from
#       MODELDIR/<model>.pt, the ones torchts and onnxruntime load) read their input from
#       D/N.in.f32 and write their output to D/N.T.out.f32 for the caller to compare.
#   {"cmd": "time", "name": N, "minTime": S, "chunks": C}  -> {"time": seconds per call}
# Errors come back as {"error": ...}, and the server keeps serving.
import json, os, sys
import numpy as np
import torch
import torch.nn.functional as F
from harness import median_time
from export_onnx import Net, mlp as mlp_model


threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
model_dir = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "onnx")
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


def falls(step, what):
    """The loss on a fixed batch must fall over 20 steps (the same check as the torchts side)."""
    first = step()
    for _ in range(20): last = step()
    if not last < first: raise RuntimeError(f"{what}: loss did not fall ({first} -> {last})")


def mlp_step():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x, y = torch.rand(64, 784), torch.randint(0, 10, (64,))

    def step():
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()
    falls(step, "mlp_adam_64")
    return step


def lenet_step(batch):
    torch.manual_seed(0)
    net, criterion = Net(), torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(net.parameters(), lr=0.001, momentum=0.9)
    x, y = torch.randn(batch, 3, 32, 32), torch.randint(0, 10, (batch,))

    def step():
        optimizer.zero_grad()
        loss = criterion(net(x), y)
        loss.backward()
        optimizer.step()
        return loss.item()
    falls(step, f"lenet_train_{batch}")
    return step


def weights(model):
    path = os.path.join(model_dir, model + ".pt")
    if not os.path.exists(path): raise RuntimeError(f"{path} missing (/usr/bin/python3 bench/export_onnx.py)")
    return torch.load(path)


MODELS = {"lenet_infer": ("lenet", Net, (3, 32, 32)), "mlp_infer": ("mlp", mlp_model, (784,))}


class ModelWork:
    """Inference of a model with the shared weights on the caller's input (check), then timed."""

    def __init__(self, name):
        kind, _, batch = name.rpartition("_")
        if kind == "resnet18":
            import torchvision
            model, build, shape = "resnet18", lambda: torchvision.models.resnet18(weights=None), (3, 224, 224)
        else:
            model, build, shape = MODELS[kind]
        self.name, self.shape = name, (int(batch),) + shape
        self.net = build().eval()
        self.net.load_state_dict(weights(model))
        self.x = None

    def check(self, d, tag):
        x = np.fromfile(os.path.join(d, self.name + ".in.f32"), dtype=np.float32)
        self.x = torch.from_numpy(x).reshape(self.shape)
        with torch.no_grad(): y = self.net(self.x)
        y.numpy().astype(np.float32).tofile(os.path.join(d, f"{self.name}.{tag}.out.f32"))

    def __call__(self):
        if self.x is None: raise RuntimeError(self.name + ": not checked")
        with torch.no_grad(): self.net(self.x)


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
    if name.startswith("lenet_train_"):
        return lenet_step(int(name[12:]))
    if name.startswith("lenet_infer_") or name.startswith("mlp_infer_") or name.startswith("resnet18_"):
        return ModelWork(name)
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


works = {}
print(json.dumps({"ready": True, "torch": torch.__version__}), flush=True)
for line in sys.stdin:
    if not line.strip(): continue
    req = json.loads(line)
    name = req["name"]
    try:
        if name not in works: works[name] = workload(name)
        fn = works[name]
        if req["cmd"] == "check":
            if isinstance(fn, ModelWork): fn.check(req["dir"], req.get("tag", "torch"))
            print(json.dumps({"name": name, "ok": True}), flush=True)
        else:
            print(json.dumps({"name": name, "time": median_time(fn, float(req.get("minTime", 0.25)), int(req.get("chunks", 7)))}), flush=True)
    except Exception as e:  # report, keep serving
        print(json.dumps({"name": name, "error": repr(e)}), flush=True)
