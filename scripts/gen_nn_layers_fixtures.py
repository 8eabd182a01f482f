#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Generates test/fixtures/nn-layers.json from real PyTorch (Debian's 1.13): activations, losses,
# nn.init, dropout, Embedding/EmbeddingBag, distances and the linear variants. Each case holds
# its inputs, keyword arguments, the output, an output gradient, the input gradients and the
# grad_fn name; module reprs and error messages are recorded beside them.
# Run: /usr/bin/python3 scripts/gen_nn_layers_fixtures.py
import json
import math
import os
import warnings

import torch
import torch.nn as nn
import torch.nn.functional as F

warnings.filterwarnings("ignore")
g = torch.Generator().manual_seed(4321)


def enc(t):
    if t is None:
        return None
    t = t.detach()
    if t.dtype in (torch.int64, torch.int32):
        data = [str(v) if t.dtype == torch.int64 else v for v in t.reshape(-1).tolist()]
    elif t.dtype == torch.bool:
        data = t.reshape(-1).tolist()
    else:
        data = []
        for v in t.reshape(-1).tolist():
            if v != v: data.append("nan")
            elif v == float("inf"): data.append("inf")
            elif v == float("-inf"): data.append("-inf")
            else: data.append(v)
    return {"shape": list(t.shape), "dtype": str(t.dtype).replace("torch.", ""), "data": data}


def rnd(*shape, dtype=torch.float64, scale=1.0):
    return (torch.randn(*shape, generator=g, dtype=dtype) * scale)


def case(op, inputs, fn, kwargs=None, grad_inputs=None, cid=None):
    """inputs: list of tensors; grad_inputs: indices of inputs that require grad (floating ones by default)."""
    kwargs = kwargs or {}
    ins = [t.detach().clone() for t in inputs]
    if grad_inputs is None:
        grad_inputs = [i for i, t in enumerate(ins) if t.is_floating_point()]
    for i in grad_inputs:
        ins[i].requires_grad_()
    y = fn(*ins, **kwargs)
    c = {"op": op, "id": cid or op, "kwargs": kwargs, "inputs": [enc(t) for t in inputs], "gradInputs": grad_inputs,
         "out": enc(y), "gradFn": type(y.grad_fn).__name__ if y.grad_fn is not None else None}
    if grad_inputs and y.requires_grad:
        go = rnd(*y.shape, dtype=y.dtype)
        grads = torch.autograd.grad(y, [ins[i] for i in grad_inputs], go, allow_unused=True)
        c["gradOut"] = enc(go)
        c["grads"] = [enc(gr) for gr in grads]
    return c


def err(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001
        return {"type": type(e).__name__, "message": str(e)}
    raise AssertionError("expected an error")


out = {}

# ---- activations ----------------------------------------------------------------------------------
def act_input(shape=(3, 5), dtype=torch.float64, op=None):
    x = rnd(*shape, dtype=dtype, scale=2.5)
    flat = x.view(-1)
    # the kinks and saturation points each activation treats specially; hardswish's gradient at
    # exactly 3 differs between PyTorch's vectorised and scalar CPU paths, so it is left out
    special = [0.0, -3.0, 3.0 if op != "hardswish" else 3.25, 0.5, -0.5, 1.0, -1.0, 6.0, 25.0, -25.0]
    flat[:len(special)] = torch.tensor(special, dtype=dtype)
    return x


A = []
act_specs = [
    ("relu", F.relu, {}), ("relu6", F.relu6, {}), ("leakyRelu", F.leaky_relu, {}), ("leakyRelu", F.leaky_relu, {"negative_slope": 0.2}),
    ("elu", F.elu, {}), ("elu", F.elu, {"alpha": 0.5}), ("selu", F.selu, {}), ("celu", F.celu, {}), ("celu", F.celu, {"alpha": 2.0}),
    ("gelu", F.gelu, {}), ("gelu", F.gelu, {"approximate": "tanh"}), ("silu", F.silu, {}), ("mish", F.mish, {}),
    ("sigmoid", torch.sigmoid, {}), ("tanh", torch.tanh, {}), ("hardtanh", F.hardtanh, {}), ("hardtanh", F.hardtanh, {"min_val": -2.0, "max_val": 0.5}),
    ("hardswish", F.hardswish, {}), ("hardsigmoid", F.hardsigmoid, {}), ("hardshrink", F.hardshrink, {}), ("hardshrink", F.hardshrink, {"lambd": 1.0}),
    ("softshrink", F.softshrink, {}), ("softshrink", F.softshrink, {"lambd": 1.0}), ("tanhshrink", F.tanhshrink, {}),
    ("softplus", F.softplus, {}), ("softplus", F.softplus, {"beta": 2.0, "threshold": 5.0}), ("softsign", F.softsign, {}),
    ("logsigmoid", F.logsigmoid, {}), ("threshold", F.threshold, {"threshold": 0.5, "value": -2.0}),
    ("rreluEval", F.rrelu, {}), ("rreluEval", F.rrelu, {"lower": 0.1, "upper": 0.4}),
    ("glu", F.glu, {}), ("glu", F.glu, {"dim": 0}), ("softmax", F.softmax, {"dim": 1}), ("softmax", F.softmax, {"dim": 0}),
    ("logSoftmax", F.log_softmax, {"dim": 1}), ("softmin", F.softmin, {"dim": 1}), ("softmin", F.softmin, {"dim": 0}),
]
for name, fn, kw in act_specs:
    shape = (4, 6) if name == "glu" else (3, 5)
    A.append(case(name, [act_input(shape, op=name)], fn, kw, cid=f"{name} {json.dumps(kw)}"))
    if name in ("elu", "gelu", "softplus", "silu", "mish", "hardswish") and not kw:
        A.append(case(name, [act_input((3, 5), torch.float32, op=name)], fn, kw, cid=f"{name} float32"))
# prelu: one shared slope and one per channel
A.append(case("prelu", [act_input((2, 3, 4)), torch.tensor([0.25], dtype=torch.float64)], F.prelu, cid="prelu shared"))
A.append(case("prelu", [act_input((2, 3, 4)), torch.tensor([0.1, -0.2, 0.3], dtype=torch.float64)], F.prelu, cid="prelu per channel"))
A.append(case("softmax2d", [act_input((2, 3, 2, 2))], nn.Softmax2d(), cid="softmax2d"))
# rrelu in training: slopes drawn from the global generator after manual_seed
torch.manual_seed(7)
x = act_input((4, 5))
xr = x.clone().requires_grad_()
y = F.rrelu(xr, 0.1, 0.3, training=True)
go = rnd(4, 5)
y.backward(go)
A.append({"op": "rreluTrain", "id": "rrelu training seed 7", "kwargs": {"lower": 0.1, "upper": 0.3, "seed": 7}, "inputs": [enc(x)], "gradInputs": [0],
          "out": enc(y), "gradFn": type(y.grad_fn).__name__, "gradOut": enc(go), "grads": [enc(xr.grad)]})
torch.manual_seed(7)
x32 = act_input((4, 5), torch.float32)
A.append({"op": "rreluTrain", "id": "rrelu training float32", "kwargs": {"lower": 0.1, "upper": 0.3, "seed": 7}, "inputs": [enc(x32)], "gradInputs": [],
          "out": enc(F.rrelu(x32, 0.1, 0.3, training=True)), "gradFn": None})
out["activations"] = A

act_modules = [nn.ReLU(), nn.ReLU(True), nn.ReLU6(), nn.ReLU6(True), nn.LeakyReLU(), nn.LeakyReLU(0.2, True), nn.PReLU(), nn.PReLU(3, 0.1),
               nn.RReLU(), nn.RReLU(0.1, 0.3, True), nn.ELU(), nn.ELU(0.5, True), nn.SELU(), nn.SELU(True), nn.CELU(), nn.CELU(2.0),
               nn.GELU(), nn.GELU("tanh"), nn.SiLU(), nn.SiLU(True), nn.Mish(), nn.Sigmoid(), nn.Tanh(), nn.Hardtanh(), nn.Hardtanh(-2.5, 2.5, True),
               nn.Hardswish(), nn.Hardsigmoid(), nn.Hardshrink(), nn.Softshrink(0.3), nn.Tanhshrink(), nn.Softplus(), nn.Softplus(2.5, 10.5),
               nn.Softsign(), nn.LogSigmoid(), nn.Threshold(0.1, 20), nn.Threshold(0.1, 20, True), nn.GLU(), nn.GLU(1), nn.Softmax(1),
               nn.Softmin(0), nn.LogSoftmax(-1), nn.Softmax2d()]
out["activationReprs"] = [repr(m) for m in act_modules]
out["activationErrors"] = {
    "glu": err(lambda: F.glu(torch.randn(3, 3), 1)),
    "prelu": err(lambda: F.prelu(torch.randn(2, 3, 4), torch.tensor([0.25, 0.3]))),
    "gelu": err(lambda: F.gelu(torch.randn(3), approximate="x")),
    "softmax2d": err(lambda: nn.Softmax2d()(torch.randn(3, 4))),
    "softmaxDim": err(lambda: F.softmax(torch.randn(3, 4), 2)),
    "inplaceLeaf": err(lambda: F.elu(torch.randn(3, requires_grad=True), inplace=True)),
}
# in-place forms: values, the version bump and grad through a non-leaf
ip = {}
for name, fn, kw in [("relu", F.relu, {}), ("elu", F.elu, {}), ("leakyRelu", F.leaky_relu, {"negative_slope": 0.3}), ("hardtanh", F.hardtanh, {}),
                     ("selu", F.selu, {}), ("celu", F.celu, {}), ("silu", F.silu, {}), ("mish", F.mish, {}), ("hardswish", F.hardswish, {}),
                     ("hardsigmoid", F.hardsigmoid, {}), ("relu6", F.relu6, {}), ("threshold", F.threshold, {"threshold": 0.5, "value": -2.0})]:
    x = act_input((3, 5), op=name)
    xr = x.clone().requires_grad_()
    h = xr * 1.0
    y = fn(h, inplace=True, **kw)
    go = rnd(3, 5)
    y.backward(go)
    ip[name] = {"kwargs": kw, "x": enc(x), "out": enc(y), "gradOut": enc(go), "gx": enc(xr.grad), "gradFn": type(y.grad_fn).__name__}
out["activationInplace"] = ip

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "nn-layers.json"), "w") as f:
    json.dump(out, f, separators=(",", ":"))
