# SPDX-License-Identifier: BSD-3-Clause
"""Writes test/fixtures/grads.json: the gradient half of the op table (the core ops: math,
reductions, matrix products, views, conversions, in place; scripts/gen_grad_fixtures.py covers
indexing, scatter, join, sorting and matrix ops).

Run with Debian's PyTorch 1.13:  /usr/bin/python3 scripts/gen_grad_table_fixtures.py

Every case is a short program over input tensors, with what real PyTorch's autograd gave for it:

  id          unique: "<op>/<input dtypes>/<layouts>[/<note>] (<other arguments>)"
  op          the family row it belongs to (the TS name, e.g. "add", "var")
  steps       calls run in order; a step is {call, fn, args, kwargs?} as in the forward op table
              (scripts/gen_op_fixtures.py: "function", "method" or "getter"; camelCase names and
              keys). Arguments may name an input ({"$t": i}) or an earlier step's result
              ({"$s": k}, or item j of it: {"$s": k, "i": j}). The last step's result is the output.
  outputs     which items of a tuple/list result are differentiated (null: the result is one tensor)
  inputs      the input tensors (encoded as in the forward table: make_input), each with
              requiresGrad; every input that requires grad is a leaf
  gradOutputs the upstream gradient of each output (contiguous, the output's dtype and shape)
  expect      gradFn: out.grad_fn.name() for each output; grads: x.grad of each input
              ({dtype, shape, values}, or null where the input gets no gradient); or error:
              {type, message} where PyTorch refuses (in the steps or in the backward)
  gradcheck / gradgradcheck
              whether torch.autograd.gradcheck / gradgradcheck pass in PyTorch on these float64
              inputs (run here: false at kinks, ties and non-finite values); torchts must pass
              where PyTorch does
  xfail       a reason, when torchts cannot match PyTorch yet (the test then expects a failure, and
              fails on an unexpected pass)

Inputs with a zero stride (layout "expanded") are gradchecked as contiguous copies, as PyTorch's
gradcheck refuses overlapping memory. Values are encoded as in the forward table ("nan", "inf",
"-inf", "-0" as strings).
"""
import json
import os
import sys
import warnings

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_op_fixtures as F  # noqa: E402  (the forward table's encoding: T, make_input, enc, ...)
from gen_op_fixtures import D, N, T  # noqa: E402

warnings.filterwarnings("ignore")
torch.manual_seed(0)
F.RNG = np.random.default_rng(1)  # this table's own random stream

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OUT = os.path.join(ROOT, "test", "fixtures", "grads.json")

CASES = []
IDS = set()


class R:
    """The result of an earlier step (item `i` of it for tuple results)."""

    def __init__(self, k, i=None):
        self.k, self.i = k, i


class Step:
    def __init__(self, fn, args, kwargs=None, call="method"):
        self.fn, self.args, self.kwargs, self.call = fn, list(args), dict(kwargs or {}), call


def fn_(name, *args, **kwargs):
    """torch.name(*args, **kwargs)"""
    return Step(name, args, kwargs, "function")


def m_(name, *args, **kwargs):
    """args[0].name(*args[1:], **kwargs)"""
    return Step(name, args, kwargs, "method")


def g_(name, x):
    """x.name (a getter: T, mT)"""
    return Step(name, [x], {}, "getter")


def to_json(a, inputs):
    if isinstance(a, R):
        return {"$s": a.k} if a.i is None else {"$s": a.k, "i": a.i}
    if isinstance(a, (list, tuple)):
        return [to_json(x, inputs) for x in a]
    if isinstance(a, dict):
        return {k: to_json(v, inputs) for k, v in a.items()}
    return F.to_json_arg(a, inputs)


def to_py(a, built, results):
    if isinstance(a, dict) and "$s" in a:
        r = results[a["$s"]]
        return r if "i" not in a else r[a["i"]]
    if isinstance(a, list):
        return [to_py(x, built, results) for x in a]
    if isinstance(a, dict) and not any(k.startswith("$") for k in a):
        return {F.snake(k): to_py(v, built, results) for k, v in a.items()}
    return F.to_py_arg(a, built)


def run_steps(jsteps, built):
    results = []
    for s in jsteps:
        args = [to_py(a, built, results) for a in s["args"]]
        kwargs = {F.snake(k): to_py(v, built, results) for k, v in s.get("kwargs", {}).items()}
        results.append(F.py_call(s["call"], s["fn"], args, kwargs))
    return results[-1]


def pick(r, outputs):
    return [r] if outputs is None else [r[i] for i in outputs]


def build(specs, grads):
    xs = [F.make_input(s) for s in specs]
    for x, g in zip(xs, grads):
        if g:
            x.requires_grad_()
    return xs


def enc_grad(x):
    if x is None:
        return None
    return {"dtype": F.NAME[x.dtype], "shape": list(x.shape), "values": F.enc_tensor_values(x)}


def for_gradcheck(xs):
    """Inputs as gradcheck takes them: overlapping (expanded) ones as contiguous copies."""
    out = []
    for x in xs:
        if any(st == 0 and sz > 1 for st, sz in zip(x.stride(), x.shape)):
            x = x.detach().contiguous().requires_grad_(x.requires_grad)
        out.append(x)
    return out


def check_passes(jsteps, specs, grads, outputs, second):
    xs = for_gradcheck(build(specs, grads))

    def f(*ins):
        return tuple(pick(run_steps(jsteps, list(ins)), outputs))
    try:
        if second:
            return torch.autograd.gradgradcheck(f, xs, raise_exception=False)
        return torch.autograd.gradcheck(f, xs, raise_exception=False)
    except Exception:  # noqa: BLE001 -- a gradcheck that cannot run does not pass
        return False


def gcase(op, steps, note="", outputs=None, grads=None, gradcheck=True, gradgradcheck=True, xfail=None):
    """One case. `steps`: a Step or a list of them. `grads`: which inputs require grad (default: all
    floating inputs). `gradcheck`/`gradgradcheck` False: not checked even where PyTorch passes."""
    steps = steps if isinstance(steps, list) else [steps]
    inputs = []
    jsteps = []
    for s in steps:
        j = {"call": s.call, "fn": s.fn, "args": [to_json(a, inputs) for a in s.args]}
        if s.kwargs:
            j["kwargs"] = {k: to_json(v, inputs) for k, v in s.kwargs.items()}
        jsteps.append(j)
    specs = [x.spec for x in inputs]
    if grads is None:
        grads = [x.dtype in ("float32", "float64") for x in inputs]
    dts = "-".join(x.dtype for x in inputs)
    layouts = sorted({x.layout for x in inputs} - {"contiguous"})
    layout = "+".join(layouts) or ("0-dim" if all(len(x.shape) == 0 for x in inputs) else "contiguous")
    cid = "/".join(p for p in [op, dts, layout, note] if p)
    last = jsteps[-1]
    cid += F.summarize([a for a in last["args"] if not (isinstance(a, dict) and "$s" in a)], last.get("kwargs", {}))
    if cid in IDS:  # the same program on the same kinds of inputs (a variant loop that ignores the layout)
        return None
    IDS.add(cid)

    # the reference: backward with random upstream gradients
    xs = build(specs, grads)
    gos = []
    try:
        outs = pick(run_steps(jsteps, xs), outputs)
        for o in outs:
            assert o.requires_grad, f"{cid}: output does not require grad"
            gos.append(T(F.NAME[o.dtype], list(o.shape)).spec)
        torch.autograd.backward(outs, [F.make_input(g) for g in gos])
    except RuntimeError as e:
        # PyTorch's guard rails (reliability.md 3.3): the same error, in the forward or the backward
        c = {"id": cid, "op": op, "steps": jsteps, "outputs": outputs,
             "inputs": [dict(s, requiresGrad=bool(g)) for s, g in zip(specs, grads)], "gradOutputs": gos,
             "expect": {"error": {"type": type(e).__name__, "message": str(e)}}}
        if xfail:
            c["xfail"] = xfail
        CASES.append(c)
        return c
    expect = {"gradFn": [o.grad_fn.name() if o.grad_fn else None for o in outs],
              "grads": [enc_grad(x.grad) if g else None for x, g in zip(xs, grads)]}
    # deterministic: the same program on the same inputs gives the same gradients
    xs2 = build(specs, grads)
    torch.autograd.backward(pick(run_steps(jsteps, xs2), outputs), [F.make_input(g) for g in gos])
    assert [enc_grad(x.grad) if g else None for x, g in zip(xs2, grads)] == expect["grads"], cid

    c = {"id": cid, "op": op, "steps": jsteps, "outputs": outputs,
         "inputs": [dict(s, requiresGrad=bool(g)) for s, g in zip(specs, grads)], "gradOutputs": gos,
         "expect": expect}
    if all(s["dtype"] == "float64" for s, g in zip(specs, grads) if g) and any(grads):
        c["gradcheck"] = bool(gradcheck) and check_passes(jsteps, specs, grads, outputs, False)
        c["gradgradcheck"] = c["gradcheck"] and bool(gradgradcheck) and check_passes(jsteps, specs, grads, outputs, True)
    if xfail:
        c["xfail"] = xfail
    CASES.append(c)
    return c


# ---- inputs --------------------------------------------------------------------------------------

def layouts_for(shape):
    """The non-contiguous layout a shape allows: transposed for matrices, else sliced."""
    return "transposed" if len(shape) >= 2 else "sliced"


def variants(shape):
    """(dtype, layout) pairs every op runs with: float32 and float64 contiguous, float64 strided."""
    out = [("float32", "contiguous"), ("float64", "contiguous")]
    if len(shape) >= 1:
        out.append(("float64", layouts_for(shape)))
    return out


def X(dtype, shape, layout="contiguous", domain="default", values=None, base=None):
    return T(dtype, shape, values=values, layout=layout, domain=domain, base=base)


# ---- pointwise -------------------------------------------------------------------------------------

UNARY = [
    ("exp", "default"), ("exp2", "default"), ("expm1", "default"), ("log", "positive"), ("log2", "positive"),
    ("log10", "positive"), ("log1p", "log1p"), ("sqrt", "positive"), ("rsqrt", "positive"), ("sin", "default"),
    ("cos", "default"), ("tan", "unit"), ("asin", "unit"), ("acos", "unit"), ("atan", "default"),
    ("sinh", "default"), ("cosh", "default"), ("tanh", "default"), ("asinh", "default"), ("acosh", "ge1"),
    ("atanh", "unit"), ("sigmoid", "default"), ("erf", "default"), ("erfc", "default"), ("erfinv", "unit"),
    ("reciprocal", "nonzero"), ("lgamma", "positive"), ("frac", "nonzero"), ("neg", "default"),
    ("abs", "nonzero"), ("sign", "nonzero"), ("square", "default"), ("floor", "nonzero"), ("ceil", "nonzero"),
    ("trunc", "nonzero"), ("round", "nonzero"), ("relu", "nonzero"),
]
# kinks and non-finite values (reliability.md 4.3): sqrt'(0) = inf, abs'(0) = 0, relu'(0) = 0, NaN in, NaN out
SPECIAL = [0, "-0", "nan", "inf", "-inf", 1.5, -2]
SPECIAL_OPS = ["exp", "log", "sqrt", "rsqrt", "abs", "relu", "tanh", "sigmoid", "reciprocal", "sign", "neg",
               "square", "floor", "sin", "atan", "erf", "expm1", "log1p"]


def unary_cases():
    for name, domain in UNARY:
        for d, lay in variants([2, 3]):
            x = X(d, [2, 3], lay, domain)
            gcase(name, fn_(name, x))
        gcase(name, m_(name, X("float64", [4], "sliced", domain)), note="method")
    for name in SPECIAL_OPS:
        for d in ("float32", "float64"):
            gcase(name, fn_(name, X(d, [7], values=SPECIAL)), note="special")
    gcase("round", fn_("round", X("float64", [2, 3]), decimals=1))
    gcase("lgamma", fn_("lgamma", X("float64", [6], values=[-2.5, -0.3, 0.2, 1, 2, 30.5])), note="reflection")
    gcase("lgamma", fn_("lgamma", X("float32", [6], values=[-2.5, -0.3, 0.2, 1, 2, 30.5])), note="reflection")
    gcase("round", fn_("round", X("float32", [2, 3]), decimals=1))
    for d in ("float32", "float64"):
        gcase("nanToNum", fn_("nanToNum", X(d, [7], values=SPECIAL)))
        gcase("nanToNum", fn_("nanToNum", X(d, [7], values=SPECIAL), nan=1, posinf=2, neginf=-3))
        gcase("relu", fn_("relu", X(d, [5], values=[-1, 0, "-0", 2, "nan"])), note="kink")
        gcase("abs", fn_("abs", X(d, [4], values=[-1, 0, "-0", 2])), note="kink")
        gcase("sqrt", fn_("sqrt", X(d, [3], values=[0, 1, 4])), note="kink")


def binary_cases():
    def two(op, fn, a_shape, b_shape, domain_b="default", note="", call="function", **kw):
        for d, lay in variants(a_shape):
            a = X(d, a_shape, lay)
            b = X(d, b_shape, domain=domain_b)
            st = fn_(fn, a, b, **kw) if call == "function" else m_(fn, a, b, **kw)
            gcase(op, st, note=note)

    for fn in ("add", "sub", "mul"):
        two(fn, fn, [2, 3], [2, 3])
        two(fn, fn, [2, 3], [3], note="broadcast")
        two(fn, fn, [3, 1], [1, 4], note="broadcast-both")
        for d in ("float32", "float64"):
            gcase(fn, fn_(fn, X(d, [2, 3]), 2), note="scalar")
            gcase(fn, m_(fn, X(d, [2, 3]), X(d, [])), note="0-dim")
    for fn in ("add", "sub"):
        two(fn, fn, [2, 3], [3], note="alpha", alpha=2)
        gcase(fn, fn_(fn, X("float64", [2, 3]), X("float64", [2, 3]), alpha=-0.5), note="alpha")
    two("div", "div", [2, 3], [2, 3], domain_b="nonzero")
    two("div", "div", [2, 3], [3], domain_b="nonzero", note="broadcast")
    for d in ("float32", "float64"):
        gcase("div", fn_("div", X(d, [2, 3]), 4), note="scalar")
        gcase("div", fn_("div", X(d, [2, 3]), X(d, [2, 3], domain="nonzero"), roundingMode="floor"))
        gcase("div", fn_("div", X(d, [2, 3]), X(d, [2, 3], domain="nonzero"), roundingMode="trunc"))
        gcase("div", fn_("div", X(d, [2, 3]), 2, roundingMode="floor"), note="scalar")
        gcase("floorDivide", fn_("floorDivide", X(d, [2, 3]), X(d, [2, 3], domain="nonzero")))
        gcase("rsub", fn_("rsub", X(d, [2, 3]), X(d, [3])))
        gcase("rsub", fn_("rsub", X(d, [2, 3]), 2), note="scalar")
        gcase("rsub", fn_("rsub", X(d, [2, 3]), X(d, [3]), alpha=3), note="alpha")
    # mixed dtypes: each gradient comes back in its input's dtype
    gcase("add", fn_("add", X("float32", [2, 3]), X("float64", [3])), note="mixed")
    gcase("mul", fn_("mul", X("float64", [2, 3]), X("float32", [2, 3])), note="mixed")
    # an expanded (stride 0) leaf
    gcase("mul", fn_("mul", X("float64", [2, 3], "expanded"), X("float64", [2, 3])), note="expanded")
    for fn, dom in (("remainder", "nonzero"), ("fmod", "nonzero"), ("atan2", "nonzero"), ("hypot", "nonzero"),
                    ("copysign", "nonzero"), ("logaddexp", "default"), ("logaddexp2", "default")):
        two(fn, fn, [2, 3], [2, 3], domain_b=dom)
        two(fn, fn, [2, 3], [3], domain_b=dom, note="broadcast")
    for d in ("float32", "float64"):
        gcase("remainder", fn_("remainder", X(d, [2, 3]), 1.5), note="scalar")
        gcase("fmod", fn_("fmod", X(d, [2, 3]), -1.5), note="scalar")
        gcase("copysign", fn_("copysign", X(d, [2, 3]), -1), note="scalar")
        gcase("copysign", fn_("copysign", X(d, [6], values=[0, "-0", 1, -1, 2, -3]), X(d, [6], values=[1, -1, -1, 1, "-0", 0])),
              note="zeros")
    # maximum/minimum split ties evenly; fmax/fmin send all to the non-NaN input
    a_vals, b_vals = [1, 2, 3, "nan", 5, -1], [1, 0, 4, 2, "nan", -1]
    for fn in ("maximum", "minimum", "fmax", "fmin"):
        two(fn, fn, [2, 3], [2, 3])
        two(fn, fn, [2, 3], [3], note="broadcast")
        for d in ("float32", "float64"):
            gcase(fn, fn_(fn, X(d, [6], values=a_vals), X(d, [6], values=b_vals)), note="ties-nan")
    for d, lay in variants([2, 3]):
        # the three forms of pow: tensor ** scalar, tensor ** tensor, scalar ** tensor
        gcase("pow", fn_("pow", X(d, [2, 3], lay), 3), note="scalar-exponent")
        gcase("pow", fn_("pow", X(d, [2, 3], lay, "positive"), 0.5), note="scalar-exponent")
        gcase("pow", fn_("pow", X(d, [2, 3], lay, "positive"), X(d, [2, 3])), note="tensor-exponent")
        gcase("pow", fn_("pow", X(d, [2, 3], lay, "positive"), X(d, [3])), note="broadcast")
        gcase("pow", fn_("pow", 2, X(d, [2, 3], lay)), note="scalar-base")
    for d in ("float32", "float64"):
        gcase("pow", fn_("pow", X(d, [4], values=[0, 1, -2, 3]), 2), note="zero-base")
        gcase("pow", fn_("pow", X(d, [4], values=[0, 1, -2, 3]), 0), note="zero-exponent")
        gcase("pow", fn_("pow", X(d, [4], values=[0, 0, 2, 3]), X(d, [4], values=[2, 0, 0, -1])), note="zeros")
        gcase("pow", fn_("pow", 0, X(d, [3], values=[0, 1, 2])), note="zero-scalar-base")
        gcase("pow", m_("pow", X(d, [2, 3], domain="positive"), -1.5), note="method")
        gcase("floatPower", fn_("floatPower", X(d, [2, 3], domain="positive"), 2.5))
        gcase("floatPower", fn_("floatPower", X(d, [2, 3], domain="positive"), X(d, [3])), note="tensor-exponent")


def ternary_cases():
    for d, lay in variants([2, 3]):
        cond = X("bool", [2, 3])
        gcase("where", fn_("where", cond, X(d, [2, 3], lay), X(d, [3])))
        gcase("where", fn_("where", X("bool", [2, 3]), X(d, [2, 3], lay), 0), note="scalar")
        gcase("where", m_("where", X(d, [2, 3], lay), X("bool", [2, 1]), X(d, [2, 3])), note="method")
        gcase("lerp", fn_("lerp", X(d, [2, 3], lay), X(d, [2, 3]), 0.3), note="scalar-weight")
        gcase("lerp", fn_("lerp", X(d, [2, 3], lay), X(d, [3]), X(d, [2, 3], domain="unit")), note="tensor-weight")
        gcase("addcmul", fn_("addcmul", X(d, [2, 3], lay), X(d, [2, 3]), X(d, [3])))
        gcase("addcmul", fn_("addcmul", X(d, [2, 3], lay), X(d, [2, 3]), X(d, [2, 3]), value=-2), note="value")
        gcase("addcdiv", fn_("addcdiv", X(d, [2, 3], lay), X(d, [2, 3]), X(d, [3], domain="nonzero")))
        gcase("addcdiv", fn_("addcdiv", X(d, [2, 3], lay), X(d, [2, 3]), X(d, [2, 3], domain="nonzero"), value=0.5),
              note="value")
        gcase("clamp", fn_("clamp", X(d, [2, 3], lay), -1, 1), note="scalar")
        gcase("clamp", fn_("clamp", X(d, [2, 3], lay), X(d, [3]), X(d, [2, 3])), note="tensor")
        gcase("clamp", fn_("clamp", X(d, [2, 3], lay), X(d, [3])), note="tensor-min")
        gcase("clamp", fn_("clamp", X(d, [2, 3], lay), None, X(d, [3])), note="tensor-max")
        gcase("clamp", fn_("clamp", X(d, [2, 3], lay), None, 0.5), note="scalar-max")
    bounds = [-1, -1, -1, 1, -1, 3]
    for d in ("float32", "float64"):
        # on the bounds, NaN, and a min above the max
        x = X(d, [6], values=[-1, 1, "nan", 0.5, -3, 2])
        gcase("clamp", fn_("clamp", x, -1, 1), note="edges")
        gcase("clamp", fn_("clamp", X(d, [6], values=[-1, 1, "nan", 0.5, -3, 2]), X(d, [6], values=bounds),
                           X(d, [6], values=[1, 1, 1, 0, 1, 2])), note="edges")
        gcase("clampMin", fn_("clampMin", X(d, [2, 3]), 0.5))
        gcase("clampMin", fn_("clampMin", X(d, [2, 3]), X(d, [3])), note="tensor")
        gcase("clampMax", fn_("clampMax", X(d, [2, 3]), 0.5))
        gcase("clampMax", fn_("clampMax", X(d, [2, 3]), X(d, [3])), note="tensor")
        gcase("clamp", m_("clamp", X(d, [2, 3]), 0), note="method-min")
        gcase("where", fn_("where", X("bool", [4], values=[True, False, True, False]), X(d, [4], values=[1, "nan", 2, 3]),
                           X(d, [4], values=["inf", 1, "nan", 0])), note="nonfinite")


# ---- reductions ------------------------------------------------------------------------------------

def reduce_cases():
    for d, lay in variants([3, 4]):
        x = lambda dom="default": X(d, [3, 4], lay, dom)  # noqa: E731
        gcase("sum", fn_("sum", x()))
        gcase("sum", fn_("sum", x(), 1))
        gcase("sum", fn_("sum", x(), [0, 1], keepdim=True))
        gcase("sum", m_("sum", x(), 0, keepdim=True), note="method")
        gcase("mean", fn_("mean", x()))
        gcase("mean", fn_("mean", x(), 0))
        gcase("mean", fn_("mean", x(), [-1], keepdim=True))
        gcase("prod", fn_("prod", x("nonzero")))
        gcase("prod", fn_("prod", x("nonzero"), 1))
        gcase("prod", fn_("prod", x("nonzero"), 0, keepdim=True))
        gcase("nansum", fn_("nansum", x()))
        gcase("nanmean", fn_("nanmean", x(), 1))
        gcase("amax", fn_("amax", x(), 1))
        gcase("amin", fn_("amin", x(), [0, 1]))
        gcase("max", fn_("max", x()))
        gcase("max", fn_("max", x(), 1), outputs=[0])
        gcase("min", fn_("min", x()))
        gcase("min", fn_("min", x(), 0, keepdim=True), outputs=[0])
        gcase("max", fn_("max", x(), X(d, [4])), note="binary")
        gcase("var", fn_("var", x()))
        gcase("var", fn_("var", x(), 1))
        gcase("var", fn_("var", x(), 0, correction=0, keepdim=True))
        gcase("std", fn_("std", x()))
        gcase("std", fn_("std", x(), 1, correction=2))
        gcase("std", fn_("std", x(), [0, 1], unbiased=False))
        for p in (1, 2, 3, N("inf"), N("-inf"), 0, 1.5):
            gcase("norm", fn_("norm", x(), p))
        gcase("norm", fn_("norm", x(), 2, 1))
        gcase("norm", fn_("norm", x(), 1, 0, keepdim=True))
        gcase("norm", m_("norm", x()), note="method")
        gcase("logsumexp", fn_("logsumexp", x(), 1))
        gcase("logsumexp", fn_("logsumexp", x(), [0, 1], keepdim=True))
        gcase("cumsum", fn_("cumsum", x(), 1))
        gcase("cumsum", fn_("cumsum", x(), 0))
        gcase("cumprod", fn_("cumprod", x("nonzero"), 1))
        gcase("cumprod", fn_("cumprod", x("nonzero"), 0))
        gcase("cummax", fn_("cummax", x(), 1), outputs=[0])
        gcase("cummin", fn_("cummin", x(), 0), outputs=[0])
        gcase("logcumsumexp", fn_("logcumsumexp", x(), 1))
    for d in ("float32", "float64"):
        # zeros in products: one zero, two zeros, a zero in one row only
        for vals, note in (([1.5, 0, 2, -1], "one-zero"), ([0, 2, 0, 3], "two-zeros"), ([0, 0, 0, 0], "all-zeros")):
            gcase("prod", fn_("prod", X(d, [4], values=vals)), note=note)
            gcase("cumprod", fn_("cumprod", X(d, [4], values=vals), 0), note=note)
        gcase("prod", fn_("prod", X(d, [2, 3], values=[1, 0, 2, 3, 0, 0]), 1), note="zeros")
        gcase("prod", fn_("prod", X(d, [2, 3], values=[1, 0, 2, 3, 0, 0]), 0), note="zeros")
        gcase("cumprod", fn_("cumprod", X(d, [2, 4], values=[1, 0, 2, 3, 0, 2, 0, 4]), 1), note="zeros")
        # NaN-aware reductions
        nan_vals = [1, "nan", 3, -2, "nan", 0.5]
        gcase("nansum", fn_("nansum", X(d, [2, 3], values=nan_vals)), note="nan")
        gcase("nansum", fn_("nansum", X(d, [2, 3], values=nan_vals), 1), note="nan")
        gcase("nanmean", fn_("nanmean", X(d, [2, 3], values=nan_vals)), note="nan")
        gcase("nanmean", fn_("nanmean", X(d, [2, 3], values=nan_vals), 0), note="nan")
        gcase("sum", fn_("sum", X(d, [2, 3], values=nan_vals)), note="nan")
        gcase("sum", fn_("sum", X(d, [3, 4]), dtype=D("float64" if d == "float32" else "float32")), note="dtype")
        # ties: max/min over everything split the gradient evenly; max(dim) picks one index
        ties = [1, 3, 3, 0, 3, -1]
        for fn in ("max", "min", "amax", "amin"):
            gcase(fn, fn_(fn, X(d, [2, 3], values=ties)), note="ties")
        gcase("max", fn_("max", X(d, [2, 3], values=[1, 3, 3, 2, 2, -1]), 1), outputs=[0], note="ties")
        gcase("min", fn_("min", X(d, [2, 3], values=[1, 1, 3, 2, -1, -1]), 1), outputs=[0], note="ties")
        gcase("amax", fn_("amax", X(d, [2, 3], values=[1, 3, 3, 2, 2, 2]), 1), note="ties")
        gcase("amin", fn_("amin", X(d, [2, 3], values=[1, 3, 1, 2, 2, 2]), 0), note="ties")
        gcase("max", fn_("max", X(d, [4], values=[1, "nan", 3, "nan"])), note="nan")
        gcase("cummax", fn_("cummax", X(d, [6], values=[1, 3, 3, 2, 5, 5]), 0), outputs=[0], note="ties")
        gcase("cummin", fn_("cummin", X(d, [6], values=[1, 1, 0, 2, 0, -1]), 0), outputs=[0], note="ties")
        # norms at zero: the gradient is 0, not NaN
        for p in (1, 2, 3, N("inf"), 0, 1.5):
            gcase("norm", fn_("norm", X(d, [4], values=[0, 0, 0, 0]), p), note="zero")
        gcase("norm", fn_("norm", X(d, [2, 3], values=[0, 0, 0, 1, -2, 2]), 2, 1), note="zero-row")
        gcase("norm", fn_("norm", X(d, [4], values=[1, -3, 3, 0]), N("inf")), note="ties")
        gcase("norm", fn_("norm", X(d, [4], values=[1, -3, 3, 0]), 1), note="zero-element")
        gcase("var", fn_("var", X(d, [1, 3]), 0), note="one-sample")
        gcase("std", fn_("std", X(d, [4], values=[2, 2, 2, 2])), note="constant")
        gcase("logsumexp", fn_("logsumexp", X(d, [2, 3], values=["-inf", "-inf", "-inf", 1, 2, "-inf"]), 1),
              note="-inf")
        gcase("logsumexp", fn_("logsumexp", X(d, [2, 3], values=[1000, 1001, -1000, 0, 1, 2]), 1), note="large")
        gcase("logcumsumexp", fn_("logcumsumexp", X(d, [2, 3], values=[1000, 1001, -1000, 0, 1, 2]), 1), note="large")
        gcase("logcumsumexp", fn_("logcumsumexp", X(d, [4], values=["-inf", 1, "-inf", 2]), 0), note="-inf")


# ---- matrix products ---------------------------------------------------------------------------------

def linalg_cases():
    def t(d, shape, lay="contiguous"):
        return X(d, shape, lay if len(shape) >= 2 or lay == "contiguous" else "sliced")

    for d, lay in variants([2, 3]):
        gcase("mm", fn_("mm", t(d, [2, 3], lay), t(d, [3, 4])))
        gcase("mm", m_("mm", t(d, [2, 3]), t(d, [3, 4], lay)), note="method")
        gcase("bmm", fn_("bmm", t(d, [2, 2, 3], lay), t(d, [2, 3, 4])))
        gcase("mv", fn_("mv", t(d, [2, 3], lay), t(d, [3])))
        gcase("dot", fn_("dot", t(d, [3], lay), t(d, [3])))
        for sa, sb, note in (([3], [3], "1d-1d"), ([2, 3], [3], "2d-1d"), ([3], [3, 2], "1d-2d"),
                             ([2, 3], [3, 4], "2d-2d"), ([2, 2, 3], [3, 4], "3d-2d"), ([2, 2, 3], [3], "3d-1d"),
                             ([4, 3], [2, 3, 2], "2d-3d"), ([3], [2, 3, 2], "1d-3d"),
                             ([2, 2, 3], [1, 3, 2], "batch-broadcast"), ([2, 1, 2, 3], [3, 3, 2], "4d-3d")):
            gcase("matmul", fn_("matmul", t(d, sa, lay), t(d, sb)), note=note)
        gcase("addmm", fn_("addmm", t(d, [2, 4]), t(d, [2, 3], lay), t(d, [3, 4])))
        gcase("addmm", fn_("addmm", t(d, [4]), t(d, [2, 3], lay), t(d, [3, 4]), beta=0.5, alpha=2), note="broadcast")
        gcase("addmm", fn_("addmm", t(d, [2, 4]), t(d, [2, 3]), t(d, [3, 4], lay), beta=0), note="beta0")
        gcase("addmv", fn_("addmv", t(d, [2]), t(d, [2, 3], lay), t(d, [3])))
        gcase("addmv", fn_("addmv", t(d, [1]), t(d, [2, 3], lay), t(d, [3]), beta=2, alpha=-1), note="broadcast")
        gcase("baddbmm", fn_("baddbmm", t(d, [2, 2, 4]), t(d, [2, 2, 3], lay), t(d, [2, 3, 4])))
        gcase("baddbmm", fn_("baddbmm", t(d, [2, 4]), t(d, [2, 2, 3], lay), t(d, [2, 3, 4]), beta=0.5, alpha=3),
              note="broadcast")
        gcase("addbmm", fn_("addbmm", t(d, [2, 4]), t(d, [3, 2, 3], lay), t(d, [3, 3, 4])))
        gcase("addbmm", fn_("addbmm", t(d, [4]), t(d, [3, 2, 3], lay), t(d, [3, 3, 4]), beta=2, alpha=0.5),
              note="broadcast")
        gcase("addr", fn_("addr", t(d, [2, 3], lay), t(d, [2]), t(d, [3])))
        gcase("addr", fn_("addr", t(d, [3]), t(d, [2]), t(d, [3]), beta=2, alpha=-1), note="broadcast")
        gcase("outer", fn_("outer", t(d, [2], lay), t(d, [3])))
        gcase("inner", fn_("inner", t(d, [3], lay), t(d, [3])))
        gcase("inner", fn_("inner", t(d, [2, 3], lay), t(d, [4, 3])), note="2d")


# ---- views, copies, in-place ------------------------------------------------------------------------------

def view_cases():
    for d, lay in variants([2, 3]):
        x = lambda s=(2, 3): X(d, list(s), lay if lay == "contiguous" or len(s) >= 2 else "sliced")  # noqa: E731
        gcase("view", m_("view", X(d, [2, 3]), 3, 2))
        gcase("view", m_("view", X(d, [2, 3]), [-1]), note="infer")
        gcase("reshape", m_("reshape", X(d, [2, 3]), 3, 2), note="view")
        gcase("reshape", m_("reshape", x(), 6), note="copy" if lay != "contiguous" else "view")
        gcase("reshape", fn_("reshape", x((2, 3, 2)), [4, 3]))
        gcase("flatten", m_("flatten", x((2, 3, 2))))
        gcase("flatten", fn_("flatten", x((2, 3, 2)), 1))
        gcase("squeeze", m_("squeeze", X(d, [2, 1, 3, 1])))
        gcase("squeeze", m_("squeeze", X(d, [2, 1, 3, 1]), 1), note="dim")
        gcase("unsqueeze", fn_("unsqueeze", x(), 1))
        gcase("unsqueeze", m_("unsqueeze", x(), -1), note="method")
        gcase("permute", m_("permute", x((2, 3, 2)), 2, 0, 1))
        gcase("transpose", fn_("transpose", x((2, 3, 2)), 0, 2))
        gcase("t", m_("t", x()))
        gcase("t", fn_("t", x((3,))), note="1d")
        gcase("T", g_("T", x()))
        gcase("mT", g_("mT", x((2, 3, 2))))
        gcase("expand", m_("expand", X(d, [3, 1]), 2, 3, 4))
        gcase("expand", m_("expand", x((3,)), [2, -1]), note="new-dim")
        gcase("narrow", fn_("narrow", x(), 1, 1, 2))
        gcase("narrow", m_("narrow", x(), 0, -1, 1), note="negative-start")
        gcase("select", fn_("select", x(), 1, -1))
        gcase("select", m_("select", x((2, 3, 2)), 0, 1), note="method")
        gcase("unbind", fn_("unbind", x(), 1), outputs=[0, 1, 2])
        gcase("unbind", m_("unbind", x()), outputs=[1], note="one-used")
        gcase("split", fn_("split", x((4, 3)), 3), outputs=[0, 1])
        gcase("split", m_("split", x((4, 3)), [1, 3]), outputs=[0, 1], note="sizes")
        gcase("split", m_("split", x((2, 5)), 2, 1), outputs=[0, 2], note="dim")
        gcase("chunk", fn_("chunk", x((5, 2)), 3), outputs=[0, 1, 2])
        gcase("chunk", m_("chunk", x((2, 4)), 2, 1), outputs=[1], note="dim")
        gcase("movedim", fn_("movedim", x((2, 3, 2)), 0, 2))
        gcase("movedim", m_("movedim", x((2, 3, 2)), [0, 1], [2, 0]), note="method")
        gcase("diagonal", fn_("diagonal", x((3, 3))))
        gcase("diagonal", m_("diagonal", x((3, 4)), 1), note="offset")
        gcase("diagonal", fn_("diagonal", x((2, 3, 4)), -1, 1, 2), note="dims")
        gcase("clone", fn_("clone", x()))
        gcase("contiguous", m_("contiguous", x()))
        gcase("to", m_("to", x(), D("float64" if d == "float32" else "float32")))
        gcase("to", m_("double" if d == "float32" else "float", x()), note="method")
    for d in ("float32", "float64"):
        gcase("view", m_("view", X(d, [2, 3, 2], "transposed"), 2, 3, 1, 2), note="transposed-view")
        gcase("expand", m_("expand", X(d, [2, 3], "expanded", base=[1, 3]), 4, 2, 3), note="expanded-leaf")


def inplace_cases():
    """In-place ops on non-leaf tensors: y = x.mul(1), then y.op_(...): the graph is rebased onto y."""
    for d in ("float32", "float64"):
        def x(shape=(2, 3), dom="default"):
            return X(d, list(shape), domain=dom)
        y0 = lambda a: m_("mul", a, 1)  # noqa: E731
        gcase("inplace", [y0(x()), m_("add_", R(0), x()), m_("exp_", R(0))], note="add_-exp_")
        gcase("inplace", [y0(x()), m_("mul_", R(0), x((3,)))], note="mul_")
        gcase("inplace", [y0(x()), m_("sub_", R(0), x(), alpha=2)], note="sub_")
        gcase("inplace", [y0(x()), m_("div_", R(0), x(dom="nonzero"))], note="div_")
        gcase("inplace", [y0(x(dom="positive")), m_("pow_", R(0), 2)], note="pow_")
        gcase("inplace", [y0(x(dom="positive")), m_("pow_", R(0), x())], note="pow_-tensor")
        gcase("inplace", [y0(x()), m_("sigmoid_", R(0)), m_("mul", R(0), 3)], note="sigmoid_")
        gcase("inplace", [y0(x()), m_("sigmoid_", R(0)), m_("mul_", R(0), 3)], note="sigmoid_-mul_")
        gcase("inplace", [y0(x()), m_("mul_", R(0), R(0))], note="mul_-self")
        gcase("inplace", [y0(x()), m_("tanh_", R(0)), m_("neg_", R(0))], note="tanh_-neg_")
        gcase("inplace", [y0(x(dom="nonzero")), m_("relu_", R(0))], note="relu_")
        gcase("inplace", [y0(x(dom="positive")), m_("sqrt_", R(0)), m_("log_", R(0))], note="sqrt_-log_")
        gcase("inplace", [y0(x()), m_("clamp_", R(0), -1, 1)], note="clamp_")
        gcase("inplace", [y0(x()), m_("addcmul_", R(0), x(), x(), value=2)], note="addcmul_")
        gcase("inplace", [y0(x()), m_("lerp_", R(0), x(), 0.25)], note="lerp_")
        gcase("inplace", [y0(x()), m_("abs_", R(0)), m_("sin_", R(0))], note="abs_-sin_")
        gcase("inplace", [y0(x()), m_("square_", R(0))], note="square_")
        gcase("inplace", [y0(x()), m_("fill_", R(0), 2)], note="fill_")
        gcase("fill_", [y0(x()), m_("fill_", R(0), X(d, []))], note="tensor-value")
        gcase("copy_", [y0(x()), m_("copy_", R(0), x((3,)))])
        gcase("copy_", [y0(x()), m_("copy_", R(0), X("float64" if d == "float32" else "float32", [2, 3]))],
              note="cast")
        gcase("inplace", [y0(x()), m_("zero_", R(0)), m_("add_", R(0), x())], note="zero_-add_")
        # a value saved for backward and then changed in place is an error; these use the new value
        gcase("inplace", [fn_("exp", x()), m_("mul", R(0), 2), m_("add_", R(1), 1)], note="after-exp")
        # in place through a view of a non-leaf: the base sees it (CopySlices)
        gcase("inplace-view", [y0(x()), m_("narrow", R(0), 1, 0, 2), m_("mul_", R(1), x((2, 2))), m_("mul", R(0), 1)],
              note="narrow-mul_")
        gcase("inplace-view", [y0(x()), m_("select", R(0), 0, 1), m_("fill_", R(1), 0), m_("mul", R(0), 1)],
              note="select-fill_")
        gcase("inplace-view", [y0(x()), m_("t", R(0)), m_("exp_", R(1)), m_("mul", R(0), 1)], note="t-exp_")
        gcase("inplace-view", [y0(x()), m_("select", R(0), 1, 2), m_("copy_", R(1), x((2,)))], note="select-copy_",
              outputs=None)
        gcase("inplace-view", [y0(x()), m_("narrow", R(0), 0, 1, 1), m_("select", R(1), 1, 0), m_("mul_", R(2), 3),
                               m_("sum", R(0), 1)], note="view-of-view")
        gcase("inplace-view", [y0(x()), m_("unsqueeze", R(0), 0), m_("add_", R(1), x((3,))), m_("exp", R(0))],
              note="unsqueeze-add_")
        # a tensor outside the graph takes a value from one in it, through a view
        gcase("inplace-view", [m_("mul", x(), 1), m_("narrow", R(0), 1, 1, 2), m_("copy_", R(1), x((2, 2))), m_("mul", R(0), 2)],
              grads=[False, True], note="into-constant")
        # PyTorch's guard rails
        gcase("inplace-view", [m_("narrow", x(), 1, 0, 1), m_("mul_", R(0), 2)], note="view-of-leaf")
        gcase("inplace", [m_("add_", x(), 1)], note="leaf")
        gcase("inplace", [m_("mul", x(), 2), m_("sin", R(0)), m_("add_", R(0), 1), m_("mul", R(1), 1)],
              note="saved-input-changed")
        other = X(d, [2, 3])
        gcase("inplace", [m_("mul", x(), other), m_("add_", other, 1), m_("mul", R(0), 1)], grads=[True, False],
              note="saved-leaf-changed")
        gcase("inplace", [y0(x()), m_("add_", R(0), X("float64" if d == "float32" else "float32", [2, 3]))],
              note="other-dtype")


def main():
    unary_cases()
    binary_cases()
    ternary_cases()
    reduce_cases()
    linalg_cases()
    view_cases()
    inplace_cases()
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump({"torch": torch.__version__, "generator": "scripts/gen_grad_table_fixtures.py", "cases": CASES}, f,
                  separators=(",", ":"))
        f.write("\n")
    n_gc = sum(1 for c in CASES if c.get("gradcheck"))
    n_ggc = sum(1 for c in CASES if c.get("gradgradcheck"))
    print(f"{len(CASES)} cases ({n_gc} gradcheck, {n_ggc} gradgradcheck), {os.path.getsize(OUT)} bytes -> {OUT}")


if __name__ == "__main__":
    main()
