#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Generates test/fixtures/nn-module.json from real PyTorch (Debian's 1.13): the module system
# (reprs, state_dict keys and _metadata, load_state_dict errors, hooks), containers, the batch /
# group / instance / local-response norms (forward, gradients, running statistics) and the seed
# networks (outputs and gradients with weights drawn from torch.randn after manual_seed, which
# torchts reproduces bit for bit, so the weights themselves are not stored).
# Run: /usr/bin/python3 scripts/gen_nn_module_fixtures.py
import json
import os
from collections import OrderedDict

import torch
import torch.nn as nn
import torch.nn.functional as F


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


def err(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001
        return {"type": type(e).__name__, "message": str(e)}
    raise AssertionError("expected an error")


out = {"torch": torch.__version__}


# ---- the seed networks and a ResNet BasicBlock ------------------------------------------------
class MnistNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 3)
        self.conv2 = nn.Conv2d(6, 16, 3)
        self.fc1 = nn.Linear(16 * 6 * 6, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = x.view(-1, 16 * 6 * 6)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


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
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, inplanes, planes, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, kernel_size=3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(planes, planes, kernel_size=3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = None
        if stride != 1 or inplanes != planes:
            self.downsample = nn.Sequential(nn.Conv2d(inplanes, planes, kernel_size=1, stride=stride, bias=False),
                                            nn.BatchNorm2d(planes))

    def forward(self, x):
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if self.downsample is not None:
            identity = self.downsample(x)
        out = out + identity
        return self.relu(out)


def fill_randn(net, seed):
    """Every state entry that is a float parameter gets torch.randn(shape) * 0.2 in state_dict order."""
    torch.manual_seed(seed)
    with torch.no_grad():
        for k, p in net.named_parameters():
            p.copy_(torch.randn(p.shape) * 0.2)


def seed_case(net, seed, in_shape, target):
    fill_randn(net, seed)
    torch.manual_seed(seed + 1)
    x = torch.randn(*in_shape)
    y = net(x)
    loss = F.cross_entropy(y, target) if target is not None else y.pow(2).mean()
    net.zero_grad()
    loss.backward()
    sd = net.state_dict()
    grads = {k: enc(p.grad) for k, p in net.named_parameters() if p.numel() <= 2000}
    return {
        "repr": repr(net), "keys": list(sd.keys()), "shapes": [list(v.shape) for v in sd.values()],
        "dtypes": [str(v.dtype).replace("torch.", "") for v in sd.values()],
        "metadata": {k: v for k, v in sd._metadata.items()},
        "numParams": len(list(net.parameters())),
        "out": enc(y), "target": enc(target) if target is not None else None, "loss": loss.item(), "grads": grads,
    }


out["seed"] = {
    "mnist": seed_case(MnistNet(), 10, (2, 1, 32, 32), torch.tensor([3, 7])),
    "cifar": seed_case(CifarNet(), 20, (4, 3, 32, 32), torch.tensor([1, 0, 9, 4])),
}
blk = BasicBlock(4, 8, stride=2)
bcase = seed_case(blk, 30, (2, 4, 6, 6), None)
out["seed"]["block"] = {k: bcase[k] for k in ("repr", "keys", "shapes", "dtypes", "metadata", "numParams")}
# A fresh block, as a regression: output, input and parameter gradients, running stats, eval output.
blk = BasicBlock(4, 8, stride=2)
fill_randn(blk, 31)
torch.manual_seed(32)
xb = torch.randn(2, 4, 6, 6, requires_grad=True)
yb = blk(xb)
gyb = torch.randn(yb.shape)
yb.backward(gyb)
out["seed"]["block"].update({
    "out": enc(yb), "gx": enc(xb.grad), "gconv1": enc(blk.conv1.weight.grad), "gbn1w": enc(blk.bn1.weight.grad),
    "gbn2b": enc(blk.bn2.bias.grad), "gdown": enc(blk.downsample[0].weight.grad),
    "bn1_running_mean": enc(blk.bn1.running_mean), "bn1_running_var": enc(blk.bn1.running_var),
    "gradFn": type(yb.grad_fn).__name__,
})
blk.eval()
out["seed"]["block"]["evalOut"] = enc(blk(xb))

# ---- state_dict loading errors ------------------------------------------------------------------
class Small(nn.Module):
    def __init__(self, n=3):
        super().__init__()
        self.fc1 = nn.Linear(4, n)
        self.bn = nn.BatchNorm1d(n)
        self.fc = nn.Linear(n, 2)

    def forward(self, x):
        return self.fc(self.bn(self.fc1(x)))


ref = Small()
sd = ref.state_dict()
missing = OrderedDict((k, v) for k, v in sd.items() if k != "fc.bias")
extra = OrderedDict(sd); extra["fc.extra"] = torch.zeros(1); extra["head.weight"] = torch.zeros(2)
wrong = Small(5).state_dict()
combo = OrderedDict((k, v) for k, v in wrong.items() if k != "bn.running_var"); combo["zzz"] = torch.zeros(1)
r = Small().load_state_dict(combo if False else missing, strict=False)
r2 = Small().load_state_dict(extra, strict=False)
out["load"] = {
    "keys": list(sd.keys()),
    "missing": err(lambda: Small().load_state_dict(missing)),
    "unexpected": err(lambda: Small().load_state_dict(extra)),
    "size": err(lambda: Small().load_state_dict(wrong)),
    "combo": err(lambda: Small().load_state_dict(combo)),
    "nonStrictSize": err(lambda: Small().load_state_dict(combo, strict=False)),
    "instanceNormOldStats": err(lambda: nn.Sequential(nn.InstanceNorm2d(3)).load_state_dict(
        OrderedDict([("0.running_mean", torch.zeros(3)), ("0.running_var", torch.ones(3))]))),
    "nonStrictMissing": {"missing": r.missing_keys, "unexpected": r.unexpected_keys},
    "nonStrictExtra": {"missing": r2.missing_keys, "unexpected": r2.unexpected_keys},
}

# ---- hooks ------------------------------------------------------------------------------------------
torch.manual_seed(40)
lin = nn.Linear(3, 2)
fill_randn(lin, 41)
torch.manual_seed(42)
xh = torch.randn(4, 3, requires_grad=True)
rec = {}
h1 = lin.register_full_backward_hook(lambda m, gi, go: rec.update(gi=[enc(g) if g is not None else None for g in gi], go=[enc(g) for g in go]))
yh = lin(xh)
yh.backward(torch.ones(4, 2) * torch.arange(2.0))
h1.remove()
hooks = {"linearGradInput": rec["gi"], "linearGradOutput": rec["go"], "x": enc(xh)}
# a backward hook returning a new grad_input; a pre-hook scaling grad_output
xh.grad = None
lin.zero_grad()
h2 = lin.register_full_backward_pre_hook(lambda m, go: (go[0] * 3,)) if hasattr(lin, "register_full_backward_pre_hook") else None
h3 = lin.register_full_backward_hook(lambda m, gi, go: (gi[0] * 2,))
lin(xh).sum().backward()
hooks["replacedGx"] = enc(xh.grad)
hooks["replacedGw"] = enc(lin.weight.grad)
hooks["hasBackwardPreHook"] = h2 is not None
h3.remove()
if h2 is not None: h2.remove()
# forward pre-hook replacing the input, forward hook replacing the output
h4 = lin.register_forward_pre_hook(lambda m, args: (args[0] * 2,))
h5 = lin.register_forward_hook(lambda m, args, o: o + 1)
hooks["fwdHooked"] = enc(lin(xh))
h4.remove(); h5.remove()
hooks["fwdPlain"] = enc(lin(xh))
# Sequential with a full backward hook on the container (input does not require grad)
seqh = nn.Sequential(nn.Linear(3, 3), nn.Tanh(), nn.Linear(3, 1))
fill_randn(seqh, 43)
rec2 = {}
seqh.register_full_backward_hook(lambda m, gi, go: rec2.update(gi=[g is None for g in gi], go=[enc(g) for g in go]))
seqh(xh.detach()).sum().backward()
hooks["seqGradInputIsNone"] = rec2["gi"]
hooks["seqGradOutput"] = rec2["go"]
# a module with a non-tensor argument and two outputs
class Two(nn.Module):
    def forward(self, a, k, b):
        return a * b * k, a + b
two = Two()
rec3 = {}
two.register_full_backward_hook(lambda m, gi, go: rec3.update(gi=[enc(g) if g is not None else None for g in gi], go=[enc(g) for g in go]))
torch.manual_seed(44)
ta, tb = torch.randn(3, requires_grad=True), torch.randn(3, requires_grad=True)
o1, o2 = two(ta, 2.0, tb)
(o1.sum() + o2.pow(2).sum()).backward()
hooks["two"] = {"a": enc(ta), "b": enc(tb), "gi": rec3["gi"], "go": rec3["go"], "ga": enc(ta.grad), "gb": enc(tb.grad)}
out["hooks"] = hooks

# ---- reprs --------------------------------------------------------------------------------------------
torch.manual_seed(0)
reprs = {
    "seqDict": repr(nn.Sequential(OrderedDict([("conv1", nn.Conv2d(1, 20, 5)), ("relu1", nn.ReLU()),
                                               ("conv2", nn.Conv2d(20, 64, 5)), ("relu2", nn.ReLU())]))),
    "moduleList": repr(nn.ModuleList([nn.Linear(2, 2) for _ in range(3)] + [nn.ReLU()])),
    "moduleDict": repr(nn.ModuleDict({"choice": nn.Sequential(nn.Flatten(), nn.Unflatten(1, (2, 3))), "act": nn.ReLU()})),
    "parameterList": repr(nn.ParameterList([nn.Parameter(torch.randn(2, 3)), nn.Parameter(torch.randn(3, dtype=torch.float64))])),
    "parameterDict": repr(nn.ParameterDict({"a": nn.Parameter(torch.randn(2, 3)), "b": nn.Parameter(torch.randn(4))})),
    "norms": repr(nn.Sequential(nn.BatchNorm1d(3), nn.BatchNorm2d(4, eps=1e-3, momentum=None, affine=False),
                                nn.BatchNorm3d(5, track_running_stats=False), nn.GroupNorm(2, 4), nn.GroupNorm(1, 3, affine=False),
                                nn.InstanceNorm1d(3), nn.InstanceNorm2d(4, affine=True, track_running_stats=True),
                                nn.InstanceNorm3d(2), nn.LocalResponseNorm(2), nn.LocalResponseNorm(3, alpha=0.5, beta=0.2, k=2.0),
                                nn.Identity(), nn.Flatten(), nn.Flatten(0, 2))),
    "empty": repr(nn.Sequential()),
    "nested": repr(nn.Sequential(nn.Sequential(nn.Linear(1, 1)), nn.ModuleList([]), nn.ModuleDict())),
}
out["reprs"] = reprs

# ---- containers ------------------------------------------------------------------------------------------
s = nn.Sequential(nn.Linear(1, 2), nn.ReLU(), nn.Linear(2, 3))
pl = nn.ParameterList([nn.Parameter(torch.zeros(2)), nn.Parameter(torch.zeros(3))])
pd = nn.ParameterDict({"a": nn.Parameter(torch.zeros(2)), "b": nn.Parameter(torch.zeros(3))})
class WithLists(nn.Module):
    def __init__(self):
        super().__init__()
        self.pl = pl
        self.pd = pd
        self.blocks = nn.ModuleList([nn.Linear(2, 2), nn.Linear(2, 2)])
        self.heads = nn.ModuleDict({"x": nn.Linear(2, 1)})
def _m():
    return nn.Linear(1, 1)
out["registration"] = {
    "paramFloat": err(lambda: _m().register_parameter("x", torch.zeros(1))),
    "paramDouble": err(lambda: _m().register_parameter("x", torch.zeros(1, dtype=torch.float64))),
    "bufferInt": err(lambda: _m().register_buffer("y", 3)),
    "train": err(lambda: _m().train("a")),
    "moduleInt": err(lambda: _m().register_module("z", 3)),
}
out["containers"] = {
    "seqIndexError": err(lambda: s[3]),
    "seqNegIndexError": err(lambda: s[-4]),
    "listIndexError": err(lambda: nn.ModuleList([nn.ReLU()])[5]),
    "withListsKeys": list(WithLists().state_dict().keys()),
    "getSubmoduleMissing": err(lambda: s.get_submodule("5")),
    "getSubmoduleDeep": err(lambda: s.get_submodule("1.x")),
    "getSubmoduleNotModule": err(lambda: WithLists().get_submodule("pl.0")),
    "getParameterMissing": err(lambda: s.get_parameter("0.foo")),
    "getBufferMissing": err(lambda: nn.BatchNorm1d(2).get_buffer("foo")),
    "getBufferNotBuffer": err(lambda: nn.BatchNorm1d(2).get_buffer("weight")),
    "bnDimError": err(lambda: nn.BatchNorm1d(3)(torch.randn(2, 3, 4, 5))),
    "bn2dDimError": err(lambda: nn.BatchNorm2d(3)(torch.randn(2, 3))),
    "bn3dDimError": err(lambda: nn.BatchNorm3d(3)(torch.randn(2, 3, 4, 5))),
    "bnOneValue": err(lambda: nn.BatchNorm1d(3)(torch.randn(1, 3))),
    "gnDivisible": err(lambda: nn.GroupNorm(3, 4)),
    "gnInputChannels": err(lambda: nn.GroupNorm(2, 4)(torch.randn(2, 6, 3))),
    "inDimError": err(lambda: nn.InstanceNorm2d(3)(torch.randn(2, 3))),
    "inSpatial": err(lambda: nn.InstanceNorm1d(3)(torch.randn(3, 1))),
    "cuda": err(lambda: nn.Linear(1, 1).cuda()),
    "toCuda": err(lambda: nn.Linear(1, 1).to("cuda")),
    "bnChannels": err(lambda: nn.BatchNorm1d(3)(torch.randn(2, 4))),
    "bnChannelsEval": err(lambda: nn.BatchNorm1d(3).eval()(torch.randn(2, 4))),
    "bnWeightChannels": err(lambda: nn.BatchNorm1d(3, track_running_stats=False)(torch.randn(2, 4))),
    "inWeightChannels": err(lambda: nn.InstanceNorm1d(3, affine=True)(torch.randn(2, 4, 5))),
    "lrnDim": err(lambda: nn.LocalResponseNorm(2)(torch.randn(3, 4, 5)[0, 0])),
}

# ---- norm layers: forward, gradients, running stats ------------------------------------------------------
g = torch.Generator().manual_seed(7)
def rnd(*shape, dtype=torch.float32):
    return torch.randn(*shape, generator=g, dtype=dtype)


def norm_case(name, make, shape, steps=1, train=True, layout="contiguous", dtype=torch.float32):
    torch.manual_seed(0)
    m = make().to(dtype)
    with torch.no_grad():
        for p in m.parameters():
            p.copy_(rnd(*p.shape, dtype=dtype))
    m.train(train)
    case = {"name": name, "train": train, "layout": layout, "steps": []}
    if not train and getattr(m, "running_mean", None) is not None:
        with torch.no_grad():
            m.running_mean.copy_(rnd(*m.running_mean.shape, dtype=dtype))
            m.running_var.copy_(rnd(*m.running_var.shape, dtype=dtype).abs() + 0.5)
        case["running_mean0"] = enc(m.running_mean)
        case["running_var0"] = enc(m.running_var)
    params0 = {k: enc(p) for k, p in m.named_parameters()}
    case["params"] = params0
    for _ in range(steps):
        base = rnd(*shape, dtype=dtype) * 2 + 0.5
        if layout == "transposed":
            x = base.transpose(0, -1).contiguous().transpose(0, -1)  # same values, non-contiguous strides
            assert not x.is_contiguous()
        else:
            x = base
        x.requires_grad_(True)
        m.zero_grad()
        y = m(x)
        gy = rnd(*y.shape, dtype=dtype)
        y.backward(gy)
        st = {"x": enc(base), "y": enc(y), "gy": enc(gy), "gx": enc(x.grad),
              "grads": {k: enc(p.grad) for k, p in m.named_parameters()},
              "buffers": {k: enc(b) for k, b in m.named_buffers()}, "gradFn": type(y.grad_fn).__name__}
        case["steps"].append(st)
    return case


out["norms"] = [
    norm_case("BatchNorm1d(3)", lambda: nn.BatchNorm1d(3), (5, 3)),
    norm_case("BatchNorm1d(3) 3D", lambda: nn.BatchNorm1d(3), (4, 3, 6), steps=2),
    norm_case("BatchNorm2d(4)", lambda: nn.BatchNorm2d(4), (3, 4, 5, 6), steps=2),
    norm_case("BatchNorm2d(4) transposed", lambda: nn.BatchNorm2d(4), (3, 4, 5, 6), layout="transposed"),
    norm_case("BatchNorm2d(4) momentum=None", lambda: nn.BatchNorm2d(4, momentum=None), (2, 4, 3, 3), steps=3),
    norm_case("BatchNorm2d(4) momentum=0.3 affine=False", lambda: nn.BatchNorm2d(4, momentum=0.3, affine=False), (2, 4, 3, 3), steps=2),
    norm_case("BatchNorm2d(4) track_running_stats=False", lambda: nn.BatchNorm2d(4, track_running_stats=False), (2, 4, 3, 3)),
    norm_case("BatchNorm2d(4) eval", lambda: nn.BatchNorm2d(4), (2, 4, 3, 3), train=False),
    norm_case("BatchNorm2d(4) track_running_stats=False eval", lambda: nn.BatchNorm2d(4, track_running_stats=False), (2, 4, 3, 3), train=False),
    norm_case("BatchNorm3d(2)", lambda: nn.BatchNorm3d(2), (2, 2, 3, 4, 2)),
    norm_case("BatchNorm3d(2) eval", lambda: nn.BatchNorm3d(2, eps=1e-3), (2, 2, 3, 2, 2), train=False),
    norm_case("BatchNorm1d(3) float64", lambda: nn.BatchNorm1d(3), (6, 3, 2), dtype=torch.float64),
    norm_case("GroupNorm(2, 4)", lambda: nn.GroupNorm(2, 4), (3, 4, 5, 2)),
    norm_case("GroupNorm(2, 4) eval", lambda: nn.GroupNorm(2, 4), (3, 4, 5), train=False),
    norm_case("GroupNorm(3, 6) affine=False", lambda: nn.GroupNorm(3, 6, affine=False), (2, 6, 4)),
    norm_case("GroupNorm(1, 3) transposed", lambda: nn.GroupNorm(1, 3, eps=1e-3), (2, 3, 4, 4), layout="transposed"),
    norm_case("GroupNorm(2, 4) 2D", lambda: nn.GroupNorm(2, 4), (5, 4)),
    norm_case("InstanceNorm1d(3)", lambda: nn.InstanceNorm1d(3), (2, 3, 7)),
    norm_case("InstanceNorm1d(3) unbatched", lambda: nn.InstanceNorm1d(3, affine=True), (3, 7)),
    norm_case("InstanceNorm2d(4) affine track", lambda: nn.InstanceNorm2d(4, affine=True, track_running_stats=True), (2, 4, 3, 5), steps=2),
    norm_case("InstanceNorm2d(4) affine track eval", lambda: nn.InstanceNorm2d(4, affine=True, track_running_stats=True), (2, 4, 3, 5), train=False),
    norm_case("InstanceNorm3d(2)", lambda: nn.InstanceNorm3d(2, affine=True), (2, 2, 3, 2, 4)),
    norm_case("LocalResponseNorm(2)", lambda: nn.LocalResponseNorm(2), (2, 5, 3, 3)),
    norm_case("LocalResponseNorm(3, alpha=0.5, beta=0.2, k=2.0) 3D", lambda: nn.LocalResponseNorm(3, alpha=0.5, beta=0.2, k=2.0), (2, 4, 6)),
    norm_case("LocalResponseNorm(4) 5D", lambda: nn.LocalResponseNorm(4, alpha=1e-2), (1, 6, 2, 3, 2)),
]

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "nn-module.json")
with open(path, "w") as f:
    json.dump(out, f)
print("wrote", path, os.path.getsize(path), "bytes")
