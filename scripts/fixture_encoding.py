# SPDX-License-Identifier: BSD-3-Clause
"""Tensor encoding shared by the fixture generators (gen_indexing_fixtures.py, gen_grad_fixtures.py):
int64 as strings, non-finite floats as "nan"/"inf"/"-inf", inputs as a contiguous base plus an
optional as_strided layout."""
import math

import torch

NAMES = {torch.float32: "float32", torch.float64: "float64", torch.float16: "float16", torch.bfloat16: "bfloat16",
         torch.int64: "int64", torch.int32: "int32", torch.int16: "int16", torch.int8: "int8", torch.uint8: "uint8",
         torch.bool: "bool"}

def enc_value(v, dtype):
    if dtype == torch.bool:
        return bool(v)
    if dtype == torch.int64:
        return str(int(v))
    if dtype.is_floating_point:
        v = float(v)
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return v
    return int(v)


def enc_tensor(t):
    t = t.detach()
    return {"dtype": NAMES[t.dtype], "shape": list(t.shape), "values": [enc_value(v, t.dtype) for v in t.reshape(-1).tolist()]}


class T:
    """An input tensor: a contiguous base plus an optional as_strided layout."""

    def __init__(self, base, strided=None):
        self.base = base.detach().clone().contiguous()
        self.strided = strided

    def make(self):
        b = self.base.clone()
        return b.as_strided(*self.strided) if self.strided is not None else b

    def enc(self):
        e = enc_tensor(self.base)
        if self.strided is not None:
            e["strided"] = [list(self.strided[0]), list(self.strided[1]), self.strided[2]]
        return {"tensor": e}
