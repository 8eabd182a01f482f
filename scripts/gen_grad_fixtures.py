# SPDX-License-Identifier: BSD-3-Clause
"""Writes test/fixtures/grad-indexing.json: gradients of the indexing, scatter, join, sorting and
matrix ops from PyTorch, with the grad_fn names PyTorch prints.

Run with Debian's PyTorch 1.13:  /usr/bin/python3 scripts/gen_grad_fixtures.py

A case names a torchts call (`call` "method": self is the first argument, or "function":
torch.<fn>) and its arguments, encoded as in scripts/gen_indexing_fixtures.py:

  {"tensor": {dtype, shape, values, strided?}}   a tensor; `strided` = [size, stride, offset]
                                                 applied with as_strided (non-contiguous inputs)
  {"opts": {...}}                                the trailing options object (Python keywords)
  lists, numbers, strings, null                  as they are ("a:b" strings are slices in `index`)

`grad` lists the paths (argument index, then list index) of the tensors that require grad; they
are the leaves whose gradients are compared. `prep` "clone" makes the call's self a clone of the
argument, so in-place ops act on a non-leaf (or a fresh constant) each call. `output` picks the differentiated
output ("values" of a (values, indices) result). `gradOutput` is the upstream gradient;
`expected` holds PyTorch's grad_fn name of the output and the gradient of each `grad` leaf (null:
unused). (Where PyTorch's backward fails, a src larger than the index of scatter and friends or
index_add's broadcast source slices,
test/autograd/indexing-grad.test.ts checks the gradient by gradcheck alone.) `gradcheck` false marks cases whose gradient is a convention at a non-differentiable
point (ties, duplicate writes), checked against PyTorch only. `composite` marks ops built from
other ops (kron, einsum, tensordot), whose last node's name is an implementation detail.
"""
import json
import math
import os
import re
import warnings

import torch

from fixture_encoding import T, enc_tensor, enc_value  # noqa: E402  (beside this script)

warnings.filterwarnings("ignore")
torch.manual_seed(0)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "grad-indexing.json")

DTYPES = {"float32": torch.float32, "float64": torch.float64, "int64": torch.int64, "int32": torch.int32, "bool": torch.bool}
NAMES = {v: k for k, v in DTYPES.items()}




class O:
    def __init__(self, **kw):
        self.kw = kw


def rnd(*shape):
    return T(torch.randn(*shape, dtype=torch.float64))


def ints(*data):
    return T(torch.tensor(list(data) if len(data) != 1 or not isinstance(data[0], list) else data[0]))


def L(*rows):
    """An int64 index tensor."""
    return T(torch.tensor(rows[0] if len(rows) == 1 and isinstance(rows[0], list) else list(rows), dtype=torch.int64))


def mask(data):
    return T(torch.tensor(data, dtype=torch.bool))


def transposed(tt, d0=0, d1=1):
    """tt's values laid out transposed: as_strided over the contiguous transpose of tt."""
    base = tt.base.transpose(d0, d1).contiguous()
    st = list(base.stride())
    st[d0], st[d1] = st[d1], st[d0]
    return T(base, (tuple(tt.base.shape), tuple(st), 0))


def stepped(tt, dim=0, step=2):
    """tt's values, read with a step along dim from a larger zero-padded base."""
    shape = list(tt.base.shape)
    big = list(shape)
    big[dim] = shape[dim] * step
    base = torch.zeros(big, dtype=tt.base.dtype)
    idx = [slice(None)] * len(shape)
    idx[dim] = slice(0, shape[dim] * step, step)
    base[tuple(idx)] = tt.base
    st = list(base.stride())
    st[dim] *= step
    return T(base, (tuple(shape), tuple(st), 0))


def snake(name):
    return re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), name)


SLICE_RE = re.compile(r"^\s*([+-]?\d+)?\s*:\s*([+-]?\d+)?\s*(?::\s*([+-]?\d+)?\s*)?$")


def dec(a, leaves, path, in_index=False, contiguous=False):
    if isinstance(a, T):
        t = a.make()
        if contiguous:
            t = t.contiguous()
        if tuple(path) in leaves:
            t.requires_grad_(True)
            leaves[tuple(path)] = t
        return t
    if isinstance(a, list):
        return [dec(x, leaves, path + [i], in_index, contiguous) for i, x in enumerate(a)]
    if in_index and isinstance(a, str):
        if a == "...":
            return Ellipsis
        m = SLICE_RE.match(a)
        return slice(*[None if g is None else int(g) for g in m.groups()])
    return a


def py_call(call, name, vals, kwargs):
    if name == "index":
        self, items = vals[0], vals[1:]
        return self[items[0]] if len(items) == 1 else self[tuple(items)]
    if name in ("indexPut", "indexPut_"):
        self, idx, v = vals
        if not isinstance(v, torch.Tensor):
            v = torch.tensor(v, dtype=self.dtype)
        # torch.ops.aten takes None indices (full slices), which Tensor.index_put does not
        op = torch.ops.aten.index_put if name == "indexPut" else torch.ops.aten.index_put_
        return op(self, list(idx), v, kwargs.get("accumulate", False))
    if call == "method":
        return getattr(vals[0], snake(name))(*vals[1:], **kwargs)
    return getattr(torch, snake(name))(*vals, **kwargs)


CASES = []


def case(call, fn, *args, grad=((0,),), output=None, prep=None, gradcheck=True, composite=False, py_contiguous=False,
         desc=None):
    args = list(args)
    kwargs = {}
    if args and isinstance(args[-1], O):
        kwargs = {snake(k): v for k, v in args[-1].kw.items()}
    leaves = {tuple(p): None for p in grad}
    plain = args[:-1] if args and isinstance(args[-1], O) else args
    vals = [dec(a, leaves, [i], in_index=(fn == "index" and i > 0), contiguous=py_contiguous) for i, a in enumerate(plain)]
    if prep == "clone":
        vals[0] = vals[0].clone()
    out = py_call(call, fn, vals, kwargs)
    if output == "values":
        out = out.values
    elif isinstance(output, int):
        out = out[output]
    g = torch.randn(out.shape, dtype=out.dtype)
    inputs = [leaves[tuple(p)] for p in grad]
    grads = torch.autograd.grad(out, inputs, g, allow_unused=True)
    CASES.append({
        "name": desc or f"{fn}",
        "call": call, "fn": fn,
        "args": [enc_arg(a) for a in args],
        "grad": [list(p) for p in grad],
        **({"prep": prep} if prep else {}),
        **({"output": output} if output is not None else {}),
        **({} if gradcheck else {"gradcheck": False}),
        **({"composite": True} if composite else {}),
        "gradOutput": enc_tensor(g),
        "expected": {"gradFn": out.grad_fn.name(), "grads": [None if x is None else enc_tensor(x) for x in grads]},
    })


def enc_arg(a):
    if isinstance(a, T):
        return a.enc()
    if isinstance(a, O):
        return {"opts": {k: enc_arg(v) for k, v in a.kw.items()}}
    if isinstance(a, (list, tuple)):
        return [enc_arg(x) for x in a]
    return a


def M(fn, *args, **kw):
    case("method", fn, *args, **kw)


def F(fn, *args, **kw):
    case("function", fn, *args, **kw)


x43 = rnd(4, 3)
x34 = rnd(3, 4)
m34 = mask([[True, False, False, True], [False, True, False, False], [True, True, False, False]])

# ---- advanced indexing ----------------------------------------------------------------------------------------
M("index", x43, [0, 2, 0], desc="x[[0, 2, 0]] (repeated rows accumulate)")
M("index", x43, ":", [1, 1, 2], desc="x[:, [1, 1, 2]]")
M("index", x43, mask([[True, False, True], [False, False, True], [True, True, False], [False, True, False]]), desc="x[mask]")
M("index", x43, [0, 1, 0], [2, 0, 2], desc="x[[0, 1, 0], [2, 0, 2]] (two indices)")
M("index", transposed(rnd(4, 3)), [3, 3, 1], desc="x[[3, 3, 1]] on a transposed x")
M("index", stepped(rnd(4, 3), 1), L([[0, 1], [1, 1]]), ":", desc="x[2-D index, :] on a stepped x")
M("index", rnd(2, 3, 4), ":", L(2, 0, 2), L(1, 1, 3), desc="x[:, i, j] (adjacent indices)")
M("index", rnd(2, 3, 4), L(1, 0), ":", L(3, 3), desc="x[i, :, j] (separated indices)")
M("index", x43, 1, [0, 2, 2], desc="x[1, [0, 2, 2]] (select, then index)")
M("index", x43, "...", desc="x[...] (alias)")
M("take", x34, L([[0, 11], [-1, 5], [0, 0]]), desc="take with negative and repeated indices")
M("take", transposed(rnd(3, 4)), L(1, 1, 7), desc="take from a transposed x")
M("gather", x34, 1, L([[0, 0, 3], [1, 2, 1], [3, 3, 3]]), desc="gather dim 1, repeated indices")
M("gather", transposed(rnd(3, 4)), 0, L([[2, 0, 1, 2], [2, 2, 0, 1]]), desc="gather dim 0, transposed x")
M("gather", rnd(3, 4), 1, L([[1], [0]]), desc="gather with an index smaller than x")
M("indexSelect", x34, 0, L(2, 0, 2), desc="indexSelect dim 0, repeated")
M("indexSelect", transposed(rnd(3, 4)), 1, L(3, 1, 3, 3), desc="indexSelect dim 1, transposed x")
M("indexSelect", x34, 1, T(torch.tensor([1, 1], dtype=torch.int32)), desc="indexSelect int32 index")
M("takeAlongDim", x34, L([[0], [3], [1]]), 1, desc="takeAlongDim dim 1 (broadcast index)")
M("takeAlongDim", x34, L(5, 5, 0), desc="takeAlongDim flattened")
M("maskedSelect", x34, mask([[True, False, False, True], [False, False, False, False], [True, True, True, False]]), desc="maskedSelect")
# PyTorch 1.13's masked_select backward scatters in memory order, wrong for a non-contiguous input:
# its gradient is taken on a contiguous copy (the same values), torchts's on the strided input
M("maskedSelect", transposed(rnd(3, 4)), mask([[True], [False], [True]]), py_contiguous=True,
  desc="maskedSelect, broadcast mask, transposed x")
M("maskedSelect", transposed(rnd(3, 4)), m34, py_contiguous=True, desc="maskedSelect, transposed x")
M("maskedSelect", rnd(1, 4), mask([[True, False, True, True], [False, True, False, True]]), desc="maskedSelect, x broadcast to the mask")

# ---- masked and index_* writes --------------------------------------------------------------------------------
M("maskedFill", x34, m34, 2.5, desc="maskedFill scalar")
M("maskedFill", x34, m34, T(torch.tensor(0.5, dtype=torch.float64)), grad=((0,), (2,)), desc="maskedFill tensor value")
M("maskedFill", rnd(1, 4), m34, -1.0, desc="maskedFill, x broadcast to the mask")
M("maskedFill_", x34, m34, T(torch.tensor(0.5, dtype=torch.float64)), grad=((0,), (2,)), prep="clone", desc="maskedFill_ on a clone")
M("maskedFill_", T(torch.zeros(3, 4, dtype=torch.float64)), m34, T(torch.tensor(0.5, dtype=torch.float64)), grad=((2,),), prep="clone", desc="maskedFill_ value into a constant")
M("maskedScatter", x34, m34, rnd(6), grad=((0,), (2,)), desc="maskedScatter, source larger than the mask count")
M("maskedScatter", transposed(rnd(3, 4)), mask([[True], [False], [True]]), rnd(2, 4), grad=((0,), (2,)), desc="maskedScatter broadcast mask, transposed x")
M("maskedScatter_", x34, m34, rnd(5), grad=((0,), (2,)), prep="clone", desc="maskedScatter_ on a clone")
M("scatter", x34, 0, L([[2, 0, 1, 0]]), rnd(1, 4), grad=((0,), (3,)), desc="scatter src")
M("scatter", x34, 1, L([[1, 1], [0, 2], [3, 3]]), rnd(3, 2), grad=((0,), (3,)), gradcheck=False, desc="scatter with repeated indices")
M("scatter", x34, 0, L([[2, 0, 1, 0]]), 1.5, desc="scatter value")
M("scatter_", x34, 1, L([[0], [2], [1]]), rnd(3, 1), grad=((0,), (3,)), prep="clone", desc="scatter_ on a clone")
M("scatterAdd", x34, 1, L([[0, 0, 3], [1, 1, 1], [2, 0, 2]]), rnd(3, 3), grad=((0,), (3,)), desc="scatterAdd repeated indices")
M("scatterAdd", transposed(rnd(3, 4)), 0, L([[2, 2, 0, 1]]), rnd(1, 4), grad=((0,), (3,)), desc="scatterAdd, transposed x")
M("scatterAdd_", T(torch.zeros(3, 4, dtype=torch.float64)), 1, L([[0, 0], [1, 3], [2, 2]]), rnd(3, 2), grad=((3,),), prep="clone", desc="scatterAdd_ src into a constant")
sr_idx = L([[0, 1, 0, 1], [2, 2, 0, 0]])
for reduce in ["sum", "mean", "prod", "amax", "amin"]:
    for inc in [True, False]:
        M("scatterReduce", x34, 0, sr_idx, rnd(2, 4), reduce, O(includeSelf=inc), grad=((0,), (3,)),
          desc=f"scatterReduce {reduce} includeSelf={inc}")
M("scatterReduce", x34, 0, sr_idx, T(torch.tensor([[1.0, 0.0, 2.0, 0.0], [0.0, 3.0, -1.0, 0.0]], dtype=torch.float64)), "prod",
  grad=((0,), (3,)), gradcheck=False, desc="scatterReduce prod with zeros in src")
M("scatterReduce", T(torch.tensor([[1.0, 5.0], [2.0, 0.0]], dtype=torch.float64)), 0, L([[0, 0], [0, 0]]),
  T(torch.tensor([[5.0, 5.0], [1.0, 5.0]], dtype=torch.float64)), "amax", grad=((0,), (3,)), gradcheck=False,
  desc="scatterReduce amax ties share the gradient")
M("scatterReduce_", x34, 0, sr_idx, rnd(2, 4), "amin", grad=((0,), (3,)), prep="clone", desc="scatterReduce_ on a clone")
M("indexAdd", x34, 0, L(2, 0, 2), rnd(3, 4), grad=((0,), (3,)), desc="indexAdd repeated indices")
M("indexAdd", x34, 1, L(3, 0), rnd(3, 2), O(alpha=-2.0), grad=((0,), (3,)), desc="indexAdd alpha")
M("indexAdd", transposed(rnd(3, 4)), 1, L(1, 1), rnd(3, 2), grad=((0,), (3,)), desc="indexAdd repeated, transposed x")
M("indexAdd_", x34, 0, L(1), rnd(1, 4), grad=((0,), (3,)), prep="clone", desc="indexAdd_ on a clone")
M("indexCopy", x34, 1, L(3, 0), rnd(3, 2), grad=((0,), (3,)), desc="indexCopy")
M("indexCopy_", x34, 0, L(2, 1), rnd(2, 4), grad=((0,), (3,)), prep="clone", desc="indexCopy_ on a clone")
M("indexFill", x34, 1, L(1, 3, 1), -1.0, desc="indexFill scalar")
M("indexFill", x34, 0, L(2, 0, 2), T(torch.tensor(0.25, dtype=torch.float64)), grad=((0,), (3,)), desc="indexFill tensor value, repeated indices")
M("indexFill_", x34, 1, L(0), 3.0, prep="clone", desc="indexFill_ on a clone")
M("indexPut", x34, [L(0, 2, 0)], rnd(3, 4), O(accumulate=True), grad=((0,), (2,)), desc="indexPut accumulate, repeated")
M("indexPut", x34, [L(0, 2), L(1, 3)], rnd(2), grad=((0,), (2,)), desc="indexPut two indices")
M("indexPut", x34, [None, L(3, 1)], rnd(3, 1), grad=((0,), (2,)), desc="indexPut null index, values broadcast")
M("indexPut", x34, [m34], T(torch.tensor(0.5, dtype=torch.float64)), grad=((0,), (2,)), desc="indexPut mask, 0-dim value")
M("indexPut", x34, [m34], rnd(5), grad=((0,), (2,)), desc="indexPut mask, values")
M("indexPut", x34, [L(1, 1)], rnd(2, 4), grad=((0,), (2,)), gradcheck=False, desc="indexPut repeated without accumulate")
M("indexPut_", x34, [L(2, 0)], rnd(4), grad=((0,), (2,)), prep="clone", desc="indexPut_ on a clone")
M("indexPut_", T(torch.zeros(3, 4, dtype=torch.float64)), [L(2, 2)], rnd(4), O(accumulate=True), grad=((2,),), prep="clone", desc="indexPut_ values into a constant")

# ---- joining and rearranging ------------------------------------------------------------------------------------
F("cat", [rnd(2, 3), rnd(1, 3), transposed(rnd(3, 3))], grad=((0, 0), (0, 1), (0, 2)), desc="cat dim 0")
F("cat", [rnd(2, 3), stepped(rnd(2, 2), 1)], 1, grad=((0, 0), (0, 1)), desc="cat dim 1, stepped input")
F("cat", [rnd(2, 3), T(torch.zeros(0, dtype=torch.float64)), rnd(1, 3)], grad=((0, 0), (0, 1), (0, 2)), desc="cat with a legacy empty tensor")
F("concat", [rnd(2), rnd(3)], -1, grad=((0, 0), (0, 1)), desc="concat")
F("stack", [rnd(2, 3), transposed(rnd(2, 3)), rnd(2, 3)], 1, grad=((0, 0), (0, 1), (0, 2)), desc="stack dim 1")
F("hstack", [rnd(2), rnd(3)], grad=((0, 0), (0, 1)), desc="hstack 1-D")
F("hstack", [rnd(2, 1), rnd(2, 2)], grad=((0, 0), (0, 1)), desc="hstack 2-D")
F("vstack", [rnd(2, 3), rnd(1, 3)], grad=((0, 0), (0, 1)), desc="vstack 2-D")
F("vstack", [rnd(3), rnd(3)], grad=((0, 0), (0, 1)), desc="vstack 1-D")
F("dstack", [rnd(2, 3), rnd(2, 3)], grad=((0, 0), (0, 1)), desc="dstack 2-D")
M("repeat", rnd(2, 3), [2, 1, 2], desc="repeat adding a dim")
M("repeat", transposed(rnd(2, 3)), [1, 3], desc="repeat transposed")
M("tile", rnd(2, 3), [2], desc="tile")
M("repeatInterleave", rnd(2, 3), 2, 0, desc="repeatInterleave scalar, dim 0")
M("repeatInterleave", transposed(rnd(2, 3)), L(1, 0, 3), 1, desc="repeatInterleave tensor repeats, dim 1")
M("repeatInterleave", rnd(2, 3), 2, desc="repeatInterleave flattened")
M("flip", rnd(2, 3, 4), [0, 2], desc="flip")
M("flip", transposed(rnd(3, 4)), [1], desc="flip transposed")
M("fliplr", rnd(3, 4), desc="fliplr")
M("flipud", rnd(3, 4), desc="flipud")
M("roll", rnd(3, 4), [1, -2], [0, 1], desc="roll two dims")
M("roll", transposed(rnd(3, 4)), 5, desc="roll flattened, transposed")
M("roll", rnd(3, 4), 1, 1, desc="roll one dim")
for k in [1, 2, 3, -1]:
    M("rot90", rnd(3, 4), k, [0, 1], desc=f"rot90 k={k}")
M("rot90", rnd(2, 3, 4), 1, [2, 1], desc="rot90 dims [2, 1]")

# ---- sorting and selection --------------------------------------------------------------------------------------
M("sort", rnd(3, 4), 0, True, output="values", desc="sort dim 0 descending")
M("sort", transposed(rnd(3, 4)), output="values", desc="sort last dim, transposed")
M("msort", rnd(4, 3), desc="msort")
M("topk", rnd(3, 5), 2, 1, output="values", desc="topk k=2")
M("topk", rnd(5, 3), 3, 0, False, False, output="values", desc="topk smallest, unsorted")
M("kthvalue", rnd(3, 5), 2, 1, output="values", desc="kthvalue")
M("kthvalue", transposed(rnd(5, 3)), 4, 0, O(keepdim=True), output="values", desc="kthvalue keepdim, transposed")
M("median", rnd(3, 5), desc="median full")
M("median", T(torch.tensor([[1.0, 2.0, 2.0], [3.0, 2.0, 0.0]], dtype=torch.float64)), gradcheck=False, desc="median full, tied values share the gradient")
M("median", rnd(3, 4), 1, output="values", desc="median dim 1")
M("median", transposed(rnd(4, 3)), 0, O(keepdim=True), output="values", desc="median dim 0 keepdim, transposed")
M("nanmedian", T(torch.tensor([1.0, float("nan"), 3.0, 0.5], dtype=torch.float64)), gradcheck=False, desc="nanmedian full with NaN")
M("nanmedian", rnd(3, 5), 1, output="values", desc="nanmedian dim 1")
M("mode", T(torch.tensor([[1.0, 2.0, 2.0, 3.0], [0.0, 0.0, 1.0, 1.0]], dtype=torch.float64)), 1, output="values", gradcheck=False, desc="mode")

# ---- matrix helpers ---------------------------------------------------------------------------------------------
M("trace", rnd(3, 4), desc="trace")
M("trace", transposed(rnd(4, 3)), desc="trace transposed")
M("tril", rnd(3, 4), 1, desc="tril diagonal 1")
M("triu", transposed(rnd(4, 3)), -1, desc="triu diagonal -1, transposed")
M("tril", rnd(2, 3, 3), desc="tril batched")
F("kron", rnd(2, 3), rnd(2, 2), grad=((0,), (1,)), composite=True, desc="kron")
F("einsum", "ij,jk->ik", rnd(2, 3), transposed(rnd(3, 4)), grad=((1,), (2,)), composite=True, desc="einsum matmul")
F("einsum", "ii->i", rnd(3, 3), grad=((1,),), composite=True, desc="einsum diagonal")
F("einsum", "bij,bkj->bik", rnd(2, 2, 3), rnd(2, 4, 3), grad=((1,), (2,)), composite=True, desc="einsum batched")
F("tensordot", rnd(2, 3, 4), rnd(4, 3, 2), [[1, 2], [1, 0]], grad=((0,), (1,)), composite=True, desc="tensordot")

with open(OUT, "w") as f:
    json.dump({"torch": torch.__version__, "seed": 0, "cases": CASES}, f, separators=(",", ":"))
print(f"wrote {len(CASES)} cases to {os.path.relpath(OUT)}")
