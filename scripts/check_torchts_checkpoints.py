# SPDX-License-Identifier: BSD-3-Clause
"""Loads checkpoints written by torchts in real PyTorch and compares them with their
<name>.expected.json (written by scripts/write-torchts-checkpoints.ts with the same `describe`).

    /usr/bin/python3 scripts/check_torchts_checkpoints.py DIR [DIR ...]

Each torchts_*.pt is loaded with torch.load(weights_only=True). torch 1.13's weights_only
unpickler lacks BINFLOAT (opcode 71, any Python float), so files holding Python floats fall back to
the full unpickler there and say so; files of tensors and ints must load with weights_only=True.
Also: the module state dict loads into the same nn architecture, the optimizer state dict into
torch.optim.Adam. Exit status 0 when every file matches.
"""
import collections
import glob
import json
import math
import os
import sys

import torch


def enc_float(x):
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if x == 0 and math.copysign(1.0, x) < 0:
        return "-0"
    return x


def storage_id(t):
    s = t.storage()
    inner = getattr(s, "_storage", s)
    return getattr(inner, "_cdata", None) or (inner.data_ptr(), id(inner))


def describe(root):
    storages, tensors = {}, {}

    def go(v):
        if v is None or isinstance(v, (bool, str)):
            return v
        if isinstance(v, int):
            return {"int": str(v)}
        if isinstance(v, float):
            return {"float": enc_float(v)}
        if isinstance(v, torch.Tensor):
            if id(v) in tensors:
                return {"same_tensor": tensors[id(v)]}
            tensors[id(v)] = len(tensors)
            sid = storage_id(v)
            storages.setdefault(sid, len(storages))
            flat = v.detach().reshape(-1).tolist()
            if v.dtype == torch.int64:
                values = [str(x) for x in flat]
            elif v.dtype == torch.bool:
                values = flat
            else:
                values = [enc_float(float(x)) for x in flat]
            return {
                "tensor": str(v.dtype).replace("torch.", ""), "shape": list(v.shape), "stride": list(v.stride()),
                "offset": v.storage_offset(), "storage": storages[sid], "requires_grad": v.requires_grad,
                "parameter": isinstance(v, torch.nn.Parameter), "values": values,
            }
        if isinstance(v, (bytes, bytearray)):
            return {"bytes": bytes(v).hex()}
        if isinstance(v, tuple):
            return {"tuple": [go(x) for x in v]}
        if isinstance(v, list):
            return {"list": [go(x) for x in v]}
        if isinstance(v, dict):
            d = {"dict": [[go(k), go(x)] for k, x in v.items()], "ordered": isinstance(v, collections.OrderedDict)}
            meta = getattr(v, "_metadata", None)
            if meta is not None:
                d["metadata"] = go(meta)
            return d
        raise TypeError("cannot describe %r" % type(v))

    return go(root)


def same(a, b):
    """JSON equality where 7 == 7.0 (a JS number has no int/float tag inside tensor values)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return a == b


def first_difference(a, b, path="$"):
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                return "%s.%s missing on one side" % (path, k)
            d = first_difference(a[k], b[k], "%s.%s" % (path, k))
            if d:
                return d
        return None
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return "%s: length %d vs %d" % (path, len(a), len(b))
        for i, (x, y) in enumerate(zip(a, b)):
            d = first_difference(x, y, "%s[%d]" % (path, i))
            if d:
                return d
        return None
    return None if same(a, b) else "%s: %r (PyTorch) vs %r (expected)" % (path, a, b)


def load(path):
    try:
        return torch.load(path, weights_only=True), "weights_only=True"
    except Exception as e:  # noqa: BLE001 - report which loader worked
        if "Unsupported operand 71" in str(e) and torch.__version__.startswith("1."):
            return torch.load(path, weights_only=False), "full unpickler (torch %s weights_only lacks BINFLOAT)" % torch.__version__
        raise


def extra_checks(name, obj):
    if name == "torchts_state_dict":
        net = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.BatchNorm1d(2))
        r = net.load_state_dict(obj)
        assert not r.missing_keys and not r.unexpected_keys, r
        assert obj._metadata["1"]["version"] == 2
    if name == "torchts_optimizer":
        w = torch.nn.Parameter(torch.zeros(2, 2))
        b = torch.nn.Parameter(torch.zeros(2))
        opt = torch.optim.Adam([w, b])
        opt.load_state_dict(obj)
        assert opt.param_groups[0]["lr"] == 0.01 and tuple(opt.param_groups[0]["betas"]) == (0.9, 0.99)
        assert set(opt.state_dict()["state"].keys()) == {0, 1}


def main(dirs):
    files = sorted(f for d in dirs for f in glob.glob(os.path.join(d, "torchts_*.pt")))
    if not files:
        print("no torchts_*.pt files in %s" % ", ".join(dirs))
        return 1
    bad = 0
    for f in files:
        name = os.path.splitext(os.path.basename(f))[0]
        with open(os.path.join(os.path.dirname(f), name + ".expected.json"), encoding="utf-8") as fh:
            want = json.load(fh)
        try:
            obj, how = load(f)
            got = json.loads(json.dumps(describe(obj)))
            diff = first_difference(got, want)
            if diff is None:
                extra_checks(name, obj)
        except Exception as e:  # noqa: BLE001
            diff, how = "%s: %s" % (type(e).__name__, e), "-"
        if name in ("torchts_state_dict", "torchts_dtypes") and how != "weights_only=True":
            diff = diff or "must load with weights_only=True, loaded with " + how
        print("%s %s [%s, torch %s]%s" % ("OK  " if diff is None else "FAIL", f, how, torch.__version__, "" if diff is None else "\n     " + diff))
        bad += diff is not None
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or [os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "checkpoints")]))
