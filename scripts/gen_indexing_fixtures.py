# SPDX-License-Identifier: BSD-3-Clause
"""Writes test/fixtures/indexing.json: indexing, gather/scatter and join cases with PyTorch's results.

Run with Debian's PyTorch 1.13:  /usr/bin/python3 scripts/gen_indexing_fixtures.py

Each case names a torchts call and its arguments in a JSON form that both sides decode the
same way (test/ops/indexing.test.ts, test/ops/join.test.ts):

  {"tensor": {dtype, shape, values, strided?}}  a tensor: `values` fill a contiguous `shape`,
                                                then `strided` = [size, stride, offset] is applied
                                                with as_strided (transposed, stepped, expanded ...)
  {"slice": [start, stop, step]}                torch.slice(...) / Python's slice
  {"opts": {...}}                               the trailing options object (keywords in Python)
  {"scalar": "nan" | "inf" | "-inf"}            a non-finite number argument
  lists, numbers, strings, booleans, null       as they are ("..." and "a:b:c" strings are
                                                Ellipsis and slices inside `index`)

`call` is "method" (self is the first argument) or "function" (torch.<name>). `expected` is
one encoded tensor, a list of them, or {"error": type, "message": ...}. Values are flat,
row-major: int64 as decimal strings, floats as JSON numbers with "nan"/"inf"/"-inf", bools
as true/false. `view` says whether the result shares storage with self; `unchanged` (in-place
errors) whether self kept its values.
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

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "indexing.json")

DTYPES = {
    "float32": torch.float32, "float64": torch.float64, "float16": torch.float16, "bfloat16": torch.bfloat16,
    "int64": torch.int64, "int32": torch.int32, "int16": torch.int16, "int8": torch.int8, "uint8": torch.uint8,
    "bool": torch.bool,
}
NAMES = {v: k for k, v in DTYPES.items()}




def t(data, dtype="float32"):
    return T(torch.tensor(data, dtype=DTYPES[dtype]))


def rnd(*shape, dtype="float32", low=-5, high=5):
    d = DTYPES[dtype]
    if d == torch.bool:
        return T(torch.rand(*shape) > 0.5)
    if d.is_floating_point:
        return T((torch.randn(*shape) * 3).round(decimals=2).to(d))
    return T(torch.randint(low if d != torch.uint8 else 0, high, shape, dtype=d))


def ar(*shape, dtype="float32"):
    n = 1
    for s in shape:
        n *= s
    return T(torch.arange(n).reshape(shape).to(DTYPES[dtype]))


def transposed(tt, d0=0, d1=1):
    """tt's values laid out transposed: as_strided over the contiguous transpose of tt."""
    base = tt.base.transpose(d0, d1).contiguous()
    st = list(base.stride())
    st[d0], st[d1] = st[d1], st[d0]
    return T(base, (tuple(tt.base.shape), tuple(st), 0))


def stepped(tt, dim=0, step=2, offset=0):
    """tt's values, read with a step along dim from a larger zero-padded base."""
    shape = list(tt.base.shape)
    big = list(shape)
    big[dim] = shape[dim] * step + offset
    base = torch.zeros(big, dtype=tt.base.dtype)
    idx = [slice(None)] * len(shape)
    idx[dim] = slice(offset, offset + shape[dim] * step, step)
    base[tuple(idx)] = tt.base
    st = list(base.stride())
    st[dim] *= step
    return T(base, (tuple(shape), tuple(st), offset * base.stride(dim)))


def expanded(tt, shape):
    """tt (with size-1 dims) expanded to shape: stride 0 on the expanded dims."""
    e = tt.base.expand(*shape)
    return T(tt.base, (tuple(shape), tuple(e.stride()), 0))


class S:
    def __init__(self, start=None, stop=None, step=None):
        self.v = [start, stop, step]


class O:
    def __init__(self, **kw):
        self.kw = kw


def enc_arg(a):
    if isinstance(a, T):
        return a.enc()
    if isinstance(a, S):
        return {"slice": a.v}
    if isinstance(a, O):
        return {"opts": {k: enc_arg(v) for k, v in a.kw.items()}}
    if isinstance(a, (list, tuple)):
        return [enc_arg(x) for x in a]
    if isinstance(a, float) and not math.isfinite(a):
        return {"scalar": enc_value(a, torch.float64)}
    return a


def snake(name):
    return re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), name)


SLICE_RE = re.compile(r"^\s*([+-]?\d+)?\s*:\s*([+-]?\d+)?\s*(?::\s*([+-]?\d+)?\s*)?$")


def dec(a, in_index=False):
    if isinstance(a, T):
        return a.make()
    if isinstance(a, S):
        return slice(*a.v)
    if isinstance(a, (list, tuple)):
        return [dec(x, in_index) for x in a]
    if in_index and isinstance(a, str):
        if a == "...":
            return Ellipsis
        m = SLICE_RE.match(a)
        return slice(*[None if g is None else int(g) for g in m.groups()])
    return a


def decode_call(name, args):
    """The case's arguments as Python positional values and keywords (fresh tensors each time)."""
    kwargs = {}
    if args and isinstance(args[-1], O):
        kwargs = {snake(k): dec(v) for k, v in args[-1].kw.items()}
        args = args[:-1]
    return [dec(a, in_index=(name == "index" and i > 0)) for i, a in enumerate(args)], kwargs


def py_call(call, name, vals, kwargs):
    if name == "index":
        self, items = vals[0], vals[1:]
        return self[items[0]] if len(items) == 1 else self[tuple(items)]
    if name == "indexPut_":
        self, idx, v = vals
        if not isinstance(v, torch.Tensor):
            v = torch.tensor(v, dtype=self.dtype)
        return self.index_put_(tuple(idx), v, **kwargs)
    if name == "indexSelect" and isinstance(vals[2], list):
        vals[2] = torch.tensor(vals[2])
    if call == "method":
        return getattr(vals[0], snake(name))(*vals[1:], **kwargs)
    return getattr(torch, snake(name))(*vals, **kwargs)


def same_values(a, b):
    if a.is_floating_point():
        a, b = torch.nan_to_num(a, nan=1234.5), torch.nan_to_num(b, nan=1234.5)
    return bool(torch.equal(a, b))


CASES = []


def case(group, name, call, fn, *args, desc=""):
    entry = {"group": group, "name": desc or name, "call": call, "fn": fn, "args": enc_arg(list(args))}
    vals, kwargs = decode_call(fn, list(args))
    self = vals[0] if vals and isinstance(vals[0], torch.Tensor) else None
    try:
        res = py_call(call, fn, vals, kwargs)
        if isinstance(res, (list, tuple)):
            entry["expected"] = [enc_tensor(r) for r in res]
        else:
            entry["expected"] = enc_tensor(res)
            if self is not None and res.numel() > 0 and self.numel() > 0:
                entry["view"] = res.storage().data_ptr() == self.storage().data_ptr()
    except Exception as e:  # noqa: BLE001 -- the error is the expected result
        entry["expected"] = {"error": type(e).__name__, "message": str(e)}
        if fn.endswith("_") and call == "method":
            entry["unchanged"] = same_values(self, args[0].make())
    CASES.append(entry)


def M(name, *args, group="indexing", desc=""):
    case(group, name, "method", name, *args, desc=desc)


def I(*args, desc=""):  # noqa: E743
    case("indexing", "index", "method", "index", *args, desc=desc)


def J(name, *args, call="function", desc=""):
    case("join", name, call, name, *args, desc=desc)


def L(*v):
    return t(list(v), "int64")


# ---- basic indexing -----------------------------------------------------------------------------------------
x34 = rnd(3, 4)
y345 = ar(3, 4, 5, dtype="int64")
I(x34, 1, desc="x[1]")
I(x34, -1, desc="x[-1]")
I(x34, ":", 1, desc="x[:, 1]")
I(x34, "1:3", desc="x[1:3]")
I(x34, "::2", desc="x[::2]")
I(x34, "-1:", desc="x[-1:]")
I(ar(7, dtype="int32"), "1:-1:2", desc="x[1:-1:2] int32")
I(x34, S(None, None, 2), S(1, None), desc="x[slice(None,None,2), slice(1,None)]")
I(y345, "...", 1, desc="y[..., 1]")
I(y345, 0, "...", None, desc="y[0, ..., None]")
I(y345, None, ":", None, 2, desc="y[None, :, None, 2]")
I(y345, "...", None, "...", desc="y[..., None, ...]")
I(y345, 0, 1, 2, "...", desc="y[0, 1, 2, ...] (0-dim view)")
I(y345, "5:1", desc="y[5:1] (empty)")
I(y345, "::2", "::3", "-2:", desc="y[::2, ::3, -2:]")
I(transposed(rnd(4, 3)), 1, "1:", desc="transposed x[1, 1:]")
I(stepped(rnd(3, 4, dtype="float64"), 1), ":", "::2", desc="stepped float64 x[:, ::2]")
I(expanded(rnd(1, 4), (3, 4)), 2, desc="expanded x[2]")
I(T(torch.tensor(5.0)), "...", desc="0-dim x[...]")
I(T(torch.tensor(5.0)), None, desc="0-dim x[None]")
I(rnd(3, 4, dtype="float16"), "1:", 2, desc="float16 x[1:, 2]")
I(rnd(3, 4, dtype="bool"), -1, desc="bool x[-1]")
I(y345, T(torch.tensor(1)), desc="y[tensor(1)] (0-dim int64 selects)")
I(y345, 0, T(torch.tensor(2, dtype=torch.int32)), desc="y[0, tensor(2, int32)]")
I(y345, 5, desc="error: y[5]")
I(y345, 0, 5, desc="error: y[0, 5] reports tuple position")
I(y345, None, 5, desc="error: y[None, 5]")
I(y345, "...", 7, desc="error: y[..., 7]")
I(y345, -4, desc="error: y[-4]")
I(y345, 0, 0, 0, 0, desc="error: too many indices")
I(y345, "::-1", desc="error: negative step")
I(y345, "::0", desc="error: zero step")
I(T(torch.tensor(5.0)), 0, desc="error: 0-dim x[0]")
I(T(torch.tensor(5.0)), ":", desc="error: 0-dim x[:]")

# ---- advanced indexing ----------------------------------------------------------------------------------------
I(x34, [0, 2], desc="x[[0, 2]]")
I(x34, [-1, 0, -1], desc="x[[-1, 0, -1]]")
I(x34, ":", [3, 0], desc="x[:, [3, 0]]")
I(x34, [0, 2], "1:", desc="x[[0, 2], 1:]")
I(x34, [0, 2], None, desc="x[[0, 2], None]")
I(x34, None, [0, 2], 1, desc="x[None, [0, 2], 1]")
I(x34, [[0, 1], [1, 2]], desc="x[[[0, 1], [1, 2]]] is a tuple")
I(x34, L([0, 1], [2, 2]), desc="2-D index tensor")
I(x34, [], desc="x[[]]")
I(y345, [0, 2], ":", [1, 3], desc="separated indices go first")
I(y345, ":", [0, 2], [1, 3], desc="adjacent indices stay")
I(y345, [[0], [2]], ":", [1, 3], desc="broadcast separated indices")
I(y345, 1, ":", [1, 3], desc="y[1, :, [1, 3]]")
I(y345, [1], "1:3", [1, 3], desc="y[[1], 1:3, [1, 3]]")
I(y345, "...", [1, 3], desc="y[..., [1, 3]]")
I(y345, L(1, 2), L([0], [3]), desc="two index tensors broadcast")
I(transposed(rnd(5, 4, dtype="float64")), [0, 3], ":", desc="transposed source")
I(stepped(rnd(4, 3, dtype="int32")), [1, 3], [0, 2], desc="stepped int32 source")
I(expanded(rnd(1, 5, dtype="float16"), (3, 5)), ":", [4, 0], desc="expanded float16 source")
I(rnd(4, 3, dtype="bool"), [3, 1], desc="bool source")
I(rnd(4, 3, dtype="uint8", high=200), [3, 1], 2, desc="uint8 source")
I(T(torch.zeros(0, 3)), [], desc="empty source, empty index")
I(T(torch.zeros(2, 0)), [1, 0], desc="source with a zero dim")
I(x34, T(x34.base > 0), desc="x[x > 0]")
I(y345, T(y345.base.sum(2) > 100), desc="2-D mask")
I(y345, ":", [True, False, True, False], desc="bool array on dim 1")
I(y345, T(torch.tensor([1, 0, 1], dtype=torch.uint8)), desc="uint8 mask")
I(y345, T(torch.tensor(True)), desc="0-dim True mask")
I(y345, T(torch.tensor(False)), 0, desc="0-dim False mask")
I(y345, True, desc="x[True]")
I(y345, "0:2", True, [0], desc="x[0:2, True, [0]]")
I(transposed(rnd(4, 3)), T(torch.tensor([True, False, True, True])), desc="mask on transposed source")
I(y345, T(torch.ones(3, 4, dtype=torch.bool)), 0, desc="error: mask then int (PyTorch's dim bookkeeping)")
I(x34, [True, False], desc="error: mask shape")
I(x34, [5], desc="error: index out of bounds")
I(x34, ":", [0, -5], desc="error: index out of bounds on dim 1")
I(x34, [0, 1], [0, 1, 2], desc="error: indices do not broadcast")
I(x34, T(torch.tensor([0], dtype=torch.int32)), desc="error: int32 index tensor")
I(x34, T(torch.tensor([0.0])), desc="error: float index tensor")
I(T(torch.tensor(5.0)), [0], desc="error: 0-dim x[[0]]")

# ---- index_put_ ----------------------------------------------------------------------------------------------
M("indexPut_", x34, [T(x34.base > 0.5)], -1.0, desc="x[mask] = -1")
M("indexPut_", rnd(4, 3, dtype="int64"), [L(0, 2)], t([7, 8, 9], "int64"), desc="x[[0, 2]] = row (broadcast)")
M("indexPut_", rnd(4, 3, dtype="float64"), [L(0, 2), L(1, 1)], t([1.5, 2.5], "float64"), desc="two indices")
M("indexPut_", T(torch.zeros(5, dtype=torch.float64)), [L(0, 0, 4, 0)], t([1.0, 2.0, 3.0, 4.0], "float64"), O(accumulate=True), desc="accumulate duplicates")
M("indexPut_", T(torch.zeros(3, dtype=torch.int32)), [L(0, 0, 2)], T(torch.tensor(5, dtype=torch.int32)), O(accumulate=True), desc="accumulate int32")
M("indexPut_", transposed(rnd(4, 3)), [L(2, 0)], 0.0, desc="transposed destination")
M("indexPut_", rnd(4, dtype="bool"), [L(0, 3)], True, desc="bool destination")
M("indexPut_", rnd(2, 3, dtype="float16"), [T(torch.tensor([[True, False, True], [False, False, True]]))], T(torch.tensor([1.0, 2.0, 3.0], dtype=torch.float16)), desc="float16 mask put")
M("indexPut_", x34, [L(0)], T(torch.tensor(1.0, dtype=torch.float64)), desc="error: value dtype")
M("indexPut_", x34, [L(0, 1)], T(torch.ones(3)), desc="error: value shape")
M("indexPut_", x34, [L(0, 5)], 1.0, desc="error: out of bounds leaves x unchanged")
M("indexPut_", x34, [L(0), L(0), L(0)], 1.0, desc="error: too many indices")
M("indexPut_", x34, [T(torch.tensor([0], dtype=torch.int32))], 1.0, desc="error: int32 index")

# ---- gather / scatter ----------------------------------------------------------------------------------------
M("gather", x34, 0, L([0, 1, 2, 0], [2, 2, 1, 0]))
M("gather", x34, 1, L([3, 0], [1, 1], [0, 2]), desc="gather dim 1, smaller index")
M("gather", transposed(rnd(4, 3, dtype="int64")), -1, L([2, 0, 1], [0, 0, 0]), desc="gather transposed, dim -1")
M("gather", stepped(rnd(3, 4, dtype="float16")), 0, L([2], [0]), desc="gather stepped float16")
M("gather", T(torch.tensor(5.0)), 0, T(torch.tensor(0)), desc="gather 0-dim")
M("gather", x34, 1, T(torch.zeros(3, 0, dtype=torch.long)), desc="gather empty index")
M("gather", x34, 1, L([0, 5]), desc="error: gather out of bounds")
M("gather", x34, 0, L(0, 1), desc="error: gather ndim")
M("gather", x34, 0, T(torch.zeros(1, 1, dtype=torch.int32)), desc="error: gather int32 index")
M("gather", x34, 0, T(torch.zeros(2, 5, dtype=torch.long)), desc="error: gather size")
M("scatter_", T(torch.zeros(3, 5)), 0, L([0, 1, 2, 0, 0], [2, 0, 0, 1, 2]), rnd(2, 5), desc="scatter_ src")
M("scatter_", rnd(3, 4, dtype="int64"), 1, L([0], [3], [1]), 7, desc="scatter_ value")
M("scatter_", rnd(3, 4, dtype="float64"), 1, L([0, 0], [3, 3]), rnd(3, 2, dtype="float64"), O(reduce="add"), desc="scatter_ reduce add")
M("scatter_", T(torch.ones(2, 4)), 1, L([0, 1, 0], [2, 2, 2]), T(torch.tensor([[2.0, 3.0, 4.0], [5.0, 6.0, 7.0]])), O(reduce="multiply"), desc="scatter_ reduce multiply")
M("scatter_", transposed(T(torch.zeros(4, 3))), 0, L([1, 0, 2]), rnd(1, 3), desc="scatter_ into transposed")
M("scatter_", T(torch.zeros(3, 4)), 0, L([0, 5]), rnd(1, 2), desc="error: scatter_ out of bounds")
M("scatter_", T(torch.zeros(3, 4)), 0, T(torch.zeros(1, 1, dtype=torch.int32)), 1.0, desc="error: scatter_ int32 index")
M("scatter_", T(torch.zeros(3, 4)), 0, L([0]), T(torch.ones(1, 1, dtype=torch.float64)), desc="error: scatter_ src dtype")
M("scatter_", T(torch.zeros(3, 4)), 0, T(torch.zeros(2, 5, dtype=torch.long)), T(torch.ones(3, 5)), desc="error: scatter_ index size")
M("scatter_", T(torch.zeros(3, 4)), 0, L([0]), T(torch.ones(1, 1)), O(reduce="max"), desc="error: scatter_ reduce name")
M("scatterAdd_", T(torch.zeros(3)), 0, L(0, 0, 2, 0), t([1.0, 2.0, 3.0, 4.0]), desc="scatterAdd_ duplicates")
M("scatterAdd_", rnd(2, 3, dtype="int32"), 1, L([0, 0], [2, 1]), rnd(2, 2, dtype="int32"), desc="scatterAdd_ int32")
for red in ["sum", "prod", "mean", "amax", "amin"]:
    for inc in [True, False]:
        M("scatterReduce_", t([1.0, 2.0, 3.0, 4.0]), 0, L(0, 0, 2, 2, 3), t([-5.0, -8.0, 6.0, 0.5, 10.0]), red, O(includeSelf=inc),
          desc=f"scatterReduce_ {red} includeSelf={inc}")
M("scatterReduce_", t([1, 2, 3], "int64"), 0, L(0, 0), t([4, 4], "int64"), "mean", desc="scatterReduce_ int mean floors")
M("scatterReduce_", t([1, 2, 3], "int64"), 0, L(0, 0), t([-5, -8], "int64"), "mean", O(includeSelf=False), desc="scatterReduce_ int mean negative")
M("scatterReduce_", t([1.0, 2.0]), 0, L(0), t([1.0]), "max", desc="error: scatterReduce_ reduce name")

# ---- index_select / index_add_ / index_copy_ / index_fill_ --------------------------------------------------
M("indexSelect", x34, 0, L(2, 0, 2))
M("indexSelect", x34, 1, T(torch.tensor([3, 1], dtype=torch.int32)), desc="indexSelect int32 index")
M("indexSelect", transposed(rnd(4, 3, dtype="float16")), 1, L(0), desc="indexSelect transposed float16")
M("indexSelect", x34, 1, T(torch.tensor(2)), desc="indexSelect 0-dim index")
M("indexSelect", x34, 1, [3, 0], desc="indexSelect number array")
M("indexSelect", x34, 0, L(-1), desc="error: indexSelect negative")
M("indexSelect", x34, 0, L(5), desc="error: indexSelect out of range")
M("indexSelect", x34, 0, L([0]), desc="error: indexSelect 2-D index")
M("indexSelect", x34, 0, t([0.0]), desc="error: indexSelect float index")
M("indexAdd_", rnd(3, 4), 0, L(0, 2, 0), rnd(3, 4), desc="indexAdd_ duplicates")
M("indexAdd_", T(torch.zeros(5, dtype=torch.long)), 0, L(0, 0, 4), t([1, 2, 3], "int64"), O(alpha=2), desc="indexAdd_ int64 alpha")
M("indexAdd_", rnd(3, 4, dtype="float64"), 1, T(torch.tensor([3, 1], dtype=torch.int32)), rnd(3, 2, dtype="float64"), O(alpha=-0.5), desc="indexAdd_ int32 index, float alpha")
M("indexAdd_", rnd(3, 4), 1, L(0, 1), T(torch.ones(1, 2)), desc="indexAdd_ broadcast source slices")
M("indexAdd_", transposed(rnd(4, 3)), 0, L(1), rnd(1, 3), desc="indexAdd_ transposed")
M("indexAdd_", rnd(3, 4), 0, L(-1), rnd(1, 4), desc="error: indexAdd_ negative index")
M("indexAdd_", rnd(3, 4), 0, L(0), T(torch.ones(1, 4, dtype=torch.float64)), desc="error: indexAdd_ source dtype")
M("indexAdd_", rnd(3, 4), 0, L(0, 1), rnd(1, 4), desc="error: indexAdd_ index count")
M("indexAdd_", rnd(3, 4), 0, L(0), rnd(1, 5), desc="error: indexAdd_ slice shape")
M("indexCopy_", rnd(3, 4), 1, L(3, 0), rnd(3, 2), desc="indexCopy_ dim 1")
M("indexCopy_", rnd(3, 4, dtype="int32"), 0, L(-1), rnd(1, 4, dtype="int32"), desc="indexCopy_ negative")
M("indexCopy_", rnd(3, 4), 0, T(torch.tensor(1)), rnd(1, 4), desc="indexCopy_ 0-dim index")
M("indexCopy_", rnd(3, 4), 0, L(7), rnd(1, 4), desc="error: indexCopy_ out of bounds")
M("indexCopy_", rnd(3, 4), 0, T(torch.tensor([0], dtype=torch.int32)), rnd(1, 4), desc="error: indexCopy_ int32 index")
M("indexCopy_", rnd(2, 3, 4), 1, L(0), rnd(2, 1, 5), desc="error: indexCopy_ slice shapes")
M("indexFill_", rnd(3, 4), 1, L(-1, 0), -5.0, desc="indexFill_ negative index")
M("indexFill_", rnd(3, 4, dtype="int64"), 0, T(torch.tensor(2)), 2.7, desc="indexFill_ float into int64")
M("indexFill_", rnd(3, 4), 1, L(2), T(torch.tensor(-5, dtype=torch.float64)), desc="indexFill_ tensor value")
M("indexFill_", rnd(3, 4), 0, L(7), 1.0, desc="error: indexFill_ out of bounds")
M("indexFill_", rnd(3, 4), 0, L(0), T(torch.ones(2)), desc="error: indexFill_ 1-D value")

# ---- masked ops, take, take_along_dim, nonzero -----------------------------------------------------------------
mask34 = T(x34.base > 0)
M("maskedFill", x34, mask34, 9.5)
M("maskedFill", rnd(2, 3, dtype="int32"), T(torch.tensor([True, False, True])), 2.7, desc="maskedFill broadcast mask, float into int32")
M("maskedFill", rnd(3), T(torch.tensor([[True, False, True], [False, True, False]])), T(torch.tensor(2.0, dtype=torch.float64)), desc="maskedFill broadcast x, tensor value")
M("maskedFill", rnd(4, dtype="bool"), T(torch.tensor([1, 0, 0, 1], dtype=torch.uint8)), False, desc="maskedFill bool x, uint8 mask")
M("maskedFill_", transposed(rnd(4, 3)), T(torch.tensor([True, False, True])), -1.0, desc="maskedFill_ transposed")
M("maskedFill_", rnd(3), T(torch.ones(2, 3, dtype=torch.bool)), 2.0, desc="error: maskedFill_ mask larger than x")
M("maskedFill", x34, mask34, T(torch.ones(2)), desc="error: maskedFill 1-D value")
M("maskedFill", T(torch.zeros(2, dtype=torch.int32)), T(torch.tensor([True, False])), 2 ** 40, desc="error: maskedFill value overflow")
M("maskedFill", T(torch.zeros(2, dtype=torch.uint8)), T(torch.tensor([True, False])), -1, desc="maskedFill -1 wraps in uint8")
M("maskedFill", T(torch.zeros(2, dtype=torch.int16)), T(torch.tensor([True, False])), float("nan"), desc="error: maskedFill nan into int16")
M("maskedFill", T(torch.zeros(2, dtype=torch.float16)), T(torch.tensor([True, False])), 70000.0, desc="error: maskedFill float16 overflow")
M("maskedSelect", x34, mask34)
M("maskedSelect", rnd(3, dtype="float16"), T(torch.tensor([[True, False, True], [False, True, True]])), desc="maskedSelect broadcast float16")
M("maskedSelect", stepped(rnd(3, 4, dtype="int64"), 1), T(torch.tensor([True, False, True, True])), desc="maskedSelect stepped int64")
M("maskedSelect", T(torch.tensor(3.0)), T(torch.tensor(True)), desc="maskedSelect 0-dim")
M("maskedSelect", x34, T(torch.ones(3, dtype=torch.bool)), desc="error: maskedSelect shapes")
M("maskedSelect", x34, T(torch.ones(4, dtype=torch.int64)), desc="error: maskedSelect int64 mask")
M("maskedScatter_", rnd(3, 4), mask34, ar(12), desc="maskedScatter_")
M("maskedScatter_", rnd(3, 4, dtype="int64"), T(torch.tensor([True, False, True, False])), ar(20, dtype="int64"), desc="maskedScatter_ broadcast mask")
M("maskedScatter_", rnd(3, 4), mask34, ar(2), desc="error: maskedScatter_ too few source elements")
M("maskedScatter_", rnd(3, 4), mask34, ar(12, dtype="float64"), desc="error: maskedScatter_ dtype")
M("take", x34, L([-1, 0], [5, 11]), desc="take 2-D index")
M("take", transposed(rnd(4, 3, dtype="int32")), L(1, 2, 3), desc="take transposed")
M("take", T(torch.tensor(3.0)), L(0), desc="take 0-dim")
M("take", x34, L(12), desc="error: take out of range")
M("take", x34, T(torch.tensor([0], dtype=torch.int32)), desc="error: take int32")
M("take", T(torch.zeros(0)), L(0), desc="error: take from empty")
M("takeAlongDim", x34, L([0], [3], [1]), 1)
M("takeAlongDim", T(torch.arange(6.0).reshape(3, 1, 2)), T(torch.zeros(1, 4, 1, dtype=torch.long)), 2, desc="takeAlongDim broadcast")
M("takeAlongDim", x34, L(0, 11), desc="takeAlongDim flattened")
M("takeAlongDim", x34, L(0), 0, desc="error: takeAlongDim ndim")
M("takeAlongDim", x34, T(torch.zeros(1, 1, dtype=torch.int32)), 0, desc="error: takeAlongDim int32")
M("nonzero", T(torch.tensor([[0.0, 1.5, 0.0], [float("nan"), 0.0, -0.0]])), desc="nonzero with nan and -0")
M("nonzero", rnd(2, 3, 4, dtype="bool"), desc="nonzero bool 3-D")
M("nonzero", transposed(rnd(3, 4, dtype="int32", low=-1, high=2)), desc="nonzero transposed")
M("nonzero", T(torch.tensor(5)), desc="nonzero 0-dim")
M("nonzero", T(torch.zeros(0, 3)), desc="nonzero empty")
M("nonzero", rnd(3, 4, dtype="uint8", high=2), O(asTuple=True), desc="nonzero asTuple")
M("nonzero", T(torch.tensor(0.0)), O(asTuple=True), desc="nonzero asTuple 0-dim")

# ---- join -----------------------------------------------------------------------------------------------------
a23, b23 = rnd(2, 3), rnd(2, 3)
J("cat", [a23, b23])
J("cat", [a23, rnd(2, 1), transposed(rnd(2, 3))], 1, desc="cat dim 1, non-contiguous input")
J("cat", [a23, b23], -1, desc="cat dim -1")
J("cat", [a23, b23], O(dim=1), desc="cat dim in options")
J("cat", [rnd(2, dtype="int32"), rnd(2, dtype="uint8", high=9), rnd(1, dtype="bool")], desc="cat promotes int32/uint8/bool")
J("cat", [rnd(2, dtype="float16"), rnd(3, dtype="int64")], desc="cat promotes float16/int64")
J("cat", [T(torch.tensor([], dtype=torch.float64)), rnd(2, 2, dtype="int64")], desc="cat skips legacy empty, still promotes")
J("cat", [T(torch.tensor([])), T(torch.tensor([], dtype=torch.int64))], desc="cat all legacy empty")
J("cat", [T(torch.zeros(0, 3)), a23], desc="cat (0, 3) with (2, 3)")
J("cat", [expanded(rnd(1, 3, dtype="bool"), (2, 3)), rnd(1, 3, dtype="bool")], desc="cat expanded bool")
J("cat", [], desc="error: cat empty list")
J("cat", [a23, rnd(2, 4)], desc="error: cat sizes")
J("cat", [a23, rnd(3, 3)], 1, desc="error: cat sizes dim 1")
J("cat", [a23, rnd(3)], desc="error: cat ndim")
J("cat", [a23, T(torch.tensor(1.0))], desc="error: cat 0-dim")
J("cat", [a23, b23], 2, desc="error: cat dim out of range")
J("stack", [a23, b23])
J("stack", [a23, b23], 2, desc="stack dim 2")
J("stack", [a23, transposed(rnd(2, 3))], -1, desc="stack dim -1, non-contiguous")
J("stack", [rnd(2, dtype="int32"), rnd(2)], desc="stack promotes")
J("stack", [T(torch.tensor(1)), T(torch.tensor(2))], desc="stack 0-dim")
J("stack", [], desc="error: stack empty")
J("stack", [a23, rnd(3, 2)], desc="error: stack sizes")
J("stack", [a23, b23], 3, desc="error: stack dim")
J("hstack", [rnd(2), rnd(3)])
J("hstack", [T(torch.tensor(1)), L(2, 3)], desc="hstack 0-dim and 1-D")
J("hstack", [a23, rnd(2, 1)], desc="hstack 2-D")
J("vstack", [rnd(3), rnd(3)])
J("vstack", [a23, rnd(3)], desc="vstack 2-D and 1-D")
J("dstack", [rnd(3), rnd(3)])
J("dstack", [a23, b23], desc="dstack 2-D")
J("hstack", [], desc="error: hstack empty")
J("vstack", [], desc="error: vstack empty")
J("dstack", [], desc="error: dstack empty")
J("repeat", a23, 2, 1, 2, call="method", desc="repeat adds a dim")
J("repeat", transposed(rnd(3, 2, dtype="int64")), 1, 3, call="method", desc="repeat transposed")
J("repeat", T(torch.tensor(3)), 2, 2, call="method", desc="repeat 0-dim")
J("repeat", a23, 0, 2, call="method", desc="repeat zero")
J("repeat", a23, 2, call="method", desc="error: repeat too few sizes")
J("repeat", a23, -1, 2, call="method", desc="error: repeat negative")
J("tile", a23, 2, call="method", desc="tile pads dims")
J("tile", rnd(3, dtype="bool"), 2, 1, 2, call="method", desc="tile more dims")
J("tile", a23, -1, call="method", desc="error: tile negative")
J("repeatInterleave", a23, 2, call="method", desc="repeatInterleave flattens")
J("repeatInterleave", a23, 2, 1, call="method", desc="repeatInterleave dim 1")
J("repeatInterleave", rnd(3, 2), L(1, 0, 2), 0, call="method", desc="repeatInterleave tensor repeats")
J("repeatInterleave", rnd(3, 2), T(torch.tensor([2, 1], dtype=torch.int32)), 1, call="method", desc="repeatInterleave int32 repeats")
J("repeatInterleave", rnd(3, 2), L(2), 0, call="method", desc="repeatInterleave one repeat")
J("repeatInterleave", rnd(3, 2), T(torch.tensor(2)), 0, call="method", desc="repeatInterleave 0-dim repeats")
J("repeatInterleave", L(1, 2), L(1, 2), call="method", desc="repeatInterleave tensor, no dim")
J("repeatInterleave", L(1, 2), L(1, 2), 0, O(outputSize=3), call="method", desc="repeatInterleave outputSize")
J("repeatInterleave", T(torch.tensor(3.0)), 3, call="method", desc="repeatInterleave 0-dim x")
J("repeatInterleave", L(3, 0, 2), desc="torch.repeatInterleave(repeats)")
J("repeatInterleave", a23, L(1, 0), 0, call="method", desc="error: repeatInterleave size")
J("repeatInterleave", a23, L(1, -1), 0, call="method", desc="error: repeatInterleave negative")
J("repeatInterleave", a23, t([1.0, 2.0]), 0, call="method", desc="error: repeatInterleave float repeats")
J("repeatInterleave", a23, L([1, 2]), 0, call="method", desc="error: repeatInterleave 2-D repeats")
J("repeatInterleave", a23, -1, call="method", desc="error: repeatInterleave negative number")
J("repeatInterleave", L(1, 2), L(1, 2), 0, O(outputSize=5), call="method", desc="error: repeatInterleave outputSize")
J("flip", rnd(2, 3, 4), 0, 2, call="method", desc="flip dims 0, 2")
J("flip", rnd(3, 4, dtype="int64"), -1, call="method", desc="flip -1")
J("flip", stepped(rnd(3, 4, dtype="float16"), 0), 0, 1, call="method", desc="flip stepped float16")
J("flip", rnd(5, dtype="bool"), 0, call="method", desc="flip bool")
J("flip", T(torch.tensor(2.0)), 0, call="method", desc="flip 0-dim")
J("flip", T(torch.zeros(0, 3)), 0, call="method", desc="flip empty")
J("flip", a23, 0, 0, call="method", desc="error: flip repeated dim")
J("flip", a23, 2, call="method", desc="error: flip dim out of range")
J("fliplr", rnd(3, 4, dtype="uint8", high=200), call="method")
J("flipud", transposed(rnd(3, 4)), call="method", desc="flipud transposed")
J("fliplr", rnd(3), call="method", desc="error: fliplr 1-D")
J("flipud", T(torch.tensor(1)), call="method", desc="error: flipud 0-dim")
J("roll", ar(3, 4), 1, call="method", desc="roll flattened")
J("roll", ar(3, 4, dtype="int32"), [1, -1], [0, 1], call="method", desc="roll two dims")
J("roll", ar(3, 4), 7, 1, call="method", desc="roll more than the size")
J("roll", ar(3, 4), [1, 1], [0, 0], call="method", desc="roll one dim twice")
J("roll", transposed(rnd(4, 3, dtype="float64")), -2, 0, call="method", desc="roll transposed")
J("roll", T(torch.tensor(1.0)), 1, call="method", desc="roll 0-dim")
J("roll", T(torch.zeros(0, 3)), 1, 0, call="method", desc="roll empty")
J("roll", ar(3, 4), [1, 2], 0, call="method", desc="error: roll shifts/dims")
J("roll", T(torch.tensor(1.0)), 1, 0, call="method", desc="error: roll 0-dim with dim")
for k in [1, 2, 3, -1, 0]:
    J("rot90", ar(3, 4), k, call="method", desc=f"rot90 k={k}")
J("rot90", rnd(2, 3, 4, dtype="int64"), 1, [1, 2], call="method", desc="rot90 dims [1, 2]")
J("rot90", ar(3, 4), 1, [0, 1, 2], call="method", desc="error: rot90 three dims")
J("rot90", rnd(3), 1, [0, 1], call="method", desc="error: rot90 1-D")
J("rot90", ar(3, 4), 1, [0, 0], call="method", desc="error: rot90 same dims")
J("rot90", ar(3, 4), 1, [-3, 1], call="method", desc="error: rot90 dim out of range")
J("meshgrid", ar(2), ar(3), desc="meshgrid default ij")
J("meshgrid", ar(2), ar(3), ar(4), O(indexing="xy"), desc="meshgrid xy, three inputs")
J("meshgrid", [T(torch.tensor(1.0)), rnd(3)], O(indexing="ij"), desc="meshgrid array, 0-dim input")
J("meshgrid", ar(2), ar(3, dtype="int64"), desc="error: meshgrid dtypes")
J("meshgrid", ar(2), ar(3), O(indexing="ab"), desc="error: meshgrid indexing")
J("broadcastTensors", rnd(3, 1), rnd(4, dtype="int64"), desc="broadcastTensors")
J("broadcastTensors", rnd(1), rnd(2, 1, 3), T(torch.tensor(1.0)), desc="broadcastTensors three")
J("broadcastTensors", rnd(3, 2), rnd(4), desc="error: broadcastTensors")

if __name__ == "__main__":
    doc = {"torch": torch.__version__, "seed": 0, "cases": CASES}
    with open(OUT, "w") as f:
        json.dump(doc, f, separators=(",", ":"), allow_nan=False)
        f.write("\n")
    groups = {}
    for c in CASES:
        groups[c["group"]] = groups.get(c["group"], 0) + 1
    print(f"wrote {len(CASES)} cases to {os.path.relpath(OUT)}: {groups}")
