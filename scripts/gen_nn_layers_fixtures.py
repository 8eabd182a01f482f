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
    return (torch.randn(tuple(shape), generator=g, dtype=dtype) * scale)


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


# ---- losses -----------------------------------------------------------------------------------------
def snake(kw):
    import re
    return {re.sub("([A-Z])", lambda m: "_" + m.group(1).lower(), k): v for k, v in kw.items()}


def loss_case(op, named, fn, kw=None, grad=("input",), cid=None):
    """named: ordered {name: tensor}; fn(*tensors, **snake(kw)); grads for the names in `grad`."""
    kw = kw or {}
    names = list(named)
    kwt = [i for i, n in enumerate(names) if n in ("weight", "posWeight")]  # tensors PyTorch takes by keyword

    def call(*ts):
        pos = [t for i, t in enumerate(ts) if i not in kwt]
        return fn(*pos, **snake(kw), **snake({names[i]: ts[i] for i in kwt}))
    c = case(op, list(named.values()), call, {}, [names.index(n) for n in grad if n in names],
             cid=cid or f"{op} {json.dumps(kw)}")
    c["kwargs"] = kw
    c["names"] = names
    return c


def probs(*shape):
    return torch.softmax(rnd(*shape), -1 if len(shape) < 2 else 1)


L = []
for red in ["mean", "sum", "none"]:
    kw = {"reduction": red}
    L.append(loss_case("l1Loss", {"input": rnd(3, 4), "target": rnd(3, 4)}, F.l1_loss, kw, grad=("input", "target")))
    L.append(loss_case("mseLoss", {"input": rnd(3, 4), "target": rnd(3, 4)}, F.mse_loss, kw, grad=("input", "target")))
    L.append(loss_case("crossEntropy", {"input": rnd(5, 4), "target": torch.tensor([0, 3, 1, 1, 2])}, F.cross_entropy, kw))
    L.append(loss_case("crossEntropy", {"input": rnd(5, 4), "target": torch.tensor([0, 3, -100, 1, 2]), "weight": rnd(4).abs()}, F.cross_entropy,
                       {**kw, "labelSmoothing": 0.2}, cid=f"crossEntropy weight+ignore+smoothing {red}"))
    L.append(loss_case("crossEntropy", {"input": rnd(2, 3, 4, 2), "target": torch.randint(0, 3, (2, 4, 2), generator=g)}, F.cross_entropy,
                       {**kw, "ignoreIndex": 1}, cid=f"crossEntropy K-dim ignoreIndex {red}"))
    L.append(loss_case("crossEntropy", {"input": rnd(4, 5), "target": probs(4, 5), "weight": rnd(5).abs()}, F.cross_entropy,
                       {**kw, "labelSmoothing": 0.1}, cid=f"crossEntropy probabilities {red}", grad=("input", "target")))
    L.append(loss_case("nllLoss", {"input": torch.log_softmax(rnd(2, 3, 5), 1), "target": torch.tensor([[0, 2, 1, 1, -100], [2, 2, 0, 1, 0]]),
                                   "weight": rnd(3).abs()}, F.nll_loss, kw, cid=f"nllLoss K-dim weight ignore {red}"))
    L.append(loss_case("bce", {"input": torch.rand(3, 4, generator=g, dtype=torch.float64), "target": torch.rand(3, 4, generator=g, dtype=torch.float64),
                               "weight": rnd(4).abs()}, F.binary_cross_entropy, kw, grad=("input", "target")))
    L.append(loss_case("bceWithLogits", {"input": rnd(3, 4), "target": torch.rand(3, 4, generator=g, dtype=torch.float64), "posWeight": rnd(4).abs()},
                       F.binary_cross_entropy_with_logits, kw, grad=("input", "target")))
    for delta in [1.0, 0.5]:
        L.append(loss_case("huberLoss", {"input": rnd(3, 5, scale=2), "target": rnd(3, 5)}, F.huber_loss, {**kw, "delta": delta}, grad=("input", "target")))
    for beta in [1.0, 0.5, 0.0]:
        L.append(loss_case("smoothL1Loss", {"input": rnd(3, 5, scale=2), "target": rnd(3, 5)}, F.smooth_l1_loss, {**kw, "beta": beta}, grad=("input", "target")))
    L.append(loss_case("klDiv", {"input": torch.log_softmax(rnd(3, 4), 1), "target": probs(3, 4)}, F.kl_div, kw, grad=("input", "target")))
    L.append(loss_case("klDiv", {"input": torch.log_softmax(rnd(3, 4), 1), "target": torch.log_softmax(rnd(3, 4), 1)}, F.kl_div,
                       {**kw, "logTarget": True}, grad=("input", "target")))
    L.append(loss_case("poissonNllLoss", {"input": rnd(3, 4), "target": torch.poisson(torch.rand(3, 4, generator=g, dtype=torch.float64) * 4, generator=g)},
                       F.poisson_nll_loss, kw))
    L.append(loss_case("poissonNllLoss", {"input": rnd(3, 4).abs(), "target": torch.poisson(torch.rand(3, 4, generator=g, dtype=torch.float64) * 4, generator=g)},
                       F.poisson_nll_loss, {**kw, "logInput": False, "full": True}))
    L.append(loss_case("gaussianNllLoss", {"input": rnd(3, 4), "target": rnd(3, 4), "var": rnd(3, 4).abs()}, F.gaussian_nll_loss, kw,
                       grad=("input", "target", "var")))
    L.append(loss_case("gaussianNllLoss", {"input": rnd(3, 4), "target": rnd(3, 4), "var": rnd(3).abs()}, F.gaussian_nll_loss,
                       {**kw, "full": True}, grad=("input", "var"), cid=f"gaussianNllLoss homoscedastic full {red}"))
    L.append(loss_case("gaussianNllLoss", {"input": rnd(3, 4), "target": rnd(3, 4), "var": torch.tensor([[1e-8], [0.5], [2.0]], dtype=torch.float64)},
                       F.gaussian_nll_loss, kw, grad=("input", "var"), cid=f"gaussianNllLoss var (N, 1) clamped {red}"))
    L.append(loss_case("marginRankingLoss", {"input1": rnd(6), "input2": rnd(6), "target": torch.tensor([1., -1, 1, -1, 1, 1], dtype=torch.float64)},
                       F.margin_ranking_loss, {**kw, "margin": 0.3}, grad=("input1", "input2")))
    L.append(loss_case("hingeEmbeddingLoss", {"input": rnd(3, 4), "target": torch.tensor([[1., -1, 1, -1]] * 3, dtype=torch.float64)},
                       F.hinge_embedding_loss, {**kw, "margin": 0.5}))
    L.append(loss_case("softMarginLoss", {"input": rnd(3, 4), "target": torch.tensor([[1., -1, 1, -1]] * 3, dtype=torch.float64)}, F.soft_margin_loss, kw))
    L.append(loss_case("multilabelSoftMarginLoss", {"input": rnd(3, 4), "target": torch.tensor([[1., 0, 1, 0], [0, 0, 1, 1], [1, 1, 1, 0]], dtype=torch.float64),
                                                    "weight": rnd(4).abs()}, F.multilabel_soft_margin_loss, kw))
    L.append(loss_case("multilabelMarginLoss", {"input": rnd(3, 5), "target": torch.tensor([[3, 0, -1, 1, 2], [1, 2, 3, 4, 0], [4, 4, -1, 0, 0]])},
                       F.multilabel_margin_loss, kw))
    L.append(loss_case("multilabelMarginLoss", {"input": rnd(4), "target": torch.tensor([2, 0, -1, 1])}, F.multilabel_margin_loss, kw,
                       cid=f"multilabelMarginLoss 1-D {red}"))
    L.append(loss_case("multiMarginLoss", {"input": rnd(4, 5), "target": torch.tensor([0, 4, 2, 2])}, F.multi_margin_loss, kw))
    L.append(loss_case("multiMarginLoss", {"input": rnd(4, 5), "target": torch.tensor([1, 3, 2, 0]), "weight": rnd(5).abs()}, F.multi_margin_loss,
                       {**kw, "p": 2, "margin": 0.7}))
    L.append(loss_case("cosineEmbeddingLoss", {"input1": rnd(4, 5), "input2": rnd(4, 5), "target": torch.tensor([1, -1, -1, 1])}, F.cosine_embedding_loss,
                       {**kw, "margin": -0.2}, grad=("input1", "input2")))
    L.append(loss_case("tripletMarginLoss", {"anchor": rnd(4, 5), "positive": rnd(4, 5), "negative": rnd(4, 5)}, F.triplet_margin_loss, kw,
                       grad=("anchor", "positive", "negative")))
    L.append(loss_case("tripletMarginLoss", {"anchor": rnd(4, 5), "positive": rnd(4, 5), "negative": rnd(4, 5)}, F.triplet_margin_loss,
                       {**kw, "margin": 2.0, "p": 1.0, "swap": True}, grad=("anchor", "positive", "negative")))
    L.append(loss_case("tripletMarginWithDistanceLoss", {"anchor": rnd(4, 5), "positive": rnd(4, 5), "negative": rnd(4, 5)},
                       F.triplet_margin_with_distance_loss, kw, grad=("anchor", "positive", "negative")))
    L.append(loss_case("tripletMarginWithDistanceLossCosine", {"anchor": rnd(4, 5), "positive": rnd(4, 5), "negative": rnd(4, 5)},
                       lambda a, p, n, **k: F.triplet_margin_with_distance_loss(a, p, n, distance_function=lambda x, y: 1 - F.cosine_similarity(x, y), **k),
                       {**kw, "swap": True, "margin": 0.5}, grad=("anchor", "positive", "negative")))
    # CTC: padded (N, S) targets and concatenated targets, repeated labels, a short input
    T_, N_, C_ = 12, 3, 5
    lp = torch.log_softmax(rnd(T_, N_, C_), 2)
    L.append(loss_case("ctcLoss", {"logProbs": lp, "targets": torch.tensor([[1, 2, 2, 3], [4, 1, 0, 0], [3, 3, 3, 1]]),
                                   "inputLengths": torch.tensor([12, 9, 12]), "targetLengths": torch.tensor([4, 2, 3])},
                       F.ctc_loss, kw, grad=("logProbs",), cid=f"ctcLoss padded {red}"))
    L.append(loss_case("ctcLoss", {"logProbs": lp, "targets": torch.tensor([1, 2, 2, 3, 4, 1, 3, 3, 3]),
                                   "inputLengths": torch.tensor([12, 9, 12]), "targetLengths": torch.tensor([4, 2, 3])},
                       F.ctc_loss, {**kw, "blank": 0}, grad=("logProbs",), cid=f"ctcLoss concatenated {red}"))
    L.append(loss_case("ctcLoss", {"logProbs": lp[:, :2], "targets": torch.tensor([[1, 1, 1, 1, 1, 1, 1], [2, 3, 0, 0, 0, 0, 0]]),
                                   "inputLengths": torch.tensor([6, 10]), "targetLengths": torch.tensor([7, 2])},
                       F.ctc_loss, {**kw, "zeroInfinity": True, "blank": 4}, grad=("logProbs",), cid=f"ctcLoss zeroInfinity blank 4 {red}"))
out["losses"] = L
out["lossReprs"] = [repr(m) for m in [nn.HuberLoss(), nn.TripletMarginWithDistanceLoss(), nn.CTCLoss(), nn.MultiMarginLoss()]]
x34 = torch.randn(3, 4)
out["lossErrors"] = {
    "multiMarginP": err(lambda: F.multi_margin_loss(x34, torch.tensor([0, 1, 3]), p=3)),
    "marginRankingDims": err(lambda: F.margin_ranking_loss(x34, x34, torch.ones(3))),
    "gaussianVarSize": err(lambda: F.gaussian_nll_loss(x34, x34, torch.ones(2))),
    "gaussianVarNegative": err(lambda: F.gaussian_nll_loss(x34, x34, -torch.ones(3, 4))),
    "reduction": err(lambda: F.kl_div(x34, x34, reduction="foo")),
    "crossEntropyTargetDtype": err(lambda: F.cross_entropy(x34, torch.tensor([1., 2, 3]))),
    "nllBatch": err(lambda: F.nll_loss(x34, torch.tensor([1, 2]))),
    "huberDelta": err(lambda: F.huber_loss(x34, x34, delta=-1.0)),
    "bceSize": err(lambda: F.binary_cross_entropy(torch.rand(3, 4), torch.rand(3))),
    "bceWithLogitsSize": err(lambda: F.binary_cross_entropy_with_logits(x34, torch.rand(3))),
    "tripletDims": err(lambda: F.triplet_margin_loss(x34, x34, torch.randn(4))),
    "ctcInputLength": err(lambda: F.ctc_loss(torch.randn(5, 2, 3).log_softmax(2), torch.tensor([[1, 2], [1, 1]]), torch.tensor([6, 5]), torch.tensor([2, 2]))),
}


# ---- nn.init: the same draws after manual_seed ---------------------------------------------------
I = {}
torch.manual_seed(0)
t = torch.empty(4, 6)
I["uniform"] = enc(nn.init.uniform_(t, -0.5, 2.0).clone())
I["normal"] = enc(nn.init.normal_(t, 1.0, 0.3).clone())
I["constant"] = enc(nn.init.constant_(t, 0.7).clone())
I["eye"] = enc(nn.init.eye_(torch.empty(3, 5)))
I["dirac"] = enc(nn.init.dirac_(torch.empty(4, 2, 3)))
I["diracGroups"] = enc(nn.init.dirac_(torch.empty(6, 2, 3, 3), groups=2))
I["dirac3d"] = enc(nn.init.dirac_(torch.empty(2, 3, 3, 2, 3)))
I["xavierUniform"] = enc(nn.init.xavier_uniform_(torch.empty(5, 3, 2), gain=nn.init.calculate_gain("tanh")))
I["xavierNormal"] = enc(nn.init.xavier_normal_(torch.empty(5, 3)))
I["kaimingUniform"] = enc(nn.init.kaiming_uniform_(torch.empty(6, 4, 3), a=0.2, mode="fan_out"))
I["kaimingNormal"] = enc(nn.init.kaiming_normal_(torch.empty(6, 4), nonlinearity="relu", mode="fan_in"))
I["truncNormal"] = enc(nn.init.trunc_normal_(torch.empty(8, 5), 0.5, 2.0, -1.0, 3.0))
I["truncNormal64"] = enc(nn.init.trunc_normal_(torch.empty(4, 5, dtype=torch.float64)))
I["orthogonal"] = enc(nn.init.orthogonal_(torch.empty(5, 3)))
I["orthogonalWide"] = enc(nn.init.orthogonal_(torch.empty(3, 2, 4), gain=2.0))
I["orthogonal64"] = enc(nn.init.orthogonal_(torch.empty(6, 6, dtype=torch.float64)))
I["sparse"] = enc(nn.init.sparse_(torch.empty(7, 4), 0.3, std=0.5))
I["gains"] = {n: nn.init.calculate_gain(n) for n in ["linear", "conv1d", "conv_transpose2d", "sigmoid", "tanh", "relu", "leaky_relu", "selu"]}
I["gainLeaky02"] = nn.init.calculate_gain("leaky_relu", 0.2)
# default initialisation of the layers here, after manual_seed
torch.manual_seed(1)
I["embedding"] = enc(nn.Embedding(6, 3, padding_idx=2).weight)
torch.manual_seed(1)
I["embeddingBag"] = enc(nn.EmbeddingBag(5, 2).weight)
torch.manual_seed(1)
bl = nn.Bilinear(3, 2, 4)
I["bilinear"] = {"weight": enc(bl.weight), "bias": enc(bl.bias)}
torch.manual_seed(1)
I["prelu"] = enc(nn.PReLU(3, 0.1).weight)
I["errors"] = {
    "eye": err(lambda: nn.init.eye_(torch.empty(3))),
    "dirac": err(lambda: nn.init.dirac_(torch.empty(3, 3))),
    "diracGroups": err(lambda: nn.init.dirac_(torch.empty(5, 3, 3), groups=2)),
    "orthogonal": err(lambda: nn.init.orthogonal_(torch.empty(3))),
    "sparse": err(lambda: nn.init.sparse_(torch.empty(3, 3, 3), 0.1)),
    "fan": err(lambda: nn.init.xavier_uniform_(torch.empty(3))),
    "mode": err(lambda: nn.init.kaiming_uniform_(torch.empty(3, 3), mode="fan")),
    "gain": err(lambda: nn.init.calculate_gain("softmax")),
}
out["init"] = I

# ---- dropout: masks from bernoulli_ after manual_seed --------------------------------------------
D = {}
for name, fn, shape, p in [("dropout", F.dropout, (4, 6), 0.3), ("dropout1d", F.dropout1d, (3, 4, 5), 0.5), ("dropout1dUnbatched", F.dropout1d, (4, 5), 0.5),
                           ("dropout2d", F.dropout2d, (2, 3, 4, 2), 0.4), ("dropout3d", F.dropout3d, (2, 3, 2, 2, 2), 0.5),
                           ("dropout3dUnbatched", F.dropout3d, (3, 2, 2, 2), 0.5), ("alphaDropout", F.alpha_dropout, (4, 6), 0.2),
                           ("featureAlphaDropout", F.feature_alpha_dropout, (2, 3, 4), 0.5)]:
    x = rnd(*shape)
    torch.manual_seed(5)
    xr = x.clone().requires_grad_()
    y = fn(xr, p, training=True)
    go = rnd(*shape)
    y.backward(go)
    D[name] = {"p": p, "x": enc(x), "out": enc(y), "gradOut": enc(go), "gx": enc(xr.grad)}
out["dropout"] = D
out["dropoutReprs"] = [repr(m) for m in [nn.Dropout1d(), nn.Dropout2d(0.2, True), nn.Dropout3d(0.1), nn.AlphaDropout(), nn.FeatureAlphaDropout(0.3)]]
out["dropoutErrors"] = {"p": err(lambda: nn.Dropout2d(1.5)), "dropout1d": err(lambda: F.dropout1d(torch.randn(2, 3, 4, 5)))}

# ---- embedding ---------------------------------------------------------------------------------------
E = []
w = rnd(7, 3)
E.append(case("embedding", [torch.tensor([[1, 2, 4], [4, 3, 1]]), w], lambda i, wt: F.embedding(i, wt), cid="embedding 2-D indices"))
E.append(case("embedding", [torch.tensor([[1, 2, 4, 2], [2, 3, 1, 0]]), w], lambda i, wt: F.embedding(i, wt, padding_idx=2, scale_grad_by_freq=True),
              cid="embedding paddingIdx scaleGradByFreq"))
E[-1]["kwargs"] = {"paddingIdx": 2, "scaleGradByFreq": True}
E.append(case("embedding", [torch.tensor([0, 5, 5, 6]), w], lambda i, wt: F.embedding(i, wt, padding_idx=-1), cid="embedding negative paddingIdx"))
E[-1]["kwargs"] = {"paddingIdx": -1}
# maxNorm renormalises the looked-up rows in place
wm = rnd(6, 4, scale=2)
wmc = wm.clone()
ym = F.embedding(torch.tensor([1, 3, 3, 5]), wmc, max_norm=1.5, norm_type=1.0)
out["embeddingMaxNorm"] = {"weight": enc(wm), "indices": enc(torch.tensor([1, 3, 3, 5])), "out": enc(ym), "renormed": enc(wmc)}
for mode in ["sum", "mean", "max"]:
    wb = rnd(8, 3)
    E.append(case("embeddingBag", [torch.tensor([1, 2, 4, 5, 4, 3, 2, 7]), wb, torch.tensor([0, 2, 2, 5])],
                  lambda i, wt, o, mode=mode: F.embedding_bag(i, wt, o, mode=mode), grad_inputs=[1], cid=f"embeddingBag offsets {mode}"))
    E[-1]["kwargs"] = {"mode": mode}
    E.append(case("embeddingBag", [torch.tensor([[1, 2, 4], [5, 2, 3]]), wb],
                  lambda i, wt, mode=mode: F.embedding_bag(i, wt, mode=mode, padding_idx=2), grad_inputs=[1], cid=f"embeddingBag 2-D paddingIdx {mode}"))
    E[-1]["kwargs"] = {"mode": mode, "paddingIdx": 2}
wb = rnd(8, 3)
E.append(case("embeddingBag", [torch.tensor([1, 2, 4, 5, 4, 3]), wb, torch.tensor([0, 2, 4, 6]), rnd(6)],
              lambda i, wt, o, ps: F.embedding_bag(i, wt, o, mode="sum", per_sample_weights=ps, include_last_offset=True), grad_inputs=[1, 3],
              cid="embeddingBag perSampleWeights includeLastOffset"))
E[-1]["kwargs"] = {"mode": "sum", "includeLastOffset": True, "perSampleWeights": True}
out["embedding"] = E
out["embeddingReprs"] = [repr(m) for m in [nn.Embedding(10, 3), nn.Embedding(10, 3, padding_idx=0, max_norm=1.0, norm_type=1.0, scale_grad_by_freq=True, sparse=True),
                                             nn.Embedding(10, 3, padding_idx=-1), nn.EmbeddingBag(10, 3), nn.EmbeddingBag(10, 3, mode="max", padding_idx=2, max_norm=2.0),
                                             nn.Embedding.from_pretrained(torch.ones(3, 2))]]
wt = torch.randn(5, 3)
out["embeddingErrors"] = {
    "dtype": err(lambda: F.embedding(torch.tensor([1., 2]), wt)),
    "range": err(lambda: F.embedding(torch.tensor([1, 7]), wt)),
    "offsetsNone": err(lambda: F.embedding_bag(torch.tensor([1, 2]), wt)),
    "offsets2d": err(lambda: F.embedding_bag(torch.tensor([[1, 2]]), wt, torch.tensor([0]))),
    "perSample": err(lambda: F.embedding_bag(torch.tensor([[1, 2]]), wt, per_sample_weights=torch.ones(1, 2))),
    "paddingIdx": err(lambda: nn.Embedding(3, 2, padding_idx=3)),
    "pretrained": err(lambda: nn.Embedding.from_pretrained(torch.ones(3))),
    "lastOffset": err(lambda: F.embedding_bag(torch.tensor([1, 2]), wt, torch.tensor([0, 3]))),
    "oneHotDtype": err(lambda: F.one_hot(torch.tensor([1.]))),
    "oneHotNegative": err(lambda: F.one_hot(torch.tensor([1, -1]))),
    "oneHotRange": err(lambda: F.one_hot(torch.tensor([1, 5]), 3)),
}

# ---- distances, normalize, oneHot, channelShuffle, bilinear ------------------------------------------
M = []
M.append(case("pairwiseDistance", [rnd(4, 5), rnd(4, 5)], F.pairwise_distance, cid="pairwiseDistance"))
M.append(case("pairwiseDistance", [rnd(4, 5), rnd(5)], lambda a, b: F.pairwise_distance(a, b, p=1.0, eps=1e-3, keepdim=True), cid="pairwiseDistance p=1 keepdim broadcast"))
M[-1]["kwargs"] = {"p": 1.0, "eps": 1e-3, "keepdim": True}
M.append(case("pairwiseDistance", [rnd(3, 4), rnd(3, 4)], lambda a, b: F.pairwise_distance(a, b, p=3.0), cid="pairwiseDistance p=3"))
M[-1]["kwargs"] = {"p": 3.0}
M.append(case("cosineSimilarity", [rnd(4, 5), rnd(4, 5)], F.cosine_similarity, cid="cosineSimilarity"))
M.append(case("cosineSimilarity", [rnd(2, 3, 4), rnd(1, 3, 4)], lambda a, b: F.cosine_similarity(a, b, dim=-1), cid="cosineSimilarity dim=-1 broadcast"))
M[-1]["kwargs"] = {"dim": -1}
tiny = torch.tensor([[1e-5, 0., 0], [1., 2, 3]], dtype=torch.float64)
M.append(case("cosineSimilarity", [tiny, tiny * 2], lambda a, b: F.cosine_similarity(a, b, eps=1e-4), cid="cosineSimilarity eps clamps each norm"))
M[-1]["kwargs"] = {"eps": 1e-4}
M.append(case("normalize", [rnd(3, 4)], F.normalize, cid="normalize"))
M.append(case("normalize", [rnd(3, 4, 2)], lambda a: F.normalize(a, p=1.0, dim=-1), cid="normalize p=1 dim=-1"))
M[-1]["kwargs"] = {"p": 1.0, "dim": -1}
M.append(case("normalize", [torch.zeros(2, 3, dtype=torch.float64)], F.normalize, cid="normalize zeros"))
# (PyTorch 1.13 has no derivative for channel_shuffle: forward only)
M.append(case("channelShuffle", [rnd(2, 6, 2, 2)], lambda a: F.channel_shuffle(a, 3), grad_inputs=[], cid="channelShuffle groups=3"))
M[-1]["kwargs"] = {"groups": 3}
M.append(case("bilinear", [rnd(4, 3), rnd(4, 2), rnd(5, 3, 2), rnd(5)], F.bilinear, cid="bilinear"))
M.append(case("bilinear", [rnd(2, 3, 3), rnd(2, 3, 2), rnd(4, 3, 2)], F.bilinear, cid="bilinear batch dims no bias"))
out["misc"] = M
out["oneHot"] = {"input": enc(torch.tensor([[0, 3], [1, 1]])), "out": enc(F.one_hot(torch.tensor([[0, 3], [1, 1]]))), "out6": enc(F.one_hot(torch.tensor([[0, 3], [1, 1]]), 6))}
out["miscReprs"] = [repr(m) for m in [nn.PairwiseDistance(), nn.CosineSimilarity(), nn.ChannelShuffle(2), nn.Bilinear(2, 3, 4), nn.Bilinear(2, 3, 4, bias=False), nn.LazyLinear(3)]]
out["miscErrors"] = {
    "channelShuffle": err(lambda: F.channel_shuffle(torch.randn(1, 5, 2), 2)),
    "bilinearBatch": err(lambda: F.bilinear(torch.randn(3, 2), torch.randn(4, 3), torch.randn(5, 2, 3))),
    "bilinearInput1": err(lambda: F.bilinear(torch.randn(3, 3), torch.randn(3, 3), torch.randn(5, 2, 3))),
    "bilinearBias": err(lambda: F.bilinear(torch.randn(3, 2), torch.randn(3, 3), torch.randn(5, 2, 3), torch.randn(4))),
}
torch.manual_seed(2)
lazy = nn.LazyLinear(3)
xl = rnd(2, 4, dtype=torch.float32)
yl = lazy(xl)
out["lazyLinear"] = {"x": enc(xl), "out": enc(yl), "weight": enc(lazy.weight), "bias": enc(lazy.bias), "repr": repr(lazy), "keys": list(lazy.state_dict())}

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "nn-layers.json"), "w") as f:
    json.dump(out, f, separators=(",", ":"))
