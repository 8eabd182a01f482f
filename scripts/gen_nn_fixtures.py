#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Generates test/fixtures/nn.json from real PyTorch (Debian's 1.13): forward values and
# input/weight/bias gradients of the nn layers and losses, default initialisation after
# manual_seed, module reprs, state_dict keys, load_state_dict errors and a short training run.
# Run: /usr/bin/python3 scripts/gen_nn_fixtures.py
import json
import os
from collections import OrderedDict

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(1234)
g = torch.Generator().manual_seed(1234)


def enc(t):
    t = t.detach()
    if t.dtype == torch.int64:
        data = [str(v) for v in t.reshape(-1).tolist()]
    else:
        data = []
        for v in t.reshape(-1).tolist():
            if v != v: data.append("nan")
            elif v == float("inf"): data.append("inf")
            elif v == float("-inf"): data.append("-inf")
            else: data.append(v)
    return {"shape": list(t.shape), "dtype": str(t.dtype).replace("torch.", ""), "data": data}


def rnd(*shape, dtype=torch.float64):
    return torch.randn(*shape, generator=g, dtype=dtype)


out = {}

# ---- default init after manual_seed ----------------------------------------------------------
torch.manual_seed(0)
lin = nn.Linear(3, 2)
torch.manual_seed(0)
conv = nn.Conv2d(3, 6, 5)
torch.manual_seed(0)
convg = nn.Conv2d(4, 6, (3, 2), groups=2, bias=False)
out["init"] = {
    "linear": {"weight": enc(lin.weight), "bias": enc(lin.bias)},
    "conv": {"weight": enc(conv.weight), "bias": enc(conv.bias)},
    "convGroups": {"weight": enc(convg.weight)},
}
torch.manual_seed(0)
t = torch.empty(5, 4)
nn.init.xavier_uniform_(t)
x1 = t.clone()
nn.init.xavier_normal_(t, gain=2.0)
x2 = t.clone()
nn.init.kaiming_uniform_(t, a=0.1, mode="fan_out", nonlinearity="leaky_relu")
x3 = t.clone()
nn.init.kaiming_normal_(t, nonlinearity="relu")
x4 = t.clone()
out["initFns"] = {"xavierUniform": enc(x1), "xavierNormal": enc(x2), "kaimingUniform": enc(x3), "kaimingNormal": enc(x4),
                  "gains": [nn.init.calculate_gain(n) for n in ["linear", "sigmoid", "tanh", "relu", "leaky_relu", "selu"]]}

# ---- conv2d -------------------------------------------------------------------------------------
conv_cases = [
    dict(N=2, C=3, H=7, W=6, OC=4, k=(3, 3), stride=1, padding=0, dilation=1, groups=1, bias=True),
    dict(N=1, C=2, H=8, W=9, OC=3, k=(3, 2), stride=(2, 1), padding=(1, 2), dilation=1, groups=1, bias=True),
    dict(N=2, C=4, H=9, W=9, OC=6, k=(3, 3), stride=2, padding=2, dilation=2, groups=2, bias=False),
    dict(N=3, C=2, H=5, W=6, OC=4, k=(4, 3), stride=1, padding="same", dilation=1, groups=1, bias=True),
    dict(N=1, C=3, H=6, W=6, OC=3, k=(2, 2), stride=1, padding="valid", dilation=(1, 2), groups=3, bias=True),
    dict(N=4, C=1, H=32, W=32, OC=6, k=(5, 5), stride=1, padding=0, dilation=1, groups=1, bias=True),
]
out["conv2d"] = []
for c in conv_cases:
    x = rnd(c["N"], c["C"], c["H"], c["W"]).requires_grad_()
    w = rnd(c["OC"], c["C"] // c["groups"], *c["k"]).requires_grad_()
    b = rnd(c["OC"]).requires_grad_() if c["bias"] else None
    y = F.conv2d(x, w, b, stride=c["stride"], padding=c["padding"], dilation=c["dilation"], groups=c["groups"])
    go = rnd(*y.shape)
    y.backward(go)
    opts = {k: (list(v) if isinstance(v, tuple) else v) for k, v in c.items() if k in ("stride", "padding", "dilation", "groups")}
    out["conv2d"].append({"opts": opts, "x": enc(x), "w": enc(w), "b": enc(b) if b is not None else None, "out": enc(y),
                          "gradOut": enc(go), "gx": enc(x.grad), "gw": enc(w.grad), "gb": enc(b.grad) if b is not None else None})

# ---- pooling -----------------------------------------------------------------------------------
out["maxPool2d"] = []
for c in [dict(k=2, stride=None, padding=0, dilation=1, ceil=False, shape=(2, 3, 8, 8)),
          dict(k=3, stride=2, padding=1, dilation=1, ceil=True, shape=(1, 2, 7, 9)),
          dict(k=(2, 3), stride=(1, 2), padding=(1, 1), dilation=(2, 1), ceil=False, shape=(2, 2, 9, 8)),
          dict(k=3, stride=3, padding=0, dilation=1, ceil=True, shape=(2, 5, 5)),
          dict(k=2, stride=2, padding=0, dilation=1, ceil=False, shape=(1, 1, 4, 4), ties=True)]:
    if c.get("ties"):
        x = torch.tensor([[[[1., 1., 2., 0.], [1., 0., 2., 2.], [float("nan"), 0., 3., 3.], [0., 1., 3., 3.]]]], dtype=torch.float64).requires_grad_()
    else:
        x = rnd(*c["shape"]).requires_grad_()
    y, idx = F.max_pool2d(x, c["k"], c["stride"], c["padding"], c["dilation"], ceil_mode=c["ceil"], return_indices=True)
    go = rnd(*y.shape)
    y.backward(go)
    L = lambda v: list(v) if isinstance(v, tuple) else v
    out["maxPool2d"].append({"opts": {"kernelSize": L(c["k"]), "stride": L(c["stride"]), "padding": L(c["padding"]), "dilation": L(c["dilation"]), "ceilMode": c["ceil"]},
                             "x": enc(x), "out": enc(y), "indices": enc(idx), "gradOut": enc(go), "gx": enc(x.grad)})
out["avgPool2d"] = []
for c in [dict(k=2, stride=None, padding=0, ceil=False, cip=True, div=None, shape=(2, 3, 8, 8)),
          dict(k=3, stride=2, padding=1, ceil=True, cip=False, div=None, shape=(1, 2, 7, 9)),
          dict(k=3, stride=2, padding=1, ceil=True, cip=True, div=None, shape=(1, 2, 7, 9)),
          dict(k=(2, 3), stride=(1, 2), padding=(1, 1), ceil=False, cip=True, div=5, shape=(2, 2, 6, 7))]:
    x = rnd(*c["shape"]).requires_grad_()
    y = F.avg_pool2d(x, c["k"], c["stride"], c["padding"], c["ceil"], c["cip"], c["div"])
    go = rnd(*y.shape)
    y.backward(go)
    L = lambda v: list(v) if isinstance(v, tuple) else v
    out["avgPool2d"].append({"opts": {"kernelSize": L(c["k"]), "stride": L(c["stride"]), "padding": L(c["padding"]), "ceilMode": c["ceil"], "countIncludePad": c["cip"], "divisorOverride": c["div"]},
                             "x": enc(x), "out": enc(y), "gradOut": enc(go), "gx": enc(x.grad)})
out["adaptiveAvgPool2d"] = []
for shape, os_ in [((2, 3, 8, 8), (2, 2)), ((1, 2, 7, 5), (3, 2)), ((2, 5, 6), 4)]:
    x = rnd(*shape).requires_grad_()
    y = F.adaptive_avg_pool2d(x, os_)
    go = rnd(*y.shape)
    y.backward(go)
    out["adaptiveAvgPool2d"].append({"outputSize": list(os_) if isinstance(os_, tuple) else os_, "x": enc(x), "out": enc(y), "gradOut": enc(go), "gx": enc(x.grad)})

# ---- activations and linear ---------------------------------------------------------------------
acts = {
    "relu": lambda x: F.relu(x), "leakyRelu": lambda x: F.leaky_relu(x, 0.2), "sigmoid": torch.sigmoid, "tanh": torch.tanh,
    "gelu": lambda x: F.gelu(x), "geluTanh": lambda x: F.gelu(x, approximate="tanh"), "silu": F.silu,
    "softmax1": lambda x: F.softmax(x, dim=1), "softmax0": lambda x: F.softmax(x, dim=0),
    "logSoftmax1": lambda x: F.log_softmax(x, dim=1), "logSoftmaxNeg1": lambda x: F.log_softmax(x, dim=-1),
}
out["activations"] = {}
for name, fn in acts.items():
    x = (rnd(3, 5) * 3).requires_grad_()
    if name.startswith("softmax") or name.startswith("logSoftmax"):
        x = (rnd(3, 5) * 30).requires_grad_()   # large values: needs the max shift
    y = fn(x)
    go = rnd(*y.shape)
    y.backward(go)
    out["activations"][name] = {"x": enc(x), "out": enc(y), "gradOut": enc(go), "gx": enc(x.grad)}
x = rnd(4, 3).requires_grad_(); w = rnd(2, 3).requires_grad_(); b = rnd(2).requires_grad_()
y = F.linear(x, w, b); go = rnd(4, 2); y.backward(go)
out["linear"] = {"x": enc(x), "w": enc(w), "b": enc(b), "out": enc(y), "gradOut": enc(go), "gx": enc(x.grad), "gw": enc(w.grad), "gb": enc(b.grad), "gradFn": type(y.grad_fn).__name__}

# ---- losses -------------------------------------------------------------------------------------
out["losses"] = []
def loss_case(name, fn, inp, target, opts, extra=None):
    inp = inp.detach().requires_grad_()
    y = fn(inp, target)
    go = rnd(*y.shape) if y.dim() > 0 else torch.tensor(1.0, dtype=y.dtype)
    y.backward(go)
    d = {"name": name, "opts": opts, "input": enc(inp), "target": enc(target), "out": enc(y), "gradOut": enc(go), "gx": enc(inp.grad)}
    if extra: d.update(extra)
    out["losses"].append(d)

logits = rnd(5, 4) * 2
tgt = torch.tensor([0, 3, 1, 3, 2])
tgt_ign = torch.tensor([0, -100, 1, 3, -100])
tgt_ign2 = torch.tensor([0, 2, 1, 2, 2])
wt = torch.tensor([0.5, 1.0, 2.0, 1.5], dtype=torch.float64)
for red in ["mean", "sum", "none"]:
    loss_case("crossEntropy", lambda i, t: F.cross_entropy(i, t, reduction=red), logits, tgt, {"reduction": red})
    loss_case("crossEntropy", lambda i, t: F.cross_entropy(i, t, weight=wt, reduction=red), logits, tgt, {"reduction": red, "weight": True})
    loss_case("crossEntropy", lambda i, t: F.cross_entropy(i, t, reduction=red, label_smoothing=0.1), logits, tgt, {"reduction": red, "labelSmoothing": 0.1})
    loss_case("nllLoss", lambda i, t: F.nll_loss(i, t, weight=wt, reduction=red), F.log_softmax(logits, 1), tgt, {"reduction": red, "weight": True})
    loss_case("mseLoss", lambda i, t: F.mse_loss(i, t, reduction=red), logits, rnd(5, 4), {"reduction": red})
    loss_case("l1Loss", lambda i, t: F.l1_loss(i, t, reduction=red), logits, rnd(5, 4), {"reduction": red})
    loss_case("bce", lambda i, t: F.binary_cross_entropy(i, t, reduction=red), torch.sigmoid(logits), torch.rand(5, 4, generator=g, dtype=torch.float64), {"reduction": red})
    loss_case("bceWithLogits", lambda i, t: F.binary_cross_entropy_with_logits(i, t, reduction=red), logits * 20, torch.rand(5, 4, generator=g, dtype=torch.float64), {"reduction": red})
loss_case("crossEntropy", lambda i, t: F.cross_entropy(i, t, ignore_index=-100), logits, tgt_ign, {"ignoreIndex": -100})
loss_case("crossEntropy", lambda i, t: F.cross_entropy(i, t, ignore_index=2, label_smoothing=0.2), logits, tgt_ign2, {"ignoreIndex": 2, "labelSmoothing": 0.2})
loss_case("crossEntropy", lambda i, t: F.cross_entropy(i, t, weight=wt, ignore_index=2, label_smoothing=0.2), logits, tgt_ign2, {"ignoreIndex": 2, "labelSmoothing": 0.2, "weight": True})
loss_case("crossEntropy", lambda i, t: F.cross_entropy(i, t), rnd(2, 4, 3, 2), torch.randint(0, 4, (2, 3, 2), generator=g), {})
loss_case("crossEntropy", lambda i, t: F.cross_entropy(i, t), logits, torch.softmax(rnd(5, 4), 1), {"probs": True})
pw = torch.tensor([1.0, 2.0, 0.5, 3.0], dtype=torch.float64)
loss_case("bceWithLogits", lambda i, t: F.binary_cross_entropy_with_logits(i, t, pos_weight=pw, weight=wt), logits, torch.rand(5, 4, generator=g, dtype=torch.float64), {"posWeight": True, "weight": True})
bx = torch.tensor([0.0, 1.0, 0.5, 1e-50], dtype=torch.float64)
loss_case("bce", lambda i, t: F.binary_cross_entropy(i, t, reduction="none"), bx, torch.tensor([1.0, 0.0, 0.5, 1.0], dtype=torch.float64), {"reduction": "none", "clamp": True})
out["lossWeight"] = enc(wt)
out["lossPosWeight"] = enc(pw)
try:
    F.cross_entropy(logits, torch.tensor([0, 5, 1, 3, 2]))
except Exception as e:
    out["targetOutOfBounds"] = {"type": type(e).__name__, "message": str(e)}

# ---- dropout ------------------------------------------------------------------------------------
torch.manual_seed(0)
d1 = F.dropout(torch.ones(4, 6), 0.3)
torch.manual_seed(0)
dm = nn.Dropout(0.5)
d2 = dm(torch.arange(12, dtype=torch.float32).reshape(3, 4))
out["dropout"] = {"p03": enc(d1), "module05": enc(d2)}

# ---- batchnorm ----------------------------------------------------------------------------------
bn = nn.BatchNorm2d(3).double()
with torch.no_grad():
    bn.weight.copy_(torch.tensor([1.0, 2.0, 0.5])); bn.bias.copy_(torch.tensor([0.1, -0.2, 0.3]))
x = (rnd(4, 3, 2, 2) * 2 + 1).requires_grad_()
y = bn(x); go = rnd(*y.shape); y.backward(go)
y2 = bn(x.detach() * 0.5)
bn.eval(); y3 = bn(x.detach())
out["batchNorm2d"] = {"x": enc(x), "out": enc(y), "gradOut": enc(go), "gx": enc(x.grad), "gw": enc(bn.weight.grad), "gb": enc(bn.bias.grad),
                      "out2": enc(y2), "runningMean": enc(bn.running_mean), "runningVar": enc(bn.running_var), "evalOut": enc(y3),
                      "numBatchesTracked": bn.num_batches_tracked.item()}
bn1 = nn.BatchNorm1d(4, momentum=None).double()
x = rnd(6, 4); bn1(x); bn1(x * 2)
out["batchNorm1d"] = {"x": enc(x), "runningMean": enc(bn1.running_mean), "runningVar": enc(bn1.running_var)}

# ---- the seed networks ----------------------------------------------------------------------
class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.conv1 = nn.Conv2d(1, 6, 3)
        self.conv2 = nn.Conv2d(6, 16, 3)
        self.fc1 = nn.Linear(16 * 6 * 6, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = x.view(-1, 16 * 6 * 6)
        x = F.relu(self.fc1(x)); x = F.relu(self.fc2(x)); x = self.fc3(x)
        return x


class CifarNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = x.view(-1, 16 * 5 * 5)
        x = F.relu(self.fc1(x)); x = F.relu(self.fc2(x)); return self.fc3(x)


seq = nn.Sequential(OrderedDict([
    ("conv", nn.Conv2d(3, 8, 3, stride=2, padding=1, bias=False)), ("bn", nn.BatchNorm2d(8)), ("act", nn.ReLU(inplace=True)),
    ("pool", nn.AdaptiveAvgPool2d((1, 1))), ("flat", nn.Flatten()), ("drop", nn.Dropout(0.25)),
    ("head", nn.Sequential(nn.Linear(8, 4), nn.LeakyReLU(0.2), nn.Linear(4, 2, bias=False), nn.LogSoftmax(dim=1))),
]))
misc = nn.Sequential(nn.Conv2d(4, 4, (3, 1), padding="same", dilation=2, groups=2), nn.MaxPool2d(3, stride=1, padding=1, ceil_mode=True),
                     nn.AvgPool2d(2), nn.GELU(), nn.SiLU(), nn.Sigmoid(), nn.Tanh(), nn.Softmax(dim=-1), nn.Identity(),
                     nn.Unflatten(1, (2, 2)), nn.BatchNorm1d(5, momentum=None, affine=False), nn.CrossEntropyLoss(), nn.MSELoss(),
                     nn.ModuleList([nn.ReLU(), nn.Linear(2, 2)]), nn.ModuleDict({"a": nn.Tanh()}))
out["repr"] = {"net": repr(Net()), "cifarNet": repr(CifarNet()), "seq": repr(seq), "misc": repr(misc),
               "parameter": repr(nn.Parameter(torch.tensor([1.0, 2.0])))}
out["stateDictKeys"] = {"net": list(Net().state_dict().keys()), "seq": list(seq.state_dict().keys()),
                        "seqShapes": [list(v.shape) for v in seq.state_dict().values()]}

# load_state_dict errors
net = Net()
sd = net.state_dict()
sd["fc1.weight"] = torch.zeros(120, 500)
del sd["fc3.bias"]
sd["extra.weight"] = torch.zeros(1)
try:
    Net().load_state_dict(sd)
except RuntimeError as e:
    out["loadError"] = str(e)
r = Net().load_state_dict({k: v for k, v in Net().state_dict().items() if k != "fc3.bias"} | {"junk": torch.zeros(1)}, strict=False)
out["loadNonStrict"] = {"missing": r.missing_keys, "unexpected": r.unexpected_keys}

# ---- a few steps of training the tutorial Net ---------------------------------------------------
torch.manual_seed(0)
net = Net()
inputs = torch.randn(4, 1, 32, 32, generator=g)
labels = torch.randint(0, 10, (4,), generator=g)
criterion = nn.CrossEntropyLoss()
losses = []
for step in range(5):
    net.zero_grad()
    loss = criterion(net(inputs), labels)
    loss.backward()
    losses.append(loss.item())
    with torch.no_grad():
        for p in net.parameters():
            p.sub_(p.grad * 0.05)
out["train"] = {"inputs": enc(inputs), "labels": enc(labels), "losses": losses, "lr": 0.05, "fc3BiasAfter": enc(net.fc3.bias)}

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "nn.json")
with open(path, "w") as f:
    json.dump({"torch": torch.__version__, **out}, f)
print("wrote", path, os.path.getsize(path), "bytes")
