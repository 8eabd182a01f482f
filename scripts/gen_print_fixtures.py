# SPDX-License-Identifier: BSD-3-Clause
"""Writes test/fixtures/print.json: tensors and PyTorch's repr() of each.

Run with Debian's PyTorch 1.13:  /usr/bin/python3 scripts/gen_print_fixtures.py

Each case stores the dtype, shape, flat row-major values, print options, autograd
state and the exact repr. Values: floats as JSON numbers (exact doubles), with
"nan", "inf", "-inf" and "-0" as strings; int64 as decimal strings (beyond 2^53);
other integers as numbers; bool as true/false.

There is no CUDA here, so the device cases use a Tensor subclass named "tensor"
whose `device` property reports cuda:0; PyTorch's own _tensor_str code then prints
the device suffix exactly as it would for a CUDA tensor.
"""
import json
import math
import os

import torch

torch.manual_seed(0)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "print.json")

DTYPE_NAMES = {
    torch.float32: "float32",
    torch.float64: "float64",
    torch.float16: "float16",
    torch.bfloat16: "bfloat16",
    torch.int8: "int8",
    torch.uint8: "uint8",
    torch.int16: "int16",
    torch.int32: "int32",
    torch.int64: "int64",
    torch.bool: "bool",
}

# TS option names -> torch.set_printoptions keyword names
OPT_NAMES = {
    "precision": "precision",
    "threshold": "threshold",
    "edgeitems": "edgeitems",
    "linewidth": "linewidth",
    "profile": "profile",
    "sciMode": "sci_mode",
}


class tensor(torch.Tensor):  # noqa: N801 -- the class name is the repr prefix
    """Reports cuda:0 as its device; the data stays on the CPU."""

    __torch_function__ = torch._C._disabled_torch_function_impl

    @property
    def device(self):
        return torch.device("cuda:0")


def encode(v, dtype):
    if dtype == torch.bool:
        return bool(v)
    if dtype == torch.int64:
        return str(int(v))
    if not dtype.is_floating_point:
        return int(v)
    v = float(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    if v == 0 and math.copysign(1.0, v) < 0:
        return "-0"
    return v


cases = []


def add(name, t, options=None, default_dtype=None, device=None):
    options = options or {}
    if default_dtype is not None:
        torch.set_default_dtype(default_dtype)
    if options:
        torch.set_printoptions(**{OPT_NAMES[k]: v for k, v in options.items()})
    try:
        shown = t
        if device is not None:
            shown = t.detach().as_subclass(tensor).requires_grad_(t.requires_grad)
        text = repr(shown)
    finally:
        torch.set_printoptions(profile="default")
        torch.set_default_dtype(torch.float32)
    flat = t.detach().reshape(-1)
    if flat.dtype in (torch.float16, torch.bfloat16):
        flat = flat.float()
    case = {
        "name": name,
        "dtype": DTYPE_NAMES[t.dtype],
        "shape": list(t.shape),
        "values": [encode(v, t.dtype) for v in flat.tolist()],
        "options": options,
        "requiresGrad": bool(t.requires_grad),
        "gradFn": type(t.grad_fn).__name__ if t.grad_fn is not None else None,
        "repr": text,
    }
    if default_dtype is not None:
        case["defaultDtype"] = DTYPE_NAMES[default_dtype]
    if device is not None:
        case["device"] = device
    cases.append(case)


T = torch.tensor
nan, inf = float("nan"), float("inf")
I64_MIN, I64_MAX = -(2**63), 2**63 - 1

# --- 0-dim
add("scalar float", T(3.5))
add("scalar int-valued float", T(2.0))
add("scalar negative zero", T(-0.0))
add("scalar nan", T(nan))
add("scalar -inf", T(-inf))
add("scalar huge float (sci)", T(1e10))
add("scalar tiny float (sci)", T(1.5e-7))
add("scalar int64", T(7))
add("scalar int64 max", T(I64_MAX))
add("scalar int32", T(-5, dtype=torch.int32))
add("scalar bool", T(True))
add("scalar float64", T(1.0 / 3.0, dtype=torch.float64))
add("scalar float16", T(0.1, dtype=torch.float16))

# --- plain float32, 1-D .. 4-D
add("1-D float32", T([1.5, 2.25, -3.125]))
add("1-D randn", torch.randn(5))
add("2-D randn", torch.randn(3, 4))
add("3-D randn", torch.randn(2, 3, 4))
add("4-D randn", torch.randn(2, 2, 2, 3))
add("2-D int-valued floats", torch.arange(6.0).reshape(2, 3))
add("int-valued floats mixed widths", T([1.0, -100.0, 1000.0, 0.0]))
add("int-valued 1e8 ratio (sci)", T([1e8, 1.0, 2.0]))
add("int-valued max exactly 1e8 (no sci)", T([1e8, 5e5, -2.0e5]))
add("int-valued ratio 1000 (no sci)", T([1.0, 1000.0]))
add("int-valued ratio 1001 (sci)", T([1.0, 1001.0]))
add("int-valued >1e8 (sci)", T([100000008.0, 3.0]))
add("single row 2-D", torch.randn(1, 4))
add("single column 2-D", torch.randn(4, 1))

# --- scientific mode switching
add("sci by small min", T([1e-5, 1.0, 0.5]))
add("min 1.2e-4 (no sci)", T([0.00012, 0.1]))
add("float32 1e-4 is below 1e-4 (sci)", T([1e-4, 0.5]))
add("sci by ratio", T([1.0, 2000.5]))
add("ratio just under 1000 (no sci)", T([1.5, 1499.0]))
add("sci by huge max", T([1.5e9, 2.5]))
add("tiny values", T([1e-30, -2.5e-35, 1e-45]))
add("huge values", T([3e38, -1.7e38, 1.0]))
add("sci float64 huge", T([1e300, -2.5e-300, 1.0], dtype=torch.float64))
add("sci 3-digit exponent", T([1e-100, 1.5], dtype=torch.float64))
add("sci mixed 2-D", torch.randn(3, 3) * T([1e-6, 1.0, 1e4]))

# --- nan / inf / negative zero
add("nan inf mixed", T([nan, 1.5, inf, -inf]))
add("only nonfinite", T([nan, inf, -inf]))
add("zeros and nan", T([0.0, nan]))
add("int-valued with nan", T([1.0, nan, 2.0, -inf]))
add("sci with nonfinite", T([1e-5, inf, nan, -3.0]))
add("all zeros", torch.zeros(2, 3))
add("negative zero with ints", T([-0.0, 0.0, 1.0]))
add("negative zero with fractions", T([-0.0, 1.5, 0.0]))
add("negative zero in sci", T([1e-5, -0.0]))
add("tiny negative rounds to -0.0000", T([-0.00004, 0.5, 1.25]), {"sciMode": False})

# --- round-half-even on exact ties (Python) vs round-half-up (toFixed)
add("fixed ties", T([1.03125, 2.5, 0.15625, -1.03125]))
add("sci ties", T([103125.0, 1.5, 0.0000152587890625]))
add("ties precision 2", T([0.125, 0.375, 0.625, 1.5]), {"precision": 2})
add("ties precision 0", T([0.5, 1.5, 2.5, -0.5, 0.25]), {"precision": 0})

# --- other float dtypes
add("float64", torch.randn(2, 3, dtype=torch.float64))
add("float64 int-valued", T([1.0, 2.0, 3.0], dtype=torch.float64))
add("float16", torch.randn(2, 4).to(torch.float16))
add("float16 extremes", T([65504.0, 6e-8, -1.0], dtype=torch.float16))
add("bfloat16", torch.randn(3, 3).to(torch.bfloat16))
add("bfloat16 huge", T([3e38, 1.0, -7.5], dtype=torch.bfloat16))

# --- integer and bool dtypes
add("int8 extremes", T([-128, 127, 0, -1], dtype=torch.int8))
add("uint8", T([[0, 255], [17, 3]], dtype=torch.uint8))
add("int16 extremes", T([-32768, 32767, 5], dtype=torch.int16))
add("int32 extremes", T([-(2**31), 2**31 - 1, 0], dtype=torch.int32))
add("int64 extremes", T([I64_MIN, I64_MAX, 2**53 + 1, -(2**53) - 3, 0]))
add("int64 2-D", torch.randint(-1000, 1000, (3, 4)))
add("int16 3-D", torch.randint(-50, 50, (2, 2, 3), dtype=torch.int16))
add("bool 1-D", T([True, False, True]))
add("bool 2-D", torch.rand(3, 4) > 0.5)

# --- empty tensors
add("empty float [0]", torch.zeros(0))
add("empty int64 [0]", torch.zeros(0, dtype=torch.int64))
add("empty bool [0]", torch.zeros(0, dtype=torch.bool))
add("empty float64 [0]", torch.zeros(0, dtype=torch.float64))
add("empty [2,0,3]", torch.zeros(2, 0, 3))
add("empty int32 [0,3]", torch.zeros(0, 3, dtype=torch.int32))
add("empty requires_grad", torch.zeros(0, 2, requires_grad=True))

# --- summarisation
add("1001 int64", torch.arange(1001))
add("1001 randn", torch.randn(1001))
add("1001 edges only decide format", torch.cat([T([1.5, 2.5, 3.5]), torch.full((995,), 1e10), T([4.5, 5.5, 6.5])]))
add("40x40 randn", torch.randn(40, 40))
add("3x500x3 randn", torch.randn(3, 500, 3))
add("4-D summarised int32", torch.arange(2400, dtype=torch.int32).reshape(2, 3, 200, 2))
add("5-D summarised", torch.arange(1024.0).reshape(4, 4, 4, 4, 4) - 500)
add("1100 bool", torch.rand(1100) > 0.5)
add("summarised float64 int-valued", torch.arange(1500, dtype=torch.float64).reshape(30, 50))

# --- line wrapping
add("wide float32 row", torch.randn(30))
add("wide 2-D", torch.randn(5, 20))
add("wide int64", torch.arange(100) * 1000003 - 50000000)
add("wide 3-D", torch.randn(2, 2, 25))
add("wide sci", torch.randn(25) * 1e-5)
add("wide bool", torch.rand(40) > 0.3)

# --- autograd suffixes
x = torch.randn(3, requires_grad=True)
add("requires_grad 1-D", x)
add("requires_grad 2-D", torch.randn(2, 2, requires_grad=True))
add("requires_grad 0-dim", T(1.0, requires_grad=True))
add("grad_fn MulBackward0", x * 2)
add("grad_fn AddBackward0", x + 1)
add("grad_fn SumBackward0 0-dim", (x * x).sum())
xd = torch.randn(2, 3, dtype=torch.float64, requires_grad=True)
add("float64 requires_grad", xd)
add("float64 grad_fn", xd.exp())
add("suffix wraps", torch.randn(6, dtype=torch.float64) * 100, None)
add("suffixes wrap after long row", (torch.randn(8, dtype=torch.float64) * 10).requires_grad_())
add("suffix wraps after 2-D", (torch.randn(3, 8, dtype=torch.float64) * 10).requires_grad_())

# --- print options
add("precision 2", torch.randn(2, 3), {"precision": 2})
add("precision 8 float64", torch.randn(4, dtype=torch.float64), {"precision": 8})
add("precision 1 sci", T([1e-6, 1.0]), {"precision": 1})
add("sci_mode False tiny", T([1e-6, 0.5]), {"sciMode": False})
add("sci_mode False huge", T([1e30, -3.0], dtype=torch.float64), {"sciMode": False})
add("sci_mode True normal", T([1.5, -2.25, 0.0]), {"sciMode": True})
add("sci_mode True int-valued", T([1.0, 2.0, 30.0]), {"sciMode": True})
add("sci_mode True only nonfinite", T([nan, inf]), {"sciMode": True})
add("threshold 5", torch.arange(10), {"threshold": 5})
add("threshold 5 edgeitems 2 2-D", torch.arange(64.0).reshape(8, 8), {"threshold": 5, "edgeitems": 2})
add("edgeitems 1", torch.randn(5, 5, 5) * 3, {"threshold": 10, "edgeitems": 1})
add("edgeitems 0 1-D", torch.arange(10), {"threshold": 5, "edgeitems": 0})
add("threshold 0 scalar", T(2.5), {"threshold": 0})
add("linewidth 40", torch.randn(3, 12), {"linewidth": 40})
add("linewidth 20 suffixes", torch.randn(4, dtype=torch.float64, requires_grad=True), {"linewidth": 20})
add("linewidth 200", torch.randn(2, 40), {"linewidth": 200})
add("profile short", torch.randn(10, 200), {"profile": "short"})
add("profile full 1001", torch.arange(1001, dtype=torch.int16), {"profile": "full"})
add("profile full then precision 6", torch.randn(3), {"profile": "full", "precision": 6})

# --- default dtype float64
add("default float64: float64 tensor", torch.randn(3, dtype=torch.float64), default_dtype=torch.float64)
add("default float64: float32 tensor", torch.randn(3, dtype=torch.float32), default_dtype=torch.float64)
add("default float64: empty float64", torch.zeros(0, 2, dtype=torch.float64), default_dtype=torch.float64)
add("default float64: empty float32", torch.zeros(0, dtype=torch.float32), default_dtype=torch.float64)

# --- device suffix (see module docstring)
add("device cuda:0", torch.randn(2, 2), device="cuda:0")
add("device cuda:0 int32", T([1, 2, 3], dtype=torch.int32), device="cuda:0")
add("device cuda:0 empty", torch.zeros(2, 0), device="cuda:0")
add("device cuda:0 requires_grad", torch.randn(3, requires_grad=True), device="cuda:0")

os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases}, f, separators=(",", ":"))
    f.write("\n")
print(f"wrote {len(cases)} cases, {os.path.getsize(OUT)} bytes to {os.path.normpath(OUT)}")
