# SPDX-License-Identifier: BSD-3-Clause
"""Writes test/fixtures/ops.json and test/fixtures/promotion.json: the op table (our OpInfo).

Run with Debian's PyTorch 1.13:  /usr/bin/python3 scripts/gen_op_fixtures.py

Every case says how torchts calls the op and what real PyTorch returned for the same call:

  id        unique: "<fn>/<call>/<input dtypes>/<layout>[/<note>] (<other arguments>)"
  op        the family row it belongs to (the TS name, e.g. "add", "var")
  call      "function" (torch.fn(...args)), "method" (args[0].fn(...args[1:])) or "getter" (args[0].fn)
  fn        the TS name (camelCase, trailing "_" for in-place)
  args      positional arguments; kwargs (camelCase keys) become one options object at the end
  inputs    tensors the arguments refer to as {"$t": i}: dtype, shape, layout and the flat storage
            data the layout is built from (see make_input, mirrored by test/helpers.ts)
  expect    {"kind": "tensor" | "tensors" | "scalar" | "list" | "error", ...}
  ref       how the reference was made when it is not the plain PyTorch 1.13 call (below)
  xfail     a reason, when torchts cannot match PyTorch yet (the test then expects a failure,
            and fails on an unexpected pass so the table stays true)

Values: floats as JSON numbers (shortest text that rounds back to the dtype), with "nan",
"inf", "-inf" and "-0" as strings; int64 always as decimal strings; other integers as
numbers; bool as true/false. Arguments: {"$t": i} input i, {"$n": "nan"} a float, {"$big": "123"}
an int64 (a bigint in TS), {"$dtype": "float32"} a dtype, {"$typed": "Float32Array", "values": [...]}
a typed array (TS only; a numpy array in Python); any other object is an options object.

Inputs are rebuilt from the emitted JSON values on both sides (double -> dtype), so PyTorch and
torchts see bit-identical inputs. Every call runs twice and must give the same result.

References that are not the plain call ("ref"):
  "float32"                 float16/bfloat16 computed in float32 and rounded once, where PyTorch 1.13
                            has no CPU kernel for the dtype ("not implemented for 'Half'") or rounds
                            every intermediate step to the half type and lands outside assert_close's
                            tolerance of the float32 result. torchts computes half types in float32
                            and rounds once, as PyTorch 2 does.
  "scalar as 0-dim tensor"  the Python binding refuses a number where torchts takes one (atan2(x, 2));
                            a number promotes like a 0-dim tensor of its default dtype, so that is
                            the reference.
Calls only the Python argument parser rejects are left out (listed when the script runs).
"""
import json
import math
import os
import re
import warnings

import numpy as np
import torch

warnings.filterwarnings("ignore")
torch.manual_seed(0)
RNG = np.random.default_rng(0)

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OUT = os.path.join(ROOT, "test", "fixtures", "ops.json")
OUT_PROMOTION = os.path.join(ROOT, "test", "fixtures", "promotion.json")
REFERENCE = os.path.join(ROOT, "..", "shared", "reference", "checkpoint-fixtures", "torch113_reference_outputs.txt")

DT = {
    "bool": torch.bool, "uint8": torch.uint8, "int8": torch.int8, "int16": torch.int16, "int32": torch.int32,
    "int64": torch.int64, "float16": torch.float16, "bfloat16": torch.bfloat16, "float32": torch.float32,
    "float64": torch.float64,
}
NAME = {v: k for k, v in DT.items()}
ALL = list(DT)
FLOATS = ["float32", "float64", "float16", "bfloat16"]
INTS = ["uint8", "int8", "int16", "int32", "int64"]

# ---- values ------------------------------------------------------------------------------------


def bf16_round(x):
    """double -> float32 -> bfloat16 (round to nearest even), as torch.tensor(..., dtype=bfloat16)."""
    f = np.array([x], dtype=np.float32)
    u = int(f.view(np.uint32)[0])
    if (u & 0x7FFFFFFF) > 0x7F800000:
        return float("nan")
    u = (u + 0x7FFF + ((u >> 16) & 1)) & 0xFFFF0000
    return float(np.array([u], dtype=np.uint32).view(np.float32)[0])


def shortest(v, dtype):
    """The shortest decimal (as a float) that rounds back to v in `dtype`."""
    if dtype == "float64":
        return v
    if dtype == "float32":
        return float(str(np.float32(v)))
    if dtype == "float16":
        return float(str(np.float16(v)))
    for p in range(1, 18):
        s = float(f"{v:.{p}g}")
        if bf16_round(s) == v:
            return s
    return v


def enc(v, dtype):
    """One element (a Python value of a tensor of `dtype`) as JSON."""
    if dtype == "bool":
        return bool(v)
    if dtype == "int64":
        return str(int(v))
    if dtype in INTS:
        return int(v)
    v = float(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    if v == 0:
        return "-0" if math.copysign(1, v) < 0 else 0
    s = shortest(v, dtype)
    return int(s) if s == int(s) and abs(s) < 2**53 else s


SPECIALS = {"nan": float("nan"), "inf": float("inf"), "-inf": float("-inf"), "-0": -0.0}


def dec(v):
    """JSON element -> Python value (what the TS side passes to torch.tensor)."""
    if isinstance(v, str):
        return SPECIALS[v] if v in SPECIALS else int(v)
    return v


def flat(t):
    return t.reshape(-1).tolist() if t.dtype != torch.bfloat16 else t.float().reshape(-1).tolist()


def enc_tensor_values(t):
    d = NAME[t.dtype]
    return [enc(v, d) for v in flat(t.detach())]


def from_values(values, dtype, shape):
    """torch.tensor(values, dtype).reshape(shape): exactly how test/helpers.ts builds storages."""
    return torch.tensor([dec(v) for v in values], dtype=DT[dtype]).reshape(shape)


def random_values(dtype, n, domain):
    if dtype == "bool":
        return list(RNG.random(n) < 0.5)
    if dtype in INTS:
        lo, hi = {"uint8": (0, 12), "int8": (-8, 8)}.get(dtype, (-9, 10))
        if domain == "nonzero":
            vals = RNG.integers(1, 6, n) * RNG.choice([-1, 1] if dtype != "uint8" else [1], n)
            return [int(v) for v in vals]
        if domain == "small":
            lo, hi = 0, 4
        if domain in ("positive", "ge1"):
            lo = 1
        return [int(v) for v in RNG.integers(lo, hi, n)]
    lo, hi = {"default": (-3, 3), "positive": (0.1, 4), "unit": (-0.95, 0.95), "ge1": (1, 4),
              "small": (0, 3), "nonzero": (0.5, 3), "log1p": (-0.9, 3)}[domain]
    vals = np.round(RNG.uniform(lo, hi, n), 2)
    if domain == "nonzero":
        vals = vals * RNG.choice([-1, 1], n)
    return [float(v) for v in vals]


FILLER = {"bool": True, "float16": float("nan"), "bfloat16": float("nan"), "float32": float("nan"),
          "float64": float("nan")}


class T:
    """An input tensor, defined in logical values; `layout` decides how its storage is laid out.

    contiguous: torch.tensor(data).reshape(shape)
    transposed: torch.tensor(data).reshape(shape with the last two dims swapped).transpose(-1, -2)
    sliced:     torch.tensor(data).reshape([*shape, 2]).select(-1, 1)   (stride 2, storage offset 1)
    expanded:   torch.tensor(data).reshape(base).expand(shape)          (stride 0 on broadcast dims)
    """

    def __init__(self, dtype, shape, values=None, layout="contiguous", domain="default", base=None):
        self.dtype, self.shape, self.layout = dtype, list(shape), layout
        if layout == "expanded":
            self.base = list(base) if base is not None else [1] + list(shape[1:])
            n = int(np.prod(self.base))
        else:
            self.base = None
            n = int(np.prod(shape))
        if values is None:
            values = random_values(dtype, n, domain)
        assert len(values) == n, (values, shape)
        # round-trip through the JSON encoding so both sides build the same bits
        self.logical_json = [enc(v, dtype) if not isinstance(v, str) else v for v in
                             [float(x) if dtype in FLOATS and not isinstance(x, str) else x for x in values]]
        self.spec = self._spec()

    def _spec(self):
        d, s = self.dtype, self.shape
        if self.layout == "contiguous":
            return {"dtype": d, "shape": s, "layout": "contiguous", "data": self.logical_json}
        if self.layout == "expanded":
            return {"dtype": d, "shape": s, "layout": "expanded", "base": self.base, "data": self.logical_json}
        logical = from_values(self.logical_json, d, s)
        if self.layout == "transposed":
            assert len(s) >= 2
            base = logical.transpose(-1, -2).contiguous()
        elif self.layout == "sliced":
            filler = FILLER.get(d, 7)
            base = torch.stack([torch.full(s, filler, dtype=DT[d]), logical], -1)
        else:
            raise ValueError(self.layout)
        return {"dtype": d, "shape": s, "layout": self.layout, "data": enc_tensor_values(base)}


def make_input(spec):
    d, s, layout = spec["dtype"], spec["shape"], spec["layout"]
    if layout == "contiguous":
        return from_values(spec["data"], d, s)
    if layout == "transposed":
        return from_values(spec["data"], d, s[:-2] + [s[-1], s[-2]]).transpose(-1, -2)
    if layout == "sliced":
        return from_values(spec["data"], d, s + [2]).select(-1, 1)
    if layout == "expanded":
        return from_values(spec["data"], d, spec["base"]).expand(s)
    raise ValueError(layout)


# ---- calls -------------------------------------------------------------------------------------

PY_NAMES = {"mT": "mT", "T": "T"}


def snake(name):
    if name in PY_NAMES:
        return PY_NAMES[name]
    return re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), name)


class Special:
    def __init__(self, js):
        self.js = js


def N(s):
    """A special float argument: N('nan'), N('inf'), N('-inf')."""
    return Special({"$n": s})


def BIG(v):
    return Special({"$big": str(v)})


def D(dtype):
    return Special({"$dtype": dtype})


def TYPED(kind, values):
    return Special({"$typed": kind, "values": values})


TYPED_NP = {"Float32Array": np.float32, "Float64Array": np.float64, "Int32Array": np.int32, "Int16Array": np.int16,
            "Int8Array": np.int8, "Uint8Array": np.uint8, "BigInt64Array": np.int64}


def to_json_arg(a, inputs):
    if isinstance(a, T):
        for i, x in enumerate(inputs):
            if x is a:
                return {"$t": i}
        inputs.append(a)
        return {"$t": len(inputs) - 1}
    if isinstance(a, Special):
        return a.js
    if isinstance(a, (list, tuple)):
        return [to_json_arg(x, inputs) for x in a]
    if isinstance(a, dict):
        return {k: to_json_arg(v, inputs) for k, v in a.items()}
    if isinstance(a, float):
        if math.isnan(a) or math.isinf(a):
            raise ValueError("use N('nan') for special floats")
        assert a != int(a) or abs(a) >= 2**53, f"float arg {a} would be an integer in JS; use an int or N()"
    return a


def to_py_arg(a, built, upcast=None):
    if isinstance(a, dict) and "$t" in a:
        return built[a["$t"]]
    if isinstance(a, dict) and "$n" in a:
        return float(a["$n"])
    if isinstance(a, dict) and "$big" in a:
        return int(a["$big"])
    if isinstance(a, dict) and "$dtype" in a:
        return torch.float32 if a["$dtype"] == upcast else DT[a["$dtype"]]
    if isinstance(a, dict) and "$typed" in a:
        return np.array([dec(v) for v in a["values"]], dtype=TYPED_NP[a["$typed"]])
    if isinstance(a, list):
        return [to_py_arg(x, built, upcast) for x in a]
    if isinstance(a, dict):
        return {snake(k): to_py_arg(v, built, upcast) for k, v in a.items()}
    return a


def py_call(call, fn, args, kwargs):
    name = snake(fn)
    if call == "getter":
        return getattr(args[0], name)
    if call == "method":
        return getattr(args[0], name)(*args[1:], **kwargs)
    f = getattr(torch, name, None)
    if f is None:
        f = getattr(torch.Tensor, name)
    return f(*args, **kwargs)


def storage_ptr(t):
    return t.storage().data_ptr()


def enc_out(r, built, views):
    if isinstance(r, torch.Tensor):
        o = {"kind": "tensor", "dtype": NAME[r.dtype], "shape": list(r.shape), "values": enc_tensor_values(r)}
        for i, b in enumerate(built):
            if r is b:
                o["is"] = i
        if views:
            o["strides"] = list(r.stride())
            o["offset"] = r.storage_offset()
        if r.numel() > 0:
            o["shares"] = [i for i, b in enumerate(built) if isinstance(b, torch.Tensor) and b.numel() > 0
                           and storage_ptr(b) == storage_ptr(r)]
        return o
    if isinstance(r, (tuple, list)) and all(isinstance(x, torch.Tensor) for x in r) and (
            len(r) > 0 or not isinstance(r, list)):
        o = {"kind": "tensors", "items": [enc_out(x, built, views) for x in r]}
        if getattr(type(r), "__module__", "") == "torch.return_types":
            o["names"] = list(type(r).__match_args__)
        return o
    if isinstance(r, bool):
        return {"kind": "scalar", "value": r}
    if isinstance(r, int):
        return {"kind": "scalar", "value": r if abs(r) <= 2**53 else {"$big": str(r)}}
    if isinstance(r, float):
        return {"kind": "scalar", "value": enc(r, "float64")}
    if isinstance(r, list):
        def walk(x):
            if isinstance(x, list):
                return [walk(y) for y in x]
            if isinstance(x, bool):
                return x
            if isinstance(x, int):
                return x if abs(x) <= 2**53 else {"$big": str(x)}
            return enc(x, "float64")
        return {"kind": "list", "value": walk(r)}
    raise TypeError(f"cannot encode {type(r)}")


def run_py(call, fn, jargs, jkwargs, specs, py, views, upcast=None):
    """Runs the call in PyTorch. With `upcast` ("float16" or "bfloat16"), inputs and dtype arguments
    of that dtype become float32 and float32 results are rounded back to it."""
    built = [make_input(s) for s in specs]
    if upcast:
        built = [b.float() if b.dtype == DT[upcast] else b for b in built]
    args = [to_py_arg(a, built, upcast) for a in jargs]
    kwargs = {snake(k): to_py_arg(v, built, upcast) for k, v in jkwargs.items()}
    try:
        r = py(*args, **kwargs) if py else py_call(call, fn, args, kwargs)
    except Exception as e:  # noqa: BLE001 -- the exception is the expected result
        return {"kind": "error", "type": type(e).__name__, "message": str(e)}
    o = enc_out(r, built, views)
    if upcast:  # identity and sharing as computed, values rounded to the half dtype
        def down(e, x):
            if e["kind"] == "tensor" and e["dtype"] == "float32":
                e["dtype"], e["values"] = upcast, enc_tensor_values(x.to(DT[upcast]))
            elif e["kind"] == "tensors":
                for ee, xx in zip(e["items"], x):
                    down(ee, xx)
        down(o, r)
    return o


def half_dtype(specs, jargs, jkwargs):
    """The one half-precision dtype among the inputs and dtype arguments, if there is exactly one."""
    found = {s["dtype"] for s in specs if s["dtype"] in ("float16", "bfloat16")}
    found |= set(re.findall(r'"\$dtype": "(float16|bfloat16)"', json.dumps([jargs, jkwargs])))
    return found.pop() if len(found) == 1 else None


def same_form(a, b):
    """Same kind, and for tensors the same dtypes and shapes."""
    if a["kind"] != b["kind"]:
        return False
    if a["kind"] == "tensors":
        return len(a["items"]) == len(b["items"]) and all(same_form(x, y) for x, y in zip(a["items"], b["items"]))
    return a["kind"] != "tensor" or (a["dtype"] == b["dtype"] and a["shape"] == b["shape"])


def close_enough(a, b):
    """Whether two encoded results agree within assert_close's tolerance."""
    if not same_form(a, b):
        return False
    if a["kind"] == "tensors":
        return all(close_enough(x, y) for x, y in zip(a["items"], b["items"]))
    if a["kind"] != "tensor":
        return a == b
    rtol, atol = {"float16": (1e-3, 1e-5), "bfloat16": (1.6e-2, 1e-5), "float32": (1.3e-6, 1e-5),
                  "float64": (1e-7, 1e-7)}.get(a["dtype"], (0, 0))
    for x, y in zip(a["values"], b["values"]):
        x, y = dec(x), dec(y)
        if isinstance(x, float) and math.isnan(x):
            if not (isinstance(y, float) and math.isnan(y)):
                return False
        elif x != y and not (math.isfinite(x) and math.isfinite(y) and abs(x - y) <= atol + rtol * abs(y)):
            return False
    return True


CASES = []
IDS = set()
SKIPPED = []  # calls only the Python argument parser rejects (no such overload); nothing to compare
# no float32 reference for these: uninitialised values, or results that depend on the dtype's range
NO_UPCAST = {"empty", "emptyLike", "nanToNum", "nanToNum_"}
BINDING_ERRORS = ["received an invalid combination of arguments", "got an unexpected keyword argument",
                  "object has no attribute"]


def wrap_scalars(call, fn):
    def py(*args, **kwargs):
        args = [torch.tensor(a) if i >= 1 and isinstance(a, (bool, int, float)) else a for i, a in enumerate(args)]
        return py_call(call, fn, args, kwargs)
    return py

MISSING_METHODS = []  # Tensor methods PyTorch has that src/tensor/tensor.ts does not delegate yet
XFAIL = [(r"^(%s)/method/" % "|".join(MISSING_METHODS), "Tensor method missing in src/tensor/tensor.ts")] * bool(MISSING_METHODS) + [  # (regex on id, reason): torchts cannot match PyTorch here yet
    (r"^bitwise(Left|Right)Shift/function/int64-int64/contiguous/past-width",
     "PyTorch 1.13 shifts int64 by >= 64 bits with C++ undefined behaviour (x86 masks the count); "
     "torchts gives 0 / the sign, as PyTorch 2 does"),
    (r"^clamp_/method/int32/contiguous/cast ", "PyTorch 1.13 spells the dtype 'int' in this one message"),
    (r"^logsumexp/function/float32/contiguous/empty-dims \(\[\]\)$",
     "PyTorch 1.13 bug: logsumexp(x, dim=[]) fails with a shape error; torchts reduces all dims"),
]


def summarize(jargs, jkwargs):
    """The non-tensor arguments, briefly, for the test name: "(1, {keepdim: true})"."""
    def r(a):
        if isinstance(a, dict):
            for key in ("$n", "$big", "$dtype", "$typed"):
                if key in a:
                    return str(a[key])
            if "$t" in a:
                return None
            return "{" + ", ".join(f"{k}: {r(v) or 'tensor'}" for k, v in a.items()) + "}"
        if isinstance(a, list):
            return "[" + ", ".join(r(x) or "tensor" for x in a) + "]"
        return json.dumps(a)
    parts = [p for p in (r(a) for a in jargs) if p is not None] + ([r(jkwargs)] if jkwargs else [])
    text = ", ".join(parts)
    if not text:
        return ""
    return f" ({text})" if len(text) <= 60 else f" ({text[:57]}...)"


def case(op, fn, args, kwargs=None, call="function", py=None, views=False, note="", expect=None, tags=None):
    kwargs = kwargs or {}
    inputs = []
    jargs = [to_json_arg(a, inputs) for a in args]
    jkwargs = {k: to_json_arg(v, inputs) for k, v in kwargs.items()}
    specs = [x.spec for x in inputs]
    dts = "-".join(x.dtype for x in inputs)
    layouts = sorted({x.layout for x in inputs} - {"contiguous"})
    layout = "+".join(layouts) or ("0-dim" if all(len(x.shape) == 0 for x in inputs) else "contiguous")
    cid = "/".join(p for p in ([fn, call, dts, layout, note] if inputs else [fn, call, note]) if p)
    cid += summarize(jargs, jkwargs)
    base, k = cid, 2
    while cid in IDS:
        cid = f"{base}#{k}"
        k += 1
    IDS.add(cid)
    ref = None
    if expect is None:
        expect = run_py(call, fn, jargs, jkwargs, specs, py, views)
        if fn not in NO_UPCAST and run_py(call, fn, jargs, jkwargs, specs, py, views) != expect:
            raise RuntimeError(f"{cid}: PyTorch gives different results on the same inputs; give it a `py` reference")
        if expect["kind"] == "error" and expect["type"] == "TypeError" and "must be Tensor, not" in expect["message"]:
            # the Python binding takes no scalar here; torchts does. A wrapped number promotes like a
            # 0-dim tensor of its default dtype, so that is the reference.
            py = wrap_scalars(call, fn)
            expect = run_py(call, fn, jargs, jkwargs, specs, py, views)
            ref = "scalar as 0-dim tensor"
        if expect["kind"] == "error" and (expect["type"] in ("TypeError", "AttributeError") and any(
                m in expect["message"] for m in BINDING_ERRORS)):
            SKIPPED.append(f"{cid}: {expect['message'].splitlines()[0]}")
            IDS.discard(cid)
            return None
        half = half_dtype(specs, jargs, jkwargs) if fn not in NO_UPCAST else None
        if half:
            # torchts computes half types in float32 and rounds once, as PyTorch 2 does (opmath). Where
            # PyTorch 1.13 has no CPU kernel for the dtype, or rounds every step in half precision and
            # so lands further away, the reference is the float32 computation rounded to the dtype.
            up = run_py(call, fn, jargs, jkwargs, specs, py, views, upcast=half)
            missing = expect["kind"] == "error" and "not implemented for '" + {
                "float16": "Half", "bfloat16": "BFloat16"}[half] + "'" in expect["message"]
            if up["kind"] != "error" and (missing or (same_form(up, expect) and not close_enough(up, expect))):
                expect = up
                ref = ((ref + ", ") if ref else "") + "float32"
    c = {"id": cid, "op": op, "call": call, "fn": fn, "args": jargs}
    if jkwargs:
        c["kwargs"] = jkwargs
    c["inputs"] = specs
    c["expect"] = expect
    if views:
        c["views"] = True
    if ref:
        c["ref"] = ref
    if tags:
        c["tags"] = tags
    CASES.append(c)
    return c


# ---- creation ----------------------------------------------------------------------------------

def creation_cases():
    op = "tensor"
    for data, kw in [([1, 2, 3], {}), ([1.5, 2, -3], {}), ([True, False], {}), ([[1, 2], [3, 4]], {}),
                     ([], {}), (3.5, {}), (7, {}), (True, {}), ([[1.5, 2.5]], {"dtype": D("float64")}),
                     ([1, 2, 3], {"dtype": D("float32")}), ([0.1, 0.2], {"dtype": D("float16")}),
                     ([0.1, 70000, -1e-8], {"dtype": D("float16")}), ([0.1, 3.3e38, 1e39], {"dtype": D("bfloat16")}),
                     ([1.7, -1.7, 2.5], {"dtype": D("int32")}), ([0, 2.5, -0.5], {"dtype": D("bool")}),
                     ([1, -1, 300], {"dtype": D("int16")}), ([BIG(2**62), BIG(-2**63)], {}),
                     ([[1, 2], [3]], {}), ([N("nan"), N("inf"), N("-inf")], {}), ([[[]]], {}),
                     ([1, 2], {"dtype": D("uint8")}), ([1, 0], {"dtype": D("int8")})]:
        case(op, "tensor", [data], kw)
    case("asTensor", "asTensor", [[1, 2, 3]])
    case("asTensor", "asTensor", [[1.5, 2]], {"dtype": D("float64")})
    x = T("float32", [2, 3])
    case("asTensor", "asTensor", [x])
    case("asTensor", "asTensor", [T("float32", [2, 3])], {"dtype": D("float64")})
    case("fromTypedArray", "fromTypedArray", [TYPED("Float32Array", [1, 2.5, -3, 4, 5, 6]), [2, 3]],
         py=lambda a, s: torch.from_numpy(a).reshape(s), tags=["typed-shares"])
    for kind, vals in [("Float64Array", [1.5, -2]), ("Int32Array", [1, -2, 3]), ("BigInt64Array", ["5", "-6"]),
                       ("Uint8Array", [0, 255]), ("Int8Array", [-128, 127]), ("Int16Array", [-3, 4])]:
        case("fromTypedArray", "fromTypedArray", [TYPED(kind, vals)], py=lambda a: torch.from_numpy(a),
             tags=["typed-shares"])
    case("fromTypedArray", "fromTypedArray", [TYPED("Float32Array", [1, 2, 3]), [2, 2]],
         py=lambda a, s: torch.from_numpy(a).reshape(s))
    for fn in ["zeros", "ones", "empty"]:
        for args, kw in [([2, 3], {}), ([[2, 3]], {}), ([0], {}), ([], {}), ([2, 3], {"dtype": D("int64")}),
                         ([3], {"dtype": D("bool")}), ([2], {"dtype": D("float16")}), ([2, 2], {"dtype": D("bfloat16")}),
                         ([2], {"dtype": D("uint8")}), ([2, -1], {})]:
            c = case(fn, fn, args, kw)
            if c and fn == "empty" and c["expect"]["kind"] == "tensor":
                c["expect"]["values"] = None  # uninitialised: only dtype and shape are checked
    for args, kw in [([[2, 3], 1.5], {}), ([[2], 7], {}), ([[2], True], {}), ([[2, 2], 2.5], {"dtype": D("float64")}),
                     ([[3], 3], {"dtype": D("float32")}), ([[0, 2], 1], {}), ([[], 4], {}),
                     ([[2], BIG(2**60)], {}), ([[2], N("nan")], {}), ([[2], 70000], {"dtype": D("float16")}),
                     ([[2], -1], {"dtype": D("uint8")})]:
        case("full", "full", args, kw)
    for fn in ["zerosLike", "onesLike", "emptyLike"]:
        for x, kw in [(T("float32", [2, 3]), {}), (T("int32", [2], layout="contiguous"), {}),
                      (T("float64", [3, 2], layout="transposed"), {}), (T("bool", [2]), {"dtype": D("float16")}),
                      (T("int64", []), {})]:
            c = case(fn, fn, [x], kw)
            if fn == "emptyLike":
                c["expect"]["values"] = None
    for x, v, kw in [(T("float32", [2, 3]), 2.5, {}), (T("int32", [3]), 7, {}), (T("int32", [3]), 2.5, {}),
                     (T("bool", [2]), True, {}), (T("float64", [2]), 3, {"dtype": D("int16")})]:
        case("fullLike", "fullLike", [x, v], kw)
    for args, kw in [([5], {}), ([2, 8], {}), ([1, 10, 3], {}), ([10, 0, -3], {}), ([0, 1, 0.25], {}),
                     ([-1.5, 1.5, 0.5], {}), ([0.5], {}), ([5], {"dtype": D("float64")}), ([1, 4], {"dtype": D("float16")}),
                     ([0, 1, 0.1], {}), ([0, 1, 0.1], {"dtype": D("float64")}), ([3, 3], {}), ([0], {}),
                     ([1, 0], {}), ([0, 5, 0], {}), ([-3, 3, 1.5], {"dtype": D("int32")}), ([0, 2, 0.3], {"dtype": D("bfloat16")}),
                     ([0, 6, 2], {"dtype": D("uint8")})]:
        case("arange", "arange", args, kw)
    for args, kw in [([0, 1, 5], {}), ([-2, 2, 4], {}), ([1, 1, 3], {}), ([0, 1, 1], {}), ([0, 1, 0], {}),
                     ([0, 10, 7], {"dtype": D("float64")}), ([0, 10, 4], {"dtype": D("int64")}),
                     ([-5, 5, 6], {"dtype": D("int32")}), ([0, 1, 11], {"dtype": D("float16")}),
                     ([0, 1, 11], {"dtype": D("bfloat16")}), ([3, -3, 5], {}), ([0, 1, -1], {}), ([0.5, 2.5, 9], {}),
                     ([0, 255, 4], {"dtype": D("uint8")})]:
        case("linspace", "linspace", args, kw)
    for args, kw in [([0, 2, 3], {}), ([-1, 1, 5], {}), ([0, 3, 4], {"base": 2}), ([0, 2, 3], {"dtype": D("float64")}),
                     ([0, 1, 1], {}), ([0, 1, 0], {}), ([1, 3, 3], {"dtype": D("int64")}), ([0, 4, 5], {"base": 2, "dtype": D("int32")}),
                     ([0, 0.5, 3], {"base": 3.5})]:
        case("logspace", "logspace", args, kw)
    for args, kw in [([3], {}), ([2, 4], {}), ([4, 2], {}), ([0], {}), ([3], {"dtype": D("int64")}),
                     ([2, 3], {"dtype": D("bool")}), ([2], {"dtype": D("float16")}), ([1, 0], {}), ([-1], {})]:
        case("eye", "eye", args, kw)


# ---- conversions -------------------------------------------------------------------------------

def conversion_cases():
    vals = {
        "bool": [True, False, True],
        "uint8": [0, 1, 200],
        "int8": [-100, 0, 100],
        "int16": [-300, 0, 30000],
        "int32": [-70000, 1, 2**31 - 1],
        "int64": [-2**40, 3, 2**53 + 1],
        "float16": [-2.5, 0.1, 1000],
        "bfloat16": [-2.5, 0.1, 3e38],
        "float32": [-2.7, 0.1, 1e30],
        "float64": [-2.7, 0.1, 1e300],
    }
    for src in ALL:
        for dst in ALL:
            if src in FLOATS and dst == "bool":
                x = T(src, [5], [1.7, 0.1, 0, "nan", "-0"])
            elif src in FLOATS and dst == "uint8":
                x = T(src, [5], [1.7, 0.5, 0, 100.25, "-0"])
            elif src in FLOATS and dst in INTS:
                x = T(src, [5], [1.7, -2.5, 0, 100.25, "-0"])
            elif src in INTS and dst in INTS + ["bool"]:
                x = T(src, [3], [0, 5, 100] if "uint8" in (src, dst) else [-5, 0, 100])
            else:
                x = T(src, [3], vals[src])
            case("to", "to", [x, D(dst)], call="method")
    # wrapped integer casts (modular, as C++ on two's complement)
    case("to", "to", [T("int32", [3], [300, -1, 65537]), D("uint8")], call="method", note="wrap")
    case("to", "to", [T("int64", [3], [2**40 + 5, -129, 128]), D("int8")], call="method", note="wrap")
    case("to", "to", [T("float32", [3], [70000, -70000, 65504]), D("float16")], call="method", note="overflow")
    case("to", "to", [T("float64", [3], [1 + 2**-9, 1 + 3 * 2**-9, 1e-40]), D("bfloat16")], call="method", note="rne")
    case("to", "to", [T("float32", [2, 3], layout="transposed"), D("float64")], call="method")
    case("to", "to", [T("float32", [2, 3], layout="sliced"), D("int32")], call="method")
    case("to", "to", [T("float32", [2, 3]), D("float32")], call="method", note="same")
    case("to", "to", [T("float32", [2, 3])], {"dtype": D("float64")}, call="method", note="opts")
    case("to", "to", [T("float32", [2, 3]), T("int32", [1])], call="method", note="like")
    case("to", "to", [T("float32", [2]), "cpu"], call="method", note="device")
    case("to", "to", [T("float32", [2]), "cpu", D("float64")], call="method", note="device-dtype")
    case("to", "to", [T("float32", [2])], {"dtype": D("float32"), "copy": True}, call="method", note="copy")
    for fn, d in [("float", "float32"), ("double", "float64"), ("half", "float16"), ("bfloat16", "bfloat16"),
                  ("long", "int64"), ("int", "int32"), ("short", "int16"), ("char", "int8"), ("byte", "uint8"),
                  ("bool", "bool")]:
        case(fn, fn, [T("float64", [2, 2], [1.5, -2.25, 0, 3])], call="method")
        case(fn, fn, [T(d, [2])], call="method", note="same")
    case("type", "type", [T("float32", [2]), D("int64")], call="method")
    for d in ALL:
        case("item", "item", [T(d, [])], call="method")
        case("tolist", "tolist", [T(d, [2, 2])], call="method")
    case("item", "item", [T("float32", [1, 1])], call="method")
    case("item", "item", [T("float32", [2])], call="method", note="numel")
    case("item", "item", [T("int64", [], [2**53])], call="method", note="2^53")
    # TS only: int64 beyond 2^53 does not fit a JS number; item() throws, item({bigint: true}) returns a bigint
    case("item", "item", [T("int64", [], [2**53 + 1])], call="method", note="beyond-2^53",
         expect={"kind": "error", "type": "RangeError",
                 "message": "int64 value 9007199254740993 does not fit in a JavaScript number without rounding; "
                            "use item({ bigint: true })"})
    case("item", "item", [T("int64", [], [-2**63])], {"bigint": True}, call="method", note="bigint",
         expect={"kind": "scalar", "value": {"$big": str(-2**63)}})
    case("item", "item", [T("int64", [], [5])], {"bigint": True}, call="method", note="bigint-small",
         expect={"kind": "scalar", "value": {"$big": "5"}})
    case("tolist", "tolist", [T("float32", [2, 3], layout="transposed")], call="method")
    case("tolist", "tolist", [T("float32", [0, 2])], call="method")
    case("tolist", "tolist", [T("float32", [])], call="method")
    case("tolist", "tolist", [T("int64", [2], [2**53 + 1, 1])], call="method", note="beyond-2^53",
         expect={"kind": "error", "type": "RangeError",
                 "message": "int64 value 9007199254740993 does not fit in a JavaScript number without rounding; "
                            "use item({ bigint: true })"})
    for d in ["float32", "float64", "int64", "int32", "uint8", "int8", "int16"]:
        case("numpy", "numpy", [T(d, [2, 3])], call="method", py=lambda x: x, tags=["numpy-shares"])
    case("numpy", "numpy", [T("float32", [2, 3], layout="transposed")], call="method", note="non-contiguous",
         expect={"kind": "error", "type": "RuntimeError",
                 "message": "numpy() needs a contiguous tensor here (typed arrays have no strides); call .contiguous() first"})
    for x in [T("float32", [2, 3]), T("float32", [2, 3], layout="transposed"), T("int64", [3], layout="sliced"),
              T("bool", [2, 2], layout="expanded", base=[1, 2]), T("float16", []), T("bfloat16", [0, 2])]:
        case("clone", "clone", [x])
        case("clone", "clone", [x], call="method")
    for x in [T("float32", [2, 3]), T("float32", [2, 3], layout="transposed"), T("int8", [3], layout="sliced"),
              T("float64", [2, 2], layout="expanded", base=[1, 2]), T("float16", [])]:
        case("contiguous", "contiguous", [x], views=True)
        case("contiguous", "contiguous", [x], call="method", views=True)
    # copy_: broadcast and cast into the destination
    for dst, src in [(T("float32", [2, 3]), T("float32", [2, 3])), (T("float32", [2, 3]), T("int64", [3])),
                     (T("int32", [2, 3], layout="transposed"), T("float64", [2, 3])),
                     (T("float16", [3], layout="sliced"), T("bfloat16", [1])), (T("bool", [3]), T("float32", [3])),
                     (T("float32", [2, 3]), T("float32", [4])), (T("float32", [3]), T("float32", [2, 3]))]:
        case("copy_", "copy_", [dst, src])
        case("copy_", "copy_", [dst, src], call="method")


# ---- views -------------------------------------------------------------------------------------

def view_cases():
    def v(op, fn, args, kwargs=None, call="method", **kw):
        return case(op, fn, args, kwargs, call=call, views=True, **kw)

    x = lambda d="float32", s=(3, 4), layout="contiguous", **kw: T(d, list(s), layout=layout, **kw)  # noqa: E731
    for d in ALL:
        v("view", "view", [x(d), 4, 3])
        v("reshape", "reshape", [x(d, layout="transposed"), 12])
        v("transpose", "transpose", [x(d), 0, 1])
    for args in [[[2, 6]], [-1], [2, -1, 2], [12, 1], [[]]]:
        v("view", "view", [x()] + args)
    v("view", "view", [x(s=[1])] + [[]])
    v("view", "view", [x(s=[])] + [1, 1])
    v("view", "view", [x(s=[0, 4])] + [-1, 2])
    v("view", "view", [x(layout="transposed"), 12])
    v("view", "view", [x(s=[3, 4, 2], layout="transposed"), 3, 8])
    v("view", "view", [x(s=[2, 3, 4], layout="transposed"), 6, 2, 2])
    v("view", "view", [x(layout="sliced"), 3, 2, 2])
    v("view", "view", [x(layout="sliced"), 12])
    v("view", "view", [x(), 5, -1])
    v("view", "view", [x(), -1, -1])
    v("view", "view", [x(), D("int32")], note="dtype")
    v("view", "view", [x(), [3, 4]], call="function")
    for args in [[[2, 6]], [-1], [4, -1], [[]]]:
        v("reshape", "reshape", [x()] + args)
    v("reshape", "reshape", [x(s=[1])] + [[]])
    v("reshape", "reshape", [x(layout="sliced"), 2, 6])
    v("reshape", "reshape", [x(layout="expanded"), 12])
    v("reshape", "reshape", [x(layout="expanded", s=[3, 4], base=[3, 1]), 3, 2, 2])
    v("reshape", "reshape", [x(), 5, 3])
    v("reshape", "reshape", [x(), [6, 2]], call="function")
    v("reshape", "reshape", [x(s=[0, 3]), 3, 0])
    for args in [[], [1], [0, 1], [1, 2], [-2, -1], [2, 1]]:
        v("flatten", "flatten", [x(s=[2, 3, 2])] + args)
    v("flatten", "flatten", [x(s=[])])
    v("flatten", "flatten", [x(s=[2, 3, 2], layout="transposed")])
    v("flatten", "flatten", [x(s=[2, 3, 2], layout="transposed"), 0, 1], call="function")
    v("unflatten", "unflatten", [x(), 1, [2, 2]])
    v("unflatten", "unflatten", [x(), 0, [-1, 1]])
    v("unflatten", "unflatten", [x(layout="transposed"), -1, [2, 2]])
    v("unflatten", "unflatten", [x(), 1, [3, 2]])
    v("unflatten", "unflatten", [x(), 1, [2, 2]], call="function")
    for s, args in [([1, 3, 1, 2], []), ([1, 3, 1, 2], [0]), ([1, 3, 1, 2], [1]), ([1, 3, 1, 2], [-2]), ([], []),
                    ([], [0]), ([1], []), ([2, 1], [3])]:
        v("squeeze", "squeeze", [x(s=s)] + args)
    v("squeeze", "squeeze", [x(s=[1, 3, 1, 2]), 0], call="function")
    # squeeze over a list of dims is PyTorch 2.0; 1.13's reference squeezes them one at a time
    v("squeeze", "squeeze", [x(s=[1, 3, 1, 2]), [0, 2]], py=lambda t, d: t.squeeze(2).squeeze(0), note="dims")
    for s, d in [([3, 4], 0), ([3, 4], 2), ([3, 4], -1), ([3, 4], 1), ([], 0), ([3, 4], 3), ([3, 4], -4)]:
        v("unsqueeze", "unsqueeze", [x(s=s), d])
    v("unsqueeze", "unsqueeze", [x(layout="transposed"), 1])
    v("unsqueeze", "unsqueeze", [x(layout="sliced"), 2])
    v("unsqueeze", "unsqueeze", [x(), 0], call="function")
    for args in [[1, 0], [[1, 0]]]:
        v("permute", "permute", [x()] + args)
    v("permute", "permute", [x(s=[2, 3, 4]), 2, 0, 1])
    v("permute", "permute", [x(s=[2, 3, 4], layout="transposed"), [1, -1, 0]])
    v("permute", "permute", [x(s=[2, 3, 4]), [2, 0, 1]], call="function")
    v("permute", "permute", [x(s=[2, 3, 4]), 0, 1])
    v("permute", "permute", [x(s=[2, 3, 4]), 0, 1, 1])
    v("permute", "permute", [x(s=[]), []])
    for args in [[0, 2], [-1, 0], [1, 1]]:
        v("transpose", "transpose", [x(s=[2, 3, 4])] + args)
    v("transpose", "transpose", [x(s=[]), 0, -1])
    v("transpose", "transpose", [x(layout="sliced"), 0, 1], call="function")
    v("transpose", "transpose", [x(), 0, 2])
    v("swapaxes", "swapaxes", [x(), 0, 1])
    v("swapaxes", "swapaxes", [x(), 0, 1], call="function")
    v("swapdims", "swapdims", [x(), 1, 0])
    v("swapdims", "swapdims", [x(), 1, 0], call="function")
    for s in [[3, 4], [4], [], [2, 3, 4]]:
        v("t", "t", [x(s=s)])
        v("t", "t", [x(s=s)], call="function")
    v("t", "t", [x(layout="transposed")])
    for s in [[3, 4], [2, 3, 4], [4], []]:
        v("T", "T", [x(s=s)], call="getter")
        v("mT", "mT", [x(s=s)], call="getter")
    for args in [[2, 3, 4], [[2, 3, 4]], [-1, 4], [3, -1], [2, -1, -1], [0, 3, 4]]:
        v("expand", "expand", [x(s=[3, 1])] + args)
    v("expand", "expand", [x(s=[3, 1]), 3, 4, 5])
    v("expand", "expand", [x(s=[3, 1]), 4])
    v("expand", "expand", [x(s=[]), 2, 2])
    v("expand", "expand", [x(layout="transposed", s=[1, 4]), 2, 3, 4])
    v("broadcastTo", "broadcastTo", [x(s=[3, 1]), [3, 4]])
    v("broadcastTo", "broadcastTo", [x(s=[3, 1]), [3, 4]], call="function")
    v("expand", "expandAs", [x(s=[3, 1]), x(s=[2, 3, 4])])
    for args in [[0, 1, 2], [1, 1, 2], [-1, -2, 2], [0, 0, 0], [1, 3, 1], [1, 5, 0], [1, 2, 3], [1, -5, 1]]:
        v("narrow", "narrow", [x()] + args)
    v("narrow", "narrow", [x(layout="transposed"), 1, 1, 2], call="function")
    v("narrow", "narrow", [x(s=[]), 0, 0, 1])
    for args in [[0, 1], [1, -1], [-1, 3], [0, 3], [1, -5], [2, 0]]:
        v("select", "select", [x()] + args)
    v("select", "select", [x(layout="sliced"), 1, 2], call="function")
    v("select", "select", [x(s=[]), 0, 0])
    v("select", "select", [x(s=[3]), 0, 5])
    for args in [[], [1], [-1]]:
        v("unbind", "unbind", [x()] + args)
    v("unbind", "unbind", [x(layout="transposed"), 0], call="function")
    v("unbind", "unbind", [x(s=[0, 2]), 0])
    for args in [[2], [3, 1], [[1, 3], 1], [5], [[1, 1, 1], 0], [[1, 1], 0], [1, -1], [0]]:
        v("split", "split", [x()] + args)
    v("split", "split", [x(layout="transposed"), 2, 1], call="function")
    v("split", "split", [x(s=[0, 4]), 2])
    for args in [[2], [3, 1], [5, 1], [4], [1], [0], [2, 2]]:
        v("chunk", "chunk", [x(s=[5, 4])] + args)
    v("chunk", "chunk", [x(s=[6, 4]), 4], call="function")
    v("chunk", "chunk", [x(s=[0, 4]), 2])
    for args in [[0, 2], [2, 0], [[0, 1], [2, 0]], [-1, 0], [[0, 1], [0]], [0, 3]]:
        v("movedim", "movedim", [x(s=[2, 3, 4])] + args)
    v("movedim", "movedim", [x(s=[2, 3, 4]), 0, -1], call="function")
    v("moveaxis", "moveaxis", [x(s=[2, 3, 4]), 0, -1], call="function")
    v("moveaxis", "moveaxis", [x(s=[2, 3, 4]), 1, 0])
    for args in [[[2, 2], [1, 2]], [[2, 2], [1, 2], 3], [[3], [4], 1], [[2, 3], [0, 1]], [[0, 3], [1, 1]],
                 [[2, 2], [1, 2], 20], [[4, 4], [4, 1]]]:
        v("asStrided", "asStrided", [x()] + args)
    v("asStrided", "asStrided", [x(layout="sliced"), [2, 2], [2, 4]], call="function")
    for args in [[], [1], [-1], [5], [0, 0, 1], [1, 1, 0], [0, 0, 2], [0, -1, 0], [0, 1, 1]]:
        v("diagonal", "diagonal", [x(s=[3, 4]) if len(args) < 3 or args[2] != 2 else x(s=[2, 3, 4])] + args)
    v("diagonal", "diagonal", [x(s=[2, 3, 4]), 1, 1, 2], call="function")
    v("diagonal", "diagonal", [x(layout="transposed"), -1], call="function")
    # in-place through a view writes the base: narrow then fill via add_
    v("narrow", "narrow", [x(s=[0, 3]), 0, 0, 0])


# ---- pointwise ---------------------------------------------------------------------------------

UNARY = {  # TS name -> (domain for floats, has in-place)
    "exp": ("default", True), "exp2": ("default", True), "expm1": ("default", True), "log": ("positive", True),
    "log2": ("positive", True), "log10": ("positive", True), "log1p": ("log1p", True), "sqrt": ("positive", True),
    "rsqrt": ("positive", True), "sin": ("default", True), "cos": ("default", True), "tan": ("default", True),
    "asin": ("unit", True), "acos": ("unit", True), "atan": ("default", True), "sinh": ("default", True),
    "cosh": ("default", True), "tanh": ("default", True), "asinh": ("default", True), "acosh": ("ge1", True),
    "atanh": ("unit", True), "sigmoid": ("default", True), "erf": ("default", True), "erfc": ("default", True),
    "erfinv": ("unit", True), "reciprocal": ("nonzero", True), "lgamma": ("positive", True),
    "frac": ("default", True), "neg": ("default", True), "abs": ("default", True), "sign": ("default", True),
    "square": ("default", True), "floor": ("default", True), "ceil": ("default", True), "trunc": ("default", True),
    "round": ("default", True), "relu": ("default", True), "bitwiseNot": ("default", True),
    "logicalNot": ("default", True), "signbit": ("default", False), "isnan": ("default", False),
    "isinf": ("default", False), "isfinite": ("default", False), "isposinf": ("default", False),
    "isneginf": ("default", False), "nanToNum": ("default", True),
}
UNARY_ALIASES = {"arcsin": "asin", "arccos": "acos", "arctan": "atan", "negative": "neg", "absolute": "abs",
                 "sgn": "sign", "fix": "trunc"}
SPECIAL = ["nan", "inf", "-inf", 0, "-0", 1, -1, 0.5, -2.5, 1e-3, 100, -100, 2.5, 3.5, -0.5]


def unary_cases():
    for fn, (domain, inplace) in UNARY.items():
        for d in ALL:
            case(fn, fn, [T(d, [2, 3], domain=domain)])
        case(fn, fn, [T("float32", [2, 3], domain=domain)], call="method")
        for layout in ["transposed", "sliced", "expanded"]:
            case(fn, fn, [T("float32", [3, 4], layout=layout, domain=domain)])
        case(fn, fn, [T("float32", [], domain=domain)])
        case(fn, fn, [T("int64", [], domain=domain)])
        case(fn, fn, [T("float32", [0, 3])])
        for d in ["float32", "float64", "float16", "bfloat16"]:
            case(fn, fn, [T(d, [len(SPECIAL)], SPECIAL)], note="special")
        if inplace:
            case(fn, fn + "_", [T("float32", [3, 4], layout="transposed", domain=domain)], call="method")
            case(fn, fn + "_", [T("float64", [2, 3], layout="sliced", domain=domain)], call="method")
            for d in ["int32", "bool", "bfloat16"]:
                case(fn, fn + "_", [T(d, [2, 3], domain=domain)], call="method")
            case(fn, fn + "_", [T("float32", [2, 3], layout="expanded", base=[1, 3], domain=domain)], call="method",
                 note="overlap")
        if fn in ("isnan", "isinf", "isfinite", "isposinf", "isneginf", "signbit", "nanToNum"):
            continue
        case(fn, fn, [T("float32", [2, 3], domain=domain)], {"out": T("float32", [2, 3])}, note="out")
        case(fn, fn, [T("float32", [2, 3], domain=domain)], {"out": T("float64", [5])}, note="out-resize")
        case(fn, fn, [T("int32", [2, 3], domain=domain)], {"out": T("int32", [2, 3])}, note="out-int")
    for alias, fn in UNARY_ALIASES.items():
        d = UNARY[fn][0]
        case(alias, alias, [T("float32", [2, 3], domain=d)])
        case(alias, alias, [T("int32", [2, 3], domain=d)])
        case(alias, alias, [T("float32", [2, 3], domain=d)], call="method")
        case(alias, alias + "_", [T("float32", [2, 3], domain=d)], call="method")
    # round(decimals)
    for dec in [1, 2, -1, 0]:
        case("round", "round", [T("float32", [6], [1.25, -2.35, 12.5, 0.125, 155, -0.05])], {"decimals": dec})
        case("round", "round", [T("float64", [6], [1.25, -2.35, 12.5, 0.125, 155, -0.05])], {"decimals": dec},
             call="method")
    case("round", "round", [T("int32", [3])], {"decimals": 1})
    case("round", "round_", [T("float32", [6], [1.25, -2.35, 12.5, 0.125, 155, -0.05])], {"decimals": 1}, call="method")
    # nanToNum with explicit replacements
    sp = T("float32", [len(SPECIAL)], SPECIAL)
    case("nanToNum", "nanToNum", [sp, 1.5, 100, -100])
    case("nanToNum", "nanToNum", [T("float64", [len(SPECIAL)], SPECIAL), 0, None, -7])
    case("nanToNum", "nanToNum", [T("float16", [len(SPECIAL)], SPECIAL)], note="finfo")
    case("nanToNum", "nanToNum", [T("bfloat16", [len(SPECIAL)], SPECIAL)], note="finfo")
    case("nanToNum", "nanToNum", [T("float32", [len(SPECIAL)], SPECIAL)], {"nan": 2.5, "posinf": 9},
         call="method", note="opts")
    case("nanToNum", "nanToNum_", [T("float32", [len(SPECIAL)], SPECIAL)], {"neginf": -3}, call="method",
         note="opts")
    case("nanToNum", "nanToNum", [T("int32", [3])], {"nan": 2.5}, call="method", note="int")


BINARY = {  # TS name -> (python in-place exists, float domain of the second operand, int domain of the second)
    "add": (True, "default", "default"), "sub": (True, "default", "default"), "rsub": (False, "default", "default"),
    "mul": (True, "default", "default"), "div": (True, "nonzero", "nonzero"), "trueDivide": (True, "nonzero", "nonzero"),
    "floorDivide": (True, "nonzero", "nonzero"), "remainder": (True, "nonzero", "nonzero"),
    "fmod": (True, "nonzero", "nonzero"), "pow": (True, "default", "small"), "floatPower": (True, "default", "small"),
    "atan2": (True, "default", "default"), "hypot": (True, "default", "default"),
    "copysign": (True, "default", "default"), "logaddexp": (False, "default", "default"),
    "logaddexp2": (False, "default", "default"), "maximum": (False, "default", "default"),
    "minimum": (False, "default", "default"), "fmax": (False, "default", "default"),
    "fmin": (False, "default", "default"), "bitwiseAnd": (True, "default", "default"),
    "bitwiseOr": (True, "default", "default"), "bitwiseXor": (True, "default", "default"),
    "bitwiseLeftShift": (True, "default", "small"), "bitwiseRightShift": (True, "default", "small"),
    "eq": (True, "default", "default"), "ne": (True, "default", "default"), "lt": (True, "default", "default"),
    "le": (True, "default", "default"), "gt": (True, "default", "default"), "ge": (True, "default", "default"),
    "logicalAnd": (True, "default", "default"), "logicalOr": (True, "default", "default"),
    "logicalXor": (True, "default", "default"),
}
BINARY_ALIASES = {"subtract": "sub", "multiply": "mul", "divide": "div", "notEqual": "ne", "less": "lt",
                  "lessEqual": "le", "greater": "gt", "greaterEqual": "ge", "arctan2": "atan2"}
GRID = [0, "-0", 1, -1, 2.5, -2.5, "inf", "-inf", "nan"]
TENSOR_ONLY = {"maximum", "minimum", "fmax", "fmin"}


def binary_cases():
    for fn, (inplace, fdom, idom) in BINARY.items():
        other = lambda d, s, **kw: T(d, s, domain=(fdom if d in FLOATS else idom), **kw)  # noqa: E731
        for d in ALL:
            case(fn, fn, [T(d, [2, 3]), other(d, [2, 3])])
        case(fn, fn, [T("float32", [2, 3]), other("float32", [2, 3])], call="method")
        case(fn, fn, [T("float32", [3, 1]), other("float32", [1, 4])], note="broadcast")
        case(fn, fn, [T("float32", [2, 3, 4], layout="transposed"), other("float32", [4])], note="broadcast")
        case(fn, fn, [T("float32", [3, 4], layout="transposed"), other("float32", [3, 4], layout="sliced")])
        case(fn, fn, [T("float32", [3, 4], layout="expanded"), other("float32", [3, 4], layout="transposed")])
        case(fn, fn, [T("float32", [3, 4]), other("float32", [3])], note="mismatch")
        case(fn, fn, [T("float32", [0, 3]), other("float32", [3])], note="empty")
        case(fn, fn, [T("float32", []), other("float32", [])])
        case(fn, fn, [T("int64", [2, 2]), other("float64", [])], note="0-dim-other")
        case(fn, fn, [T("float32", [2, 2]), other("float64", [])], note="0-dim-other")
        case(fn, fn, [T("uint8", [2, 2]), other("int64", [], values=[3])], note="0-dim-other")
        for a, b in [("int32", "float32"), ("uint8", "int8"), ("bool", "int64"), ("float16", "bfloat16"),
                     ("int64", "float16"), ("bool", "float64"), ("int16", "int32")]:
            case(fn, fn, [T(a, [2, 3]), other(b, [2, 3])], note="promote")
        if fn not in TENSOR_ONLY:
            for d, s in [("float32", 2), ("float32", -1.5), ("int32", 3), ("int32", 2.5), ("int64", True),
                         ("bool", True), ("bool", 2), ("uint8", 3), ("float16", 2.5), ("bfloat16", 3), ("int8", -2),
                         ("float64", BIG(5))]:
                if fdom == "nonzero" and s is False:
                    continue
                if fn in ("pow", "floatPower", "bitwiseLeftShift", "bitwiseRightShift") and s in (-1.5, -2):
                    s = 2
                case(fn, fn, [T(d, [2, 3]), s], note="scalar")
            case(fn, fn, [T("float32", [2, 3]), 2.5], call="method", note="scalar")
        for d in ["float32", "float64"]:
            case(fn, fn, [T(d, [9, 1], GRID), T(d, [1, 9], GRID)], note="ieee")
        for d in ["int32", "int64", "int8", "uint8"]:
            a = [0, 1, 2, 3, 5, 7, 100] if d == "uint8" else [-7, -3, -1, 0, 1, 3, 100]
            b = {"nonzero": [1, 2, 3, 7] if d == "uint8" else [-3, -2, -1, 1, 2, 7],
                 "small": [0, 1, 2, 3]}.get(idom, [0, 1, 3, 7, 200] if d == "uint8" else [-7, -1, 0, 1, 3])
            case(fn, fn, [T(d, [len(a), 1], a), T(d, [1, len(b)], b)], note="grid")
        if inplace:
            case(fn, fn + "_", [T("float32", [3, 4], layout="transposed"), other("float32", [4])], call="method")
            case(fn, fn + "_", [T("float64", [2, 3], layout="sliced"), other("float64", [2, 3])], call="method")
            case(fn, fn + "_", [T("int32", [2, 3]), other("int32", [2, 3])], call="method")
            case(fn, fn + "_", [T("int32", [2, 3]), other("float32", [2, 3])], call="method", note="cast")
            case(fn, fn + "_", [T("float32", [2, 3]), other("int64", [2, 3])], call="method")
            case(fn, fn + "_", [T("bool", [2, 3]), other("bool", [2, 3])], call="method")
            case(fn, fn + "_", [T("float32", [3, 1]), other("float32", [1, 4])], call="method", note="broadcast")
            case(fn, fn + "_", [T("float32", [2, 3]), other("float32", [2, 3])], call="method", note="alias",
                 py=None)
            if fn not in TENSOR_ONLY:
                case(fn, fn + "_", [T("int16", [2, 3]), 2], call="method", note="scalar")
        case(fn, fn, [T("float32", [2, 3]), other("float32", [2, 3])], {"out": T("float32", [2, 3])}, note="out")
        case(fn, fn, [T("float32", [2, 3]), other("float32", [2, 3])], {"out": T("float64", [2, 3], layout="transposed")},
             note="out")
        case(fn, fn, [T("float32", [2, 3]), other("float32", [3])], {"out": T("float32", [0])}, note="out-resize")
        case(fn, fn, [T("float32", [2, 3]), other("float32", [2, 3])], {"out": T("int64", [2, 3])}, note="out-cast")
    # the same tensor on both sides
    for fn in ["add", "mul", "sub", "eq", "div"]:
        x = T("float32", [2, 3])
        case(fn, fn, [x, x], note="same-input")
        y = T("float32", [2, 3])
        case(fn, fn + "_", [y, y], call="method", note="same-input")
    for alias, fn in BINARY_ALIASES.items():
        dom = BINARY[fn][1]
        case(alias, alias, [T("float32", [2, 3]), T("float32", [2, 3], domain=dom)])
        case(alias, alias, [T("int32", [2, 3]), T("int32", [2, 3], domain="nonzero")])
        case(alias, alias, [T("float32", [2, 3]), T("float32", [2, 3], domain=dom)], call="method")
        case(alias, alias + "_", [T("float32", [2, 3]), T("float32", [2, 3], domain=dom)], call="method")
    # alpha, rounding modes, integer division by zero
    for fn in ["add", "sub", "rsub"]:
        for d, alpha in [("float32", 2.5), ("int32", 3), ("float64", -1), ("int64", 2.5), ("bool", 2), ("bool", True)]:
            case(fn, fn, [T(d, [2, 3]), T(d, [2, 3])], {"alpha": alpha}, note="alpha")
        case(fn, fn, [T("float32", [2, 3]), 3], {"alpha": 2}, note="alpha")
    case("add", "add", [T("float32", [2, 3]), T("float32", [2, 3])], {"alpha": 2}, call="method", note="alpha")
    case("add", "add_", [T("float32", [2, 3]), T("float32", [3])], {"alpha": -0.5}, call="method", note="alpha")
    case("sub", "sub_", [T("int64", [2, 3]), T("int64", [3])], {"alpha": 2}, call="method", note="alpha")
    for mode in ["trunc", "floor", None]:
        for d in ALL:
            case("div", "div", [T(d, [2, 3]), T(d, [2, 3], domain="nonzero")], {"roundingMode": mode}, note=str(mode))
        case("div", "div", [T("float32", [9, 1], GRID), T("float32", [1, 9], GRID)], {"roundingMode": mode},
             note=f"ieee-{mode}")
        case("div", "div", [T("int64", [7, 1], [-7, -3, -1, 0, 1, 3, 100]), T("int64", [1, 4], [-3, -2, 2, 7])],
             {"roundingMode": mode}, note=f"grid-{mode}")
        case("div", "div", [T("int32", [2, 3]), 2], {"roundingMode": mode}, note=f"scalar-{mode}")
        case("div", "div_", [T("float32", [2, 3]), T("float32", [3], domain="nonzero")], {"roundingMode": mode},
             call="method", note=str(mode))
        case("div", "div_", [T("int32", [2, 3]), T("int32", [3], domain="nonzero")], {"roundingMode": mode},
             call="method", note=str(mode))
        case("div", "div", [T("float32", [2, 3]), T("float32", [2, 3], domain="nonzero")],
             {"roundingMode": mode, "out": T("float32", [2, 3])}, note=f"out-{mode}")
    case("div", "div", [T("float32", [2]), T("float32", [2])], {"roundingMode": "round"}, note="bad-mode")
    for fn, kw in [("div", {"roundingMode": "trunc"}), ("div", {"roundingMode": "floor"}), ("floorDivide", {}),
                   ("remainder", {}), ("fmod", {})]:
        case(fn, fn, [T("int64", [3], [1, 2, 3]), T("int64", [3], [1, 0, 2])], kw, note="zero-division")
        case(fn, fn, [T("int32", [3], [1, 2, 3]), 0], kw, note="zero-division")
    case("div", "div", [T("int64", [2], [1, 0]), T("int64", [2], [0, 0])], note="int-true-div-by-zero")
    # pow: negative integer exponents, float exponents, scalar bases
    case("pow", "pow", [T("int64", [3], [2, 3, 1]), T("int64", [3], [-1, 2, -2])], note="negative-exp")
    case("pow", "pow", [T("int32", [3], [2, 3, 1]), -2], note="negative-exp")
    case("pow", "pow", [T("int32", [3], [4, 9, 2]), 0.5], note="float-exp")
    case("pow", "pow", [T("float32", [3], [4, 9, 2]), -0.5])
    case("pow", "pow", [2, T("float32", [3])], note="scalar-base")
    case("pow", "pow", [2, T("int32", [3], domain="small")], note="scalar-base")
    case("pow", "pow", [T("int64", [3], [3, 7, 2**31]), T("int64", [3], [40, 23, 2])], note="overflow")
    case("floatPower", "floatPower", [T("int32", [3], [2, 3, 1]), -2], note="negative-exp")
    case("floatPower", "floatPower", [T("float32", [3]), T("float16", [3], domain="small")], note="promote")
    # shifts at and past the width
    case("bitwiseLeftShift", "bitwiseLeftShift", [T("int8", [4], [1, -1, 3, 64]), T("int8", [4], [7, 1, 8, 1])],
         note="past-width")
    case("bitwiseRightShift", "bitwiseRightShift", [T("int8", [4], [1, -128, 3, -1]), T("int8", [4], [7, 7, 8, 9])],
         note="past-width")
    case("bitwiseRightShift", "bitwiseRightShift", [T("int64", [3], [-16, 16, 2**62]), T("int64", [3], [2, 63, 64])],
         note="past-width")
    case("bitwiseLeftShift", "bitwiseLeftShift", [T("int64", [3], [1, -1, 3]), T("int64", [3], [63, 64, 62])],
         note="past-width")
    # int64 beyond 2^53 and wrap-around
    big = T("int64", [3], [2**62, -2**63, 2**53 + 1])
    case("mul", "mul", [big, 4], note="wrap")
    case("add", "add", [T("int64", [3], [2**62, -2**63, 2**53 + 1]), T("int64", [3], [2**62, -1, 2])], note="wrap")
    case("eq", "eq", [T("int64", [2], [2**53 + 1, 2**53]), T("int64", [2], [2**53, 2**53])], note="big")
    case("add", "add", [T("uint8", [3], [250, 3, 0]), T("uint8", [3], [10, 3, 0])], note="wrap")
    case("sub", "sub", [T("uint8", [3], [0, 3, 0]), 1], note="wrap")
    # comparisons of ints against float scalars promote
    case("eq", "eq", [T("int32", [3], [1, 2, 3]), 2.5])
    case("lt", "lt", [T("int32", [3], [1, 2, 3]), 2.5])
    case("lt", "lt", [T("uint8", [3], [1, 2, 3]), -1], note="negative-scalar")
    case("gt", "gt", [T("int8", [3], [1, 2, 3]), 1000], note="big-scalar")
    # sub/neg of bool
    case("sub", "sub", [T("bool", [2]), T("bool", [2])], note="bool")
    case("sub", "sub", [T("bool", [2]), T("int32", [2])], note="bool")
    case("sub", "sub", [T("float32", [2]), True], note="bool")


def promotion_matrix_cases():
    for a in ALL:
        for b in ALL:
            case("add", "add", [T(a, [2]), T(b, [2])], note="matrix")
            case("eq", "eq", [T(a, [2]), T(b, [2])], note="matrix")
    for a in ALL:
        for s in [1, 2.5, True, T("float64", [], [1.5]), T("int64", [], [2]), T("bool", [], [True]),
                  T("float16", [], [3]), T("int8", [], [-2])]:
            case("mul", "mul", [T(a, [2]), s], note="scalar-matrix")
        for b in ALL:
            case("mul", "mul", [T(a, []), T(b, [])], note="0-dim-matrix")
    # division of integers is true division in the default dtype
    for a in INTS + ["bool"]:
        case("div", "div", [T(a, [3], domain="nonzero"), T(a, [3], domain="nonzero")], note="true-div")
        case("div", "div", [T(a, [3], domain="nonzero"), 2], note="true-div")


def ternary_cases():
    cond = lambda s=(2, 3): T("bool", list(s))  # noqa: E731
    for d in ALL:
        case("where", "where", [cond(), T(d, [2, 3]), T(d, [2, 3])])
    case("where", "where", [cond((3, 1)), T("float32", [1, 4]), T("float32", [4])], note="broadcast")
    case("where", "where", [cond((3, 4)), T("float32", [3, 4], layout="transposed"), T("float32", [3, 4], layout="sliced")])
    case("where", "where", [cond(), T("int32", [2, 3]), T("float64", [2, 3])], note="promote")
    case("where", "where", [cond(), T("float32", [2, 3]), 0.5], note="scalar")
    case("where", "where", [cond(), T("int64", [2, 3]), 2.5], note="scalar")
    case("where", "where", [cond(), 1, 0], note="scalars")
    case("where", "where", [cond(), 1.5, 0], note="scalars")
    case("where", "where", [cond(), T("float32", [2, 3]), T("float64", [])], note="0-dim")
    case("where", "where", [T("uint8", [3], [1, 0, 2]), T("float32", [3]), T("float32", [3])], note="uint8-cond")
    case("where", "where", [T("float32", [3]), T("float32", [3]), T("float32", [3])], note="float-cond")
    case("where", "where", [cond((0, 3)), T("float32", [0, 3]), T("float32", [3])], note="empty")
    case("where", "where", [cond(), T("float32", [2, 3]), T("float32", [2, 4])], note="mismatch")
    case("where", "where", [T("float32", [2, 3]), cond(), T("float32", [2, 3])], call="method")
    case("where", "where", [T("float32", [2, 3]), cond(), 0], call="method", note="scalar")
    case("where", "where", [cond(), T("float32", [2, 3]), T("float32", [2, 3])], {"out": T("float32", [2, 3])},
         note="out")
    # lerp
    for d in ALL:
        case("lerp", "lerp", [T(d, [2, 3]), T(d, [2, 3]), 0.25])
    case("lerp", "lerp", [T("float32", [2, 3]), T("float32", [2, 3]), T("float32", [2, 3])], note="tensor-weight")
    case("lerp", "lerp", [T("float64", [3, 1]), T("float64", [4]), T("float64", [3, 4], layout="transposed")],
         note="broadcast")
    case("lerp", "lerp", [T("float32", [3]), T("float32", [3]), 0.75], note="weight>0.5")
    case("lerp", "lerp", [T("float32", [3]), T("float32", [3]), 2])
    case("lerp", "lerp", [T("float32", [3]), T("float64", [3]), 0.5], note="mixed")
    case("lerp", "lerp", [T("float32", [2, 3]), T("float32", [2, 3]), 0.25], call="method")
    case("lerp", "lerp_", [T("float32", [2, 3], layout="transposed"), T("float32", [2, 3]), 0.25], call="method")
    case("lerp", "lerp", [T("float32", [2, 3]), T("float32", [2, 3]), 0.25], {"out": T("float32", [2, 3])}, note="out")
    # addcmul / addcdiv
    for fn in ["addcmul", "addcdiv"]:
        for d in ALL:
            case(fn, fn, [T(d, [2, 3]), T(d, [2, 3]), T(d, [2, 3], domain="nonzero")])
        case(fn, fn, [T("float32", [2, 3]), T("float32", [2, 3]), T("float32", [2, 3], domain="nonzero")],
             {"value": 0.5})
        case(fn, fn, [T("int64", [2, 3]), T("int64", [2, 3]), T("int64", [2, 3], domain="nonzero")], {"value": 2})
        case(fn, fn, [T("float32", [3, 1]), T("float32", [4]), T("float32", [3, 4], layout="transposed", domain="nonzero")],
             note="broadcast")
        case(fn, fn, [T("float32", [2, 3]), T("int32", [2, 3]), T("float64", [2, 3], domain="nonzero")], note="promote")
        case(fn, fn, [T("float32", [2, 3]), T("float32", [2, 3]), T("float32", [2, 3], domain="nonzero")],
             {"value": -2}, call="method")
        case(fn, fn + "_", [T("float32", [2, 3], layout="sliced"), T("float32", [2, 3]),
                            T("float32", [2, 3], domain="nonzero")], {"value": 3}, call="method")
        case(fn, fn, [T("float32", [2, 3]), T("float32", [2, 3]), T("float32", [2, 3], domain="nonzero")],
             {"out": T("float32", [2, 3])}, note="out")
    # clamp
    for d in ALL:
        case("clamp", "clamp", [T(d, [2, 3]), -1, 2])
    for args in [[-1, None], [None, 1], [0.5, 1.5], [2, -2], [N("nan"), 1], [None, None]]:
        case("clamp", "clamp", [T("float32", [len(SPECIAL)], SPECIAL)] + args)
    case("clamp", "clamp", [T("int32", [2, 3]), 0.5, 2.5], note="float-bounds")
    case("clamp", "clamp", [T("uint8", [2, 3]), -1, 300], note="out-of-range-bounds")
    for mn, mx in [(T("float32", [2, 3]), T("float32", [2, 3])), (T("float32", [3]), None),
                   (None, T("float32", [2, 1])), (T("float64", [3]), 1), (-1, T("int64", [3])),
                   (T("float32", [], [0.5]), T("float32", [], [1.5]))]:
        case("clamp", "clamp", [T("float32", [2, 3]), mn, mx], note="tensor-bounds")
    case("clamp", "clamp", [T("int32", [2, 3]), T("int32", [3]), T("int32", [3])], note="tensor-bounds")
    case("clamp", "clamp", [T("int32", [2, 3]), T("float32", [3]), None], note="tensor-bounds")
    case("clamp", "clamp", [T("float32", [3], [1, "nan", 3]), T("float32", [3], ["nan", 0, 0]), T("float32", [3], [2, 2, "nan"])],
         note="tensor-nan")
    case("clamp", "clamp", [T("float32", [2, 3], layout="transposed"), -1, 1], call="method")
    case("clamp", "clamp_", [T("float32", [2, 3], layout="sliced"), -1, 1], call="method")
    case("clamp", "clamp_", [T("int32", [2, 3]), 0.5, 1.5], call="method", note="cast")
    case("clamp", "clamp_", [T("float32", [2, 3]), T("float32", [3]), None], call="method", note="tensor-bounds")
    case("clamp", "clamp", [T("float32", [2, 3]), -1, 1], {"out": T("float32", [2, 3])}, note="out")
    case("clip", "clip", [T("float32", [2, 3]), -1, 1])
    case("clip", "clip", [T("float32", [2, 3]), -1, 1], call="method")
    case("clip", "clip_", [T("float32", [2, 3]), -1, 1], call="method")
    case("clampMin", "clampMin", [T("float32", [2, 3]), 0])
    case("clampMin", "clampMin", [T("int32", [2, 3]), T("int32", [3])])
    case("clampMin", "clampMin", [T("float32", [2, 3]), 0], call="method")
    case("clampMax", "clampMax", [T("float32", [2, 3]), 0.5])
    case("clampMax", "clampMax", [T("float32", [2, 3]), T("float32", [3])], call="method")
    case("clampMin", "clampMin_", [T("float32", [2, 3]), 0], call="method")
    # isclose / allclose / equal
    a = T("float32", [8], [1, 1, "nan", "inf", "-inf", 0, 1e-9, 100])
    b = T("float32", [8], [1, 1.000001, "nan", "inf", "inf", 1e-9, 0, 100.001])
    for kw in [{}, {"equalNan": True}, {"rtol": 0, "atol": 0}, {"rtol": 1e-3}, {"atol": 1e-8, "rtol": 0}]:
        case("isclose", "isclose", [a, b], kw)
        case("allclose", "allclose", [a, b], kw)
    case("isclose", "isclose", [T("float64", [3]), T("float64", [3])], call="method")
    case("isclose", "isclose", [T("int32", [3], [1, 2, 3]), T("int32", [3], [1, 3, 3])], {"atol": 1, "rtol": 0})
    case("isclose", "isclose", [T("int64", [3], [1, 2, 3]), T("int64", [3], [1, 3, 5])])
    case("isclose", "isclose", [T("float32", [3]), T("float64", [3])], note="dtype-mismatch")
    case("isclose", "isclose", [T("float32", [2, 3]), T("float32", [3])], note="broadcast")
    case("isclose", "isclose", [T("bool", [3], [True, False, True]), T("bool", [3], [True, True, True])])
    case("isclose", "isclose", [T("float16", [3], [1, 2, 3]), T("float16", [3], [1, 2.001, 3.1])])
    case("allclose", "allclose", [T("float32", [2, 3]), T("float32", [2, 3])], call="method")
    case("allclose", "allclose", [T("float32", [2, 3]), T("float32", [2, 3])], {"atol": 10}, call="method")
    x = T("float32", [2, 3])
    case("equal", "equal", [x, x])
    case("equal", "equal", [T("float32", [2, 3]), T("float32", [3, 2])])
    case("equal", "equal", [T("float32", [3], [1, 2, 3]), T("float32", [3], [1, 2, 3])], note="same-values")
    case("equal", "equal", [T("float32", [3], [1, 2, 3]), T("int64", [3], [1, 2, 3])], note="mixed")
    case("equal", "equal", [T("float32", [3], [1, "nan", 3]), T("float32", [3], [1, "nan", 3])], note="nan")
    case("equal", "equal", [T("float32", [2, 3], layout="transposed"), T("float32", [2, 3])], call="method")
    case("equal", "equal", [T("float32", [0]), T("float32", [0])], note="empty")


# ---- reductions and scans ----------------------------------------------------------------------

REDUCE = {  # TS name -> how it is called: "dims" (dim, {keepdim}), "dim1" (single dim), "none" (no dim)
    "sum": "dims", "nansum": "dims", "mean": "dims", "nanmean": "dims", "prod": "dim1", "amax": "dims",
    "amin": "dims", "max": "dim1", "min": "dim1", "argmax": "dim1", "argmin": "dim1", "var": "dims",
    "std": "dims", "varMean": "dims", "stdMean": "dims", "logsumexp": "dims", "all": "dim1", "any": "dim1",
    "countNonzero": "dimsnokeep", "norm": "norm", "aminmax": "kwdim",
}
SCANS = ["cumsum", "cumprod", "cummax", "cummin", "logcumsumexp"]
NAN_ROW = [1, "nan", 3, -1, "inf", 0]


def reduce_cases():
    for fn, kind in REDUCE.items():
        method = fn not in ("varMean", "stdMean")
        x = lambda d="float32", s=(3, 4), **kw: T(d, list(s), **kw)  # noqa: E731
        for d in ALL:
            case(fn, fn, [x(d)])
            if kind in ("dims", "dim1", "dimsnokeep"):
                case(fn, fn, [x(d), 1])
        if method:
            case(fn, fn, [x()], call="method")
        case(fn, fn, [x(s=[])])
        case(fn, fn, [x("int64", s=[])])
        case(fn, fn, [x(s=[0, 3])], note="empty")
        case(fn, fn, [x(s=[len(NAN_ROW)], values=NAN_ROW)], note="nan")
        case(fn, fn, [x("float64", s=[2, 3], values=["nan", 1, 2, "inf", "-inf", 0])], note="nan")
        if kind == "kwdim":
            for kw in [{"dim": 1}, {"dim": 0, "keepdim": True}, {"dim": -1}]:
                case(fn, fn, [x()], kw)
                case(fn, fn, [x(layout="transposed")], kw, call="method")
            case(fn, fn, [x(s=[0, 3])], {"dim": 1}, note="empty")
            case(fn, fn, [x(s=[0, 3])], {"dim": 0}, note="empty")
            continue
        if kind == "norm":
            for p in [1, 2, 3, 0, 0.5, N("inf"), N("-inf"), "fro"]:
                case(fn, fn, [x(), p])
                case(fn, fn, [x(), p, 1])
            for d in ALL:
                case(fn, fn, [x(d), 2, [0, 1]])
            case(fn, fn, [x(layout="transposed"), 2, 0], {"keepdim": True}, call="method")
            case(fn, fn, [x(s=[2, 3, 4], layout="sliced"), 1, [0, 2]])
            case(fn, fn, [x("int32"), 2], {"dtype": D("float64")})
            case(fn, fn, [x("float16"), 2], {"dtype": D("float32")})
            case(fn, fn, [x(s=[0, 3]), 2, 1], note="empty")
            case(fn, fn, [x(s=[0, 3]), N("inf"), 1], note="empty")
            case(fn, fn, [x(s=[0, 3]), N("inf"), 0], note="empty")
            continue
        dims_list = [0, -1, [0, 1], [1, 0], [-1], []] if kind in ("dims", "dimsnokeep") else [0, -1]
        for dm in dims_list:
            case(fn, fn, [x(s=[2, 3, 4]), dm], note="empty-dims" if dm == [] else "")
            if kind != "dimsnokeep":
                case(fn, fn, [x(s=[2, 3, 4]), dm], {"keepdim": True}, note="empty-dims" if dm == [] else "")
        if kind in ("dims", "dimsnokeep"):
            case(fn, fn, [x(s=[2, 3, 4]), [0, 2]])
            case(fn, fn, [x(s=[2, 3, 4]), [0, 0]], note="repeated-dim")
        case(fn, fn, [x(s=[2, 3, 4]), 3], note="dim-out-of-range")
        case(fn, fn, [x(s=[]), 0], note="0-dim-dim")
        case(fn, fn, [x(s=[]), -1], note="0-dim-dim")
        case(fn, fn, [x(s=[]), 1], note="0-dim-dim")
        case(fn, fn, [x(s=[3, 4], layout="transposed"), 0])
        case(fn, fn, [x(s=[3, 4], layout="sliced"), 1])
        case(fn, fn, [x(s=[3, 4], layout="expanded"), 0])
        case(fn, fn, [x(s=[0, 3]), 1], note="empty")
        case(fn, fn, [x(s=[0, 3]), 0], note="empty")
        case(fn, fn, [x(s=[2, 3, 4]), 0, ], call="method" if method else "function")
        case(fn, fn, [x("int32", s=[3, 4]), 0])
        case(fn, fn, [x(s=[3, len(NAN_ROW)], values=NAN_ROW + [1, 2, 3, 4, 5, 6] + NAN_ROW[::-1]), 1], note="nan")
        if kind != "dimsnokeep":
            case(fn, fn, [x()], {"dim": 1, "keepdim": True}, call="method" if method else "function", note="dim-in-opts")
        if fn in ("max", "min"):
            case(fn, fn, [x(), x()], note="binary")
            case(fn, fn, [x(s=[3, 1]), x(s=[4])], note="binary", call="method")
            case(fn, fn, [x(s=[3, 4]), 1], {"keepdim": True}, call="method")
            case(fn, fn, [x(s=[4], values=[1, 3, 3, 2])], note="ties")
            case(fn, fn, [x(s=[4], values=[1, 3, 3, 2]), 0], note="ties")
            case(fn, fn, [x("int64", s=[4], values=[1, 3, 3, 2]), 0], note="ties")
        if fn in ("argmax", "argmin"):
            case(fn, fn, [x(s=[4], values=[1, 3, 3, 2])], note="ties")
            case(fn, fn, [x(s=[2, 3]), None], {"keepdim": True})
            case(fn, fn, [x("bool", s=[2, 3]), 1])
        if fn in ("sum", "nansum", "mean", "nanmean", "prod"):
            for d, od in [("int32", "float64"), ("float32", "float64"), ("int64", "int32"), ("float64", "float32"),
                          ("bool", "int64"), ("float16", "float32"), ("int32", "float16"), ("uint8", "uint8")]:
                if fn == "prod":
                    case(fn, fn, [x(d), 1], {"dtype": D(od)})
                else:
                    case(fn, fn, [x(d)], {"dtype": D(od)})
                    case(fn, fn, [x(d), [0]], {"dtype": D(od), "keepdim": True})
            case(fn, fn, [x("float32", s=[1000], values=[0.1] * 1000)], note="accuracy")
        if fn in ("var", "std", "varMean", "stdMean"):
            for kw in [{"unbiased": False}, {"unbiased": True}, {"correction": 0}, {"correction": 2},
                       {"correction": 0, "keepdim": True}]:
                case(fn, fn, [x(s=[3, 4]), 1], kw)
                if "correction" not in kw:
                    case(fn, fn, [x(s=[3, 4]), None], kw)
            case(fn, fn, [x(s=[1, 4]), 0], note="single")
            case(fn, fn, [x(s=[3, 4]), 1], {"correction": 5}, note="dof<=0")
            case(fn, fn, [x("float32", s=[4], values=[1e4 + 1, 1e4 + 2, 1e4 + 3, 1e4 + 4])], note="accuracy")
        if fn == "logsumexp":
            case(fn, fn, [x(s=[2], values=["-inf", "-inf"]), 0], note="nan-table")
            case(fn, fn, [x(s=[3], values=[1000, 1000, "inf"]), 0])
            case(fn, fn, [x(s=[3], values=[1000, 999, -50]), 0])
    for fn in SCANS:
        for d in ALL:
            case(fn, fn, [T(d, [3, 4]), 1])
        case(fn, fn, [T("float32", [2, 3, 4]), 0])
        case(fn, fn, [T("float32", [2, 3, 4]), -2])
        case(fn, fn, [T("float32", [3, 4], layout="transposed"), 1], call="method")
        case(fn, fn, [T("float32", [3, 4], layout="sliced"), 0])
        case(fn, fn, [T("float32", [3, 4], layout="expanded"), 0])
        case(fn, fn, [T("float32", []), 0])
        case(fn, fn, [T("float32", [0, 3]), 1])
        case(fn, fn, [T("float32", [3]), 1], note="dim-out-of-range")
        case(fn, fn, [T("float32", [len(NAN_ROW)], NAN_ROW), 0], note="nan")
        case(fn, fn, [T("float32", [6], [1, 3, 3, 2, 3, 0]), 0], note="ties")
        if fn in ("cumsum", "cumprod"):
            for d, od in [("int32", "float64"), ("float32", "float64"), ("int64", "int16"), ("bool", "int32"),
                          ("float16", "float32")]:
                case(fn, fn, [T(d, [3, 4]), 1], {"dtype": D(od)})
                case(fn, fn, [T(d, [3, 4]), 1], {"dtype": D(od)}, call="method")
    case("cumsum", "cumsum_", [T("float32", [3, 4], layout="transposed"), 1], call="method")
    case("countNonzero", "countNonzero", [T("float32", [4], [0, "-0", "nan", 1])], note="nan")


# ---- linear algebra ----------------------------------------------------------------------------

def linalg_cases():
    M = lambda s, d="float32", layout="contiguous", **kw: T(d, list(s), layout=layout, **kw)  # noqa: E731
    shapes = [([3], [3]), ([2, 3], [3]), ([3], [3, 2]), ([2, 3], [3, 4]), ([2, 2, 3], [3, 4]), ([3], [2, 3, 4]),
              ([2, 2, 3], [3]), ([2, 1, 2, 3], [3, 3, 4]), ([2, 3, 4], [2, 4, 5]), ([1, 2, 3], [4, 3, 2]),
              ([0, 3], [3, 2]), ([2, 0], [0, 3]), ([2, 3], [3, 0]), ([0], [0]), ([2, 2, 0], [0, 3])]
    for sa, sb in shapes:
        case("matmul", "matmul", [M(sa), M(sb)])
    for d in ALL:
        case("matmul", "matmul", [M([2, 3], d), M([3, 4], d)])
        case("matmul", "matmul", [M([2, 2, 3], d), M([3], d)])
    case("matmul", "matmul", [M([3, 2], layout="transposed"), M([3, 4], layout="transposed")])
    case("matmul", "matmul", [M([2, 3, 4], layout="sliced"), M([4, 2], layout="expanded", base=[4, 1])])
    case("matmul", "matmul", [M([2, 3, 4], layout="transposed"), M([2, 4, 3], layout="transposed")])
    case("matmul", "matmul", [M([2, 3], layout="expanded", base=[1, 3]), M([3], layout="sliced")])
    case("matmul", "matmul", [M([2, 3]), M([3, 4])], call="method")
    case("matmul", "matmul", [M([2, 3, 3], "float64"), M([3, 3], "float64")], call="method")
    # errors (errs.py)
    case("matmul", "matmul", [M([2, 3]), M([4, 5])], note="errs.py")
    case("matmul", "matmul", [M([3]), M([4])], note="errs.py")
    case("matmul", "matmul", [M([2, 2, 3]), M([2, 4, 5])], note="errs.py")
    case("matmul", "matmul", [M([2, 2, 3]), M([4, 5])], note="batched-2d")
    case("matmul", "matmul", [M([3]), M([2, 4, 5])], note="1d-batched")
    case("matmul", "matmul", [M([2, 3, 4]), M([3, 4, 5])], note="batch-mismatch")
    case("matmul", "matmul", [M([]), M([3])], note="0-dim")
    case("matmul", "matmul", [M([2, 3]), M([3, 4], "float64")], note="dtype-mismatch")
    case("matmul", "matmul", [M([2, 3], "int32"), M([3, 4], "int64")], note="dtype-mismatch")
    for d in ALL:
        case("mm", "mm", [M([2, 3], d), M([3, 4], d)])
        case("bmm", "bmm", [M([2, 2, 3], d), M([2, 3, 4], d)])
        case("mv", "mv", [M([2, 3], d), M([3], d)])
        case("dot", "dot", [M([3], d), M([3], d)])
        case("outer", "outer", [M([3], d), M([2], d)])
        case("inner", "inner", [M([2, 3], d), M([4, 3], d)])
    for fn, sa, sb in [("mm", [2, 3], [4, 5]), ("mm", [3], [3, 4]), ("mm", [2, 3], [3]), ("bmm", [2, 2, 3], [2, 4, 5]),
                       ("bmm", [2, 2, 3], [3, 3, 4]), ("bmm", [2, 3], [3, 4]), ("mv", [2, 3], [4]), ("mv", [3], [3]),
                       ("dot", [3], [4]), ("dot", [2, 3], [3]), ("outer", [2, 3], [3]), ("inner", [2, 3], [2, 4]),
                       ("mm", [0, 3], [3, 2]), ("bmm", [0, 2, 3], [0, 3, 4]), ("mv", [0, 3], [3]), ("dot", [0], [0]),
                       ("outer", [0], [3]), ("inner", [3], [3]), ("inner", [2, 3], [3]), ("inner", [], [2, 3])]:
        case(fn, fn, [M(sa), M(sb)])
    case("mm", "mm", [M([3, 2], layout="transposed"), M([3, 4], layout="sliced")], call="method")
    case("mm", "mm", [M([2, 3]), M([3, 4], "float64")], note="dtype-mismatch")
    case("bmm", "bmm", [M([2, 2, 3], layout="transposed"), M([2, 3, 4])], call="method")
    case("mv", "mv", [M([2, 3], layout="transposed"), M([3], layout="sliced")], call="method")
    case("dot", "dot", [M([3], layout="sliced"), M([3])], call="method")
    case("dot", "dot", [M([3], "int32"), M([3], "int64")], note="dtype-mismatch")
    case("vdot", "vdot", [M([3]), M([3])])
    case("vdot", "vdot", [M([3], "float64"), M([3], "float64")], call="method")
    case("outer", "outer", [M([3], "int32"), M([2], "float32")], note="promote")
    case("outer", "outer", [M([3]), M([2])], call="method")
    case("ger", "ger", [M([3]), M([2])])
    case("ger", "ger", [M([3]), M([2])], call="method")
    case("inner", "inner", [M([2, 2, 3]), M([3])], call="method")
    # add-products: beta*input + alpha*(product)
    for fn, inp, a, b in [("addmm", [2, 4], [2, 3], [3, 4]), ("addmm", [4], [2, 3], [3, 4]),
                          ("addmm", [2, 1], [2, 3], [3, 4]), ("addmv", [2], [2, 3], [3]), ("addmv", [], [2, 3], [3]),
                          ("addr", [3, 2], [3], [2]), ("addr", [2], [3], [2]), ("baddbmm", [2, 2, 4], [2, 2, 3], [2, 3, 4]),
                          ("baddbmm", [4], [2, 2, 3], [2, 3, 4]), ("addbmm", [2, 4], [3, 2, 3], [3, 3, 4]),
                          ("addbmm", [4], [3, 2, 3], [3, 3, 4])]:
        case(fn, fn, [M(inp), M(a), M(b)])
        case(fn, fn, [M(inp), M(a), M(b)], {"beta": 0.5, "alpha": 2})
        # PyTorch 1.13's baddbmm(beta=0) now and then returns uninitialised memory; its documented result
        # (the input ignored) is alpha * bmm
        beta0 = (lambda x, p, q, beta, alpha=1: torch.bmm(p, q) * alpha) if fn == "baddbmm" else None
        case(fn, fn, [M(inp, "float64"), M(a, "float64"), M(b, "float64")], {"beta": 0}, call="method", py=beta0)
        case(fn, fn, [T("float32", inp, ["nan"] * int(np.prod(inp))), M(a), M(b)], {"beta": 0}, note="beta0-nan",
             py=beta0)
        for d in ["float64", "float16", "bfloat16", "int64", "int32", "uint8", "bool"]:
            case(fn, fn, [M(inp, d), M(a, d), M(b, d)])
        case(fn, fn, [M(inp, "int64"), M(a, "int64"), M(b, "int64")], {"beta": 2, "alpha": 3})
        case(fn, fn, [M(inp, "float64"), M(a), M(b)], note="mixed")
        case(fn, fn, [M(inp), M(a, "float64"), M(b, "float64")], note="mixed")
    case("addmm", "addmm", [M([2, 4]), M([2, 3]), M([4, 4])], note="mismatch")
    case("addmm", "addmm", [M([3, 4]), M([2, 3]), M([3, 4])], note="input-mismatch")
    case("addmv", "addmv", [M([2]), M([2, 3]), M([4])], note="mismatch")
    case("addr", "addr", [M([3, 2]), M([3]), M([2])], {"beta": 0.5, "alpha": -1}, call="method")
    case("baddbmm", "baddbmm", [M([2, 2, 4]), M([2, 2, 3]), M([2, 4, 4])], note="mismatch")
    case("addbmm", "addbmm", [M([2, 4]), M([3, 2, 3]), M([3, 3, 4], layout="transposed")], call="method")
    case("addmm", "addmm_", [M([2, 4], layout="transposed"), M([2, 3]), M([3, 4])], {"alpha": 2}, call="method")
    case("addmm", "addmm", [M([2, 4]), M([2, 3], layout="transposed"), M([3, 4], layout="sliced")],
         {"beta": -1}, call="method")


# ---- the NaN/Inf table and the error messages of reliability.md §4.1/§4.3 ------------------------

def reference_table_cases():
    x = T("float32", [3], [1, "nan", 3])
    for fn in ["max", "min", "argmax", "sum", "mean", "nansum", "nanmean"]:
        case(fn, fn, [x], note="nan-table")
    case("maximum", "maximum", [x, T("float32", [], [2])], note="nan-table")
    case("fmax", "fmax", [x, T("float32", [], [2])], note="nan-table")
    case("relu", "relu", [T("float32", [1], ["nan"])], note="nan-table")
    case("clamp", "clamp", [T("float32", [1], ["nan"]), 0, 1], note="nan-table")
    case("mul", "mul", [T("float32", [], [0]), N("inf")], note="nan-table")
    case("sub", "sub", [T("float32", [], ["inf"]), N("inf")], note="nan-table")
    case("log", "log", [T("float32", [2], [0, -1])], note="nan-table")
    case("div", "div", [T("float32", [], [1]), 0], note="nan-table")
    case("sqrt", "sqrt", [T("float32", [], [-1])], note="nan-table")
    case("eq", "eq", [x, x], note="nan-table")
    case("nanToNum", "nanToNum", [T("float32", [3], ["nan", "inf", "-inf"])], note="nan-table")
    case("tensor", "tensor", [[70000]], {"dtype": D("float16")}, note="nan-table")
    case("mul", "mul", [T("int64", [1], [2**62]), 4], note="nan-table")
    case("sigmoid", "sigmoid", [T("float32", [], [-1000])], note="nan-table")
    case("exp", "exp", [T("float32", [], [100])], note="nan-table")
    # errs.py, the messages that belong to ops that exist now
    case("add", "add", [T("float32", [2, 3]), T("float32", [2, 4])], note="errs.py")
    case("broadcastShapes", "broadcastShapes", [[2, 3], [4]], py=lambda *s: list(torch.broadcast_shapes(*s)), note="errs.py")
    case("broadcastShapes", "broadcastShapes", [[2, 1], [4], [1, 1, 1]], py=lambda *s: list(torch.broadcast_shapes(*s)))
    case("view", "view", [T("float32", [4, 3], layout="transposed"), 12], call="method", note="errs.py")
    case("view", "view", [T("float32", [3, 4]), 5, -1], call="method", note="errs.py")
    case("reshape", "reshape", [T("float32", [3, 4]), 5, 3], call="method", note="errs.py")
    case("sum", "sum", [T("float32", [3]), 2], note="errs.py")
    case("add", "add_", [T("int64", [3]), T("float32", [3])], call="method", note="errs.py")
    case("floorDivide", "floorDivide", [T("int64", [2], [1, 2]), T("int64", [2], [0, 1])], note="errs.py")


# ---- promotion ---------------------------------------------------------------------------------

SHORT = {"bool": "b1", "uint8": "u1", "int8": "i1", "int16": "i2", "int32": "i4", "int64": "i8", "float16": "f2",
         "bfloat16": "bf", "float32": "f4", "float64": "f8"}


def promotion_fixture():
    table = {a: {b: NAME[torch.promote_types(DT[a], DT[b])] for b in ALL} for a in ALL}
    # cross-check against the reference text (reliability.md §4.2 / torch113_reference_outputs.txt)
    if os.path.exists(REFERENCE):
        text = open(REFERENCE).read()
        inv = {v: k for k, v in SHORT.items()}
        for line in text.split("## prom.py")[1].splitlines():
            m = re.match(r"\| \*\*(\w+)\*\* \| (.*) \|$", line)
            if m and m.group(1) in inv:
                row = [c.strip() for c in m.group(2).split("|")][:10]
                assert [SHORT[table[inv[m.group(1)]][b]] for b in ALL] == row, (m.group(1), row)
    scalars = []
    for a in ALL:
        x = torch.zeros(2, dtype=DT[a])
        for label, s in [("int", 1), ("float", 1.5), ("bool", True)]:
            scalars.append({"tensor": a, "other": label, "result": NAME[torch.result_type(x, s)]})
        for b in ALL:
            z = torch.zeros((), dtype=DT[b])
            scalars.append({"tensor": a, "other": "0-dim " + b, "result": NAME[torch.result_type(x, z)]})
    zero_dim = [{"a": a, "b": b, "result": NAME[torch.result_type(torch.zeros((), dtype=DT[a]),
                                                                  torch.zeros((), dtype=DT[b]))]}
                for a in ALL for b in ALL]
    zero_dim_scalar = []
    for a in ALL:
        z = torch.zeros((), dtype=DT[a])
        for label, s in [("int", 1), ("float", 1.5), ("bool", True)]:
            zero_dim_scalar.append({"tensor": a, "other": label, "result": NAME[torch.result_type(z, s)]})
    return {"torch": torch.__version__, "table": table, "scalars": scalars, "zeroDim": zero_dim,
            "zeroDimScalar": zero_dim_scalar,
            "defaults": {"default": NAME[torch.get_default_dtype()], "intList": NAME[torch.tensor([1, 2]).dtype],
                         "float": NAME[torch.tensor(1.5).dtype], "bool": NAME[torch.tensor(True).dtype],
                         "intTrueDiv": NAME[(torch.tensor([1]) / torch.tensor([2])).dtype]}}


# ---- known divergences ---------------------------------------------------------------------------

def apply_xfails():
    n = 0
    for c in CASES:
        for pattern, reason in XFAIL:
            if re.search(pattern, c["id"]):
                c["xfail"] = reason
                n += 1
                break
    return n


def main():
    creation_cases()
    conversion_cases()
    view_cases()
    unary_cases()
    binary_cases()
    promotion_matrix_cases()
    ternary_cases()
    reduce_cases()
    linalg_cases()
    reference_table_cases()
    nx = apply_xfails()
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump({"torch": torch.__version__, "generator": "scripts/gen_op_fixtures.py", "cases": CASES}, f,
                  separators=(",", ":"))
        f.write("\n")
    with open(OUT_PROMOTION, "w") as f:
        json.dump(promotion_fixture(), f, indent=1)
        f.write("\n")
    print(f"{len(CASES)} cases ({nx} xfail), {os.path.getsize(OUT)} bytes -> {OUT}")
    print(f"{len(SKIPPED)} calls skipped (rejected by the Python argument parser only):")
    for line in SKIPPED:
        print("  " + line)


if __name__ == "__main__":
    main()
