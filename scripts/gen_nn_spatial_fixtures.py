#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Generates test/fixtures/nn-spatial.json from real PyTorch (Debian's 1.13): convolutions
# (1d/2d/3d, transposed, padding modes, unfold/fold), pooling, F.pad, interpolation, pixel
# shuffle, grid_sample/affine_grid: forward values and input/weight/bias gradients over a grid of
# options, default init after manual_seed, module reprs and error messages.
# Run: /usr/bin/python3 scripts/gen_nn_spatial_fixtures.py
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

g = torch.Generator().manual_seed(4321)


def enc(t):
    if t is None:
        return None
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


def rnd(*shape, dtype=torch.float64):
    # values with few digits keep the fixture small; float64 math stays exact enough
    return (torch.randn(*shape, generator=g, dtype=torch.float64) * 64).round().div(64).to(dtype)


def L(v):
    return list(v) if isinstance(v, tuple) else v


def run(fn, inputs, grad_mask=None):
    """Forward fn(*inputs), backward with a random gradOut; returns out, gradOut, grads."""
    ins = [t.detach().clone().requires_grad_(t.is_floating_point() and (grad_mask is None or grad_mask[i])) if t is not None else None
           for i, t in enumerate(inputs)]
    y = fn(*ins)
    extra = None
    if isinstance(y, tuple):
        y, extra = y
    go = rnd(*y.shape, dtype=y.dtype)
    y.backward(go)
    return ins, y, go, [t.grad if t is not None and t.requires_grad else None for t in ins], extra


out = {}

# ---- convolutions ---------------------------------------------------------------------------------
conv_cases = [
    # nd, N, C, sp, OC, k, opts
    (1, 2, 3, (9,), 4, (3,), dict(stride=1, padding=0, dilation=1, groups=1), True),
    (1, 1, 4, (10,), 6, (4,), dict(stride=2, padding=1, dilation=2, groups=2), True),
    (1, 2, 2, (7,), 3, (4,), dict(stride=1, padding="same", dilation=1, groups=1), False),
    (1, 2, 2, (7,), 3, (3,), dict(stride=1, padding="valid", dilation=2, groups=1), True),
    (2, 2, 3, (6, 5), 4, (3, 2), dict(stride=(2, 1), padding=(1, 2), dilation=1, groups=1), True),
    (2, 1, 4, (7, 7), 4, (3, 3), dict(stride=1, padding="same", dilation=(2, 1), groups=4), True),
    (2, 2, 2, (5, 6), 3, (2, 3), dict(stride=1, padding="same", dilation=1, groups=1), True),
    (3, 2, 2, (4, 5, 4), 3, (2, 3, 2), dict(stride=1, padding=0, dilation=1, groups=1), True),
    (3, 1, 4, (5, 5, 6), 2, (3, 2, 3), dict(stride=(2, 1, 2), padding=(1, 0, 1), dilation=(1, 2, 1), groups=2), True),
    (3, 1, 2, (4, 4, 4), 2, (3, 3, 2), dict(stride=1, padding="same", dilation=1, groups=1), False),
]
out["conv"] = []
for nd, N, C, sp, OC, k, o, bias in conv_cases:
    fn = [None, F.conv1d, F.conv2d, F.conv3d][nd]
    x = rnd(N, C, *sp); w = rnd(OC, C // o["groups"], *k); b = rnd(OC) if bias else None
    ins, y, go, gr, _ = run(lambda x, w, b: fn(x, w, b, **o), [x, w, b])
    out["conv"].append({"nd": nd, "opts": {kk: L(v) for kk, v in o.items()}, "x": enc(x), "w": enc(w), "b": enc(b),
                        "out": enc(y), "gradOut": enc(go), "gx": enc(gr[0]), "gw": enc(gr[1]), "gb": enc(gr[2]), "gradFn": type(y.grad_fn).__name__})

convT_cases = [
    (1, 2, 3, (5,), 2, (3,), dict(stride=2, padding=1, output_padding=1, groups=1, dilation=1), True),
    (1, 1, 4, (6,), 2, (2,), dict(stride=1, padding=0, output_padding=0, groups=2, dilation=2), False),
    (2, 2, 2, (3, 4), 3, (3, 2), dict(stride=(2, 3), padding=(1, 0), output_padding=(1, 2), groups=1, dilation=1), True),
    (2, 1, 4, (4, 3), 6, (2, 3), dict(stride=2, padding=1, output_padding=0, groups=2, dilation=(2, 1)), True),
    (3, 1, 2, (2, 3, 2), 2, (2, 2, 3), dict(stride=(1, 2, 2), padding=(0, 1, 1), output_padding=(0, 1, 0), groups=1, dilation=1), True),
]
out["convTranspose"] = []
for nd, N, C, sp, OCg, k, o, bias in convT_cases:
    fn = [None, F.conv_transpose1d, F.conv_transpose2d, F.conv_transpose3d][nd]
    x = rnd(N, C, *sp); w = rnd(C, OCg, *k); b = rnd(OCg * o["groups"]) if bias else None
    ins, y, go, gr, _ = run(lambda x, w, b: fn(x, w, b, **o), [x, w, b])
    opts = {"stride": L(o["stride"]), "padding": L(o["padding"]), "outputPadding": L(o["output_padding"]), "groups": o["groups"], "dilation": L(o["dilation"])}
    out["convTranspose"].append({"nd": nd, "opts": opts, "x": enc(x), "w": enc(w), "b": enc(b), "out": enc(y), "gradOut": enc(go),
                                 "gx": enc(gr[0]), "gw": enc(gr[1]), "gb": enc(gr[2])})

# modules: padding modes, unbatched input, ConvTranspose output_size
out["convModule"] = []
mod_cases = [
    ("Conv1d", (2, 3, 3), dict(padding=2, padding_mode="reflect"), (2, 2, 6), None),
    ("Conv1d", (2, 2, 4), dict(padding="same", padding_mode="circular"), (1, 2, 7), None),
    ("Conv2d", (2, 3, 3), dict(padding=1, padding_mode="reflect"), (2, 2, 5, 6), None),
    ("Conv2d", (3, 2, (2, 3)), dict(padding=(1, 2), padding_mode="replicate", stride=2), (1, 3, 5, 5), None),
    ("Conv2d", (2, 4, 3), dict(padding=(2, 1), padding_mode="circular", groups=2, bias=False), (2, 2, 4, 5), None),
    ("Conv2d", (2, 2, 3), dict(padding="same", padding_mode="reflect"), (2, 5, 5), None),
    ("Conv3d", (1, 2, 2), dict(padding=1, padding_mode="replicate"), (1, 1, 3, 3, 3), None),
    ("ConvTranspose2d", (2, 3, 3), dict(stride=2, padding=1), (1, 2, 4, 3), [8, 6]),
    ("ConvTranspose1d", (2, 2, 3), dict(stride=3), (2, 2, 4), [1, 2, 13]),
]
for cls, args, kw, xs, osz in mod_cases:
    torch.manual_seed(0)
    m = getattr(nn, cls)(*args, **kw).double()
    x = rnd(*xs).requires_grad_()
    y = m(x, osz) if osz is not None else m(x)
    go = rnd(*y.shape)
    y.backward(go)
    kwo = {{"padding_mode": "paddingMode", "output_padding": "outputPadding"}.get(a, a): L(v) for a, v in kw.items()}
    out["convModule"].append({"cls": cls, "args": [L(a) for a in args], "opts": kwo, "outputSize": osz, "w": enc(m.weight),
                              "b": enc(m.bias) if m.bias is not None else None, "x": enc(x), "out": enc(y), "gradOut": enc(go),
                              "gx": enc(x.grad), "gw": enc(m.weight.grad), "gb": enc(m.bias.grad) if m.bias is not None else None})

# unfold / fold
out["unfold"] = []
for shape, k, o in [((2, 3, 5, 6), (2, 3), dict(dilation=1, padding=0, stride=1)),
                    ((1, 2, 6, 7), 3, dict(dilation=(1, 2), padding=(1, 2), stride=(2, 1)))]:
    x = rnd(*shape)
    ins, y, go, gr, _ = run(lambda x: F.unfold(x, k, **o), [x])
    out["unfold"].append({"k": L(k), "opts": {a: L(v) for a, v in o.items()}, "x": enc(x), "out": enc(y), "gradOut": enc(go), "gx": enc(gr[0])})
out["fold"] = []
for shape, os_, k, o in [((2, 12, 12), (4, 5), (2, 2), dict(dilation=1, padding=0, stride=1)),
                         ((1, 18, 21), (6, 7), 3, dict(dilation=(1, 2), padding=(1, 2), stride=(2, 1)))]:
    x = rnd(*shape)
    ins, y, go, gr, _ = run(lambda x: F.fold(x, os_, k, **o), [x])
    out["fold"].append({"outputSize": L(os_), "k": L(k), "opts": {a: L(v) for a, v in o.items()}, "x": enc(x), "out": enc(y), "gradOut": enc(go), "gx": enc(gr[0])})

# default init
out["init"] = {}
for name, ctor in [("conv1d", lambda: nn.Conv1d(3, 4, 3)), ("conv3d", lambda: nn.Conv3d(2, 3, (2, 3, 2), groups=1)),
                   ("convT2d", lambda: nn.ConvTranspose2d(4, 6, 3, groups=2)), ("convT1d", lambda: nn.ConvTranspose1d(3, 2, 4))]:
    torch.manual_seed(0)
    m = ctor()
    out["init"][name] = {"weight": enc(m.weight), "bias": enc(m.bias)}

# ---- pooling --------------------------------------------------------------------------------------
out["pool"] = []


def pool_case(fn, ts_opts, x, f, with_indices=False, grad=True):
    ins, y, go, gr, ind = run(f, [x])
    out["pool"].append({"fn": fn, "opts": ts_opts, "x": enc(x), "out": enc(y), "indices": enc(ind) if ind is not None else None,
                        "gradOut": enc(go), "gx": enc(gr[0]), "gradFn": type(y.grad_fn).__name__})


for k, s, p, d, c, shape in [(3, None, 0, 1, False, (2, 3, 10)), (3, 2, 1, 2, True, (1, 2, 9)), (2, 1, 1, 1, False, (3, 7))]:
    pool_case("maxPool1d", {"kernelSize": k, "stride": s, "padding": p, "dilation": d, "ceilMode": c, "returnIndices": True}, rnd(*shape),
              lambda x: F.max_pool1d(x, k, s, p, d, ceil_mode=c, return_indices=True))
for k, s, p, d, c, shape in [(2, None, 0, 1, False, (2, 2, 6, 6)), (3, 2, 1, 1, True, (1, 2, 7, 8)), ((3, 2), (2, 1), (1, 0), (1, 2), True, (2, 6, 7))]:
    pool_case("maxPool2d", {"kernelSize": L(k), "stride": L(s), "padding": L(p), "dilation": L(d), "ceilMode": c, "returnIndices": True}, rnd(*shape),
              lambda x: F.max_pool2d(x, k, s, p, d, ceil_mode=c, return_indices=True))
for k, s, p, c, cip, shape in [(3, None, 0, False, True, (2, 3, 10)), (3, 2, 1, True, False, (1, 2, 8)), (4, 3, 2, True, True, (2, 9))]:
    pool_case("avgPool1d", {"kernelSize": k, "stride": s, "padding": p, "ceilMode": c, "countIncludePad": cip}, rnd(*shape),
              lambda x: F.avg_pool1d(x, k, s, p, c, cip))
for k, s, p, c, cip, dv, shape in [(2, None, 0, False, True, None, (2, 2, 6, 6)), (3, 2, 1, True, False, None, (1, 2, 7, 8)),
                                   ((3, 2), (2, 1), (1, 1), True, True, 4, (2, 6, 7))]:
    pool_case("avgPool2d", {"kernelSize": L(k), "stride": L(s), "padding": L(p), "ceilMode": c, "countIncludePad": cip, "divisorOverride": dv}, rnd(*shape),
              lambda x: F.avg_pool2d(x, k, s, p, c, cip, dv))
for os_, shape in [(4, (2, 3, 10)), (3, (2, 7)), (5, (1, 2, 5))]:
    pool_case("adaptiveAvgPool1d", {"outputSize": os_}, rnd(*shape), lambda x: F.adaptive_avg_pool1d(x, os_))
for os_, shape in [((3, 2), (2, 2, 7, 5)), ((4, None), (2, 6, 6)), (1, (1, 3, 4, 4)), ((5, 7), (1, 1, 3, 4))]:
    pool_case("adaptiveAvgPool2d", {"outputSize": L(os_)}, rnd(*shape), lambda x: F.adaptive_avg_pool2d(x, os_))
for os_, shape in [((2, 3, 2), (1, 2, 5, 4, 6))]:
    pool_case("adaptiveAvgPool3d", {"outputSize": L(os_)}, rnd(*shape), lambda x: F.adaptive_avg_pool3d(x, os_))
for os_, shape in [(4, (2, 3, 10)), (3, (2, 7))]:
    pool_case("adaptiveMaxPool1d", {"outputSize": os_}, rnd(*shape), lambda x: F.adaptive_max_pool1d(x, os_, True))
for os_, shape in [((3, 2), (2, 2, 7, 5)), ((4, None), (2, 6, 6)), ((5, 7), (1, 1, 3, 4))]:
    pool_case("adaptiveMaxPool2d", {"outputSize": L(os_)}, rnd(*shape), lambda x: F.adaptive_max_pool2d(x, os_, True))
for p, k, s, c, shape in [(2, 2, None, False, (2, 2, 6, 6)), (3, (3, 2), (2, 1), True, (1, 2, 7, 5)), (1.5, 2, 1, False, (2, 5, 5))]:
    xin = rnd(*shape).abs() + 0.1
    pool_case("lpPool2d", {"normType": p, "kernelSize": L(k), "stride": L(s), "ceilMode": c}, xin, lambda x: F.lp_pool2d(x, p, k, s, c))
for p, k, s, c, shape in [(2, 3, None, False, (2, 2, 9)), (3, 2, 1, True, (2, 6))]:
    xin = rnd(*shape).abs() + 0.1
    pool_case("lpPool1d", {"normType": p, "kernelSize": k, "stride": s, "ceilMode": c}, xin, lambda x: F.lp_pool1d(x, p, k, s, c))

out["unpool"] = []
for nd, k, s, p, shape, osz in [(2, 2, None, 0, (2, 2, 6, 6), None), (2, 3, 2, 1, (1, 2, 7, 7), [8, 8]), (1, 2, None, 0, (2, 3, 8), None), (1, 3, 2, 1, (1, 2, 9), [10])]:
    x = rnd(*shape)
    if nd == 2:
        pooled, ind = F.max_pool2d(x, k, s, p, return_indices=True)
        f = lambda v: F.max_unpool2d(v, ind, k, s, p, osz)
    else:
        pooled, ind = F.max_pool1d(x, k, s, p, return_indices=True)
        f = lambda v: F.max_unpool1d(v, ind, k, s, p, osz)
    ins, y, go, gr, _ = run(f, [pooled])
    out["unpool"].append({"nd": nd, "k": k, "stride": s, "padding": p, "outputSize": osz, "x": enc(pooled), "indices": enc(ind),
                          "out": enc(y), "gradOut": enc(go), "gx": enc(gr[0])})

# ---- padding --------------------------------------------------------------------------------------
out["pad"] = []
for shape, pad, mode, value in [
        ((2, 3, 4), (1, 2), "constant", 0.5), ((2, 3, 4), (2, -1, 1, 0), "constant", 0.0), ((1, 2, 3, 2, 3), (1, 1, 0, 2, 1, 0, 1, 1), "constant", -1.0),
        ((2, 3, 4), (-1, -1, 2, 1, 1, 0), "constant", 2.0),
        ((2, 5), (2, 3), "reflect", None), ((1, 2, 5), (4, 1), "reflect", None), ((2, 2, 4, 5), (1, 2, 3, 1), "reflect", None), ((3, 4, 4), (3, 0, 1, 2), "reflect", None),
        ((1, 1, 3, 4, 4), (1, 1, 2, 0, 1, 2), "reflect", None),
        ((2, 5), (2, 3), "replicate", None), ((2, 2, 4, 5), (3, 2, 0, 4), "replicate", None), ((2, 3, 3, 4), (1, 2, 1, 0, 2, 1), "replicate", None),
        ((1, 2, 5), (2, 3), "circular", None), ((2, 2, 4, 5), (3, 2, 4, 1), "circular", None), ((1, 2, 2, 3, 4), (1, 2, 1, 0, 2, 1), "circular", None)]:
    x = rnd(*shape)
    f = (lambda x: F.pad(x, pad, mode, value)) if value is not None else (lambda x: F.pad(x, pad, mode))
    ins, y, go, gr, _ = run(f, [x])
    out["pad"].append({"pad": list(pad), "mode": mode, "value": value, "x": enc(x), "out": enc(y), "gradOut": enc(go), "gx": enc(gr[0]), "gradFn": type(y.grad_fn).__name__})

# ---- interpolation --------------------------------------------------------------------------------
out["interp"] = []
interp_cases = [
    ((2, 2, 5), dict(size=8, mode="nearest")), ((2, 2, 5), dict(scale_factor=1.7, mode="nearest")), ((1, 2, 4, 5), dict(size=(7, 3), mode="nearest")),
    ((1, 2, 3, 4), dict(scale_factor=2, mode="nearest")), ((1, 1, 5, 7), dict(scale_factor=(0.6, 1.5), mode="nearest")),
    ((1, 1, 2, 3, 3), dict(size=(3, 5, 2), mode="nearest")),
    ((2, 2, 5), dict(size=8, mode="nearest-exact")), ((1, 2, 5, 6), dict(scale_factor=(1.5, 0.7), mode="nearest-exact")),
    ((2, 2, 5), dict(size=9, mode="linear", align_corners=False)), ((2, 2, 5), dict(size=3, mode="linear", align_corners=True)),
    ((2, 1, 6), dict(scale_factor=1.5, mode="linear", align_corners=False)),
    ((1, 2, 4, 5), dict(size=(7, 8), mode="bilinear", align_corners=False)), ((1, 2, 4, 5), dict(size=(7, 3), mode="bilinear", align_corners=True)),
    ((1, 1, 5, 5), dict(scale_factor=0.6, mode="bilinear", align_corners=False)),
    ((1, 1, 5, 5), dict(scale_factor=1.3, mode="bilinear", align_corners=False, recompute_scale_factor=True)),
    ((1, 2, 4, 5), dict(size=(7, 8), mode="bicubic", align_corners=False)), ((1, 1, 4, 5), dict(size=(6, 3), mode="bicubic", align_corners=True)),
    ((1, 1, 5, 4), dict(scale_factor=1.5, mode="bicubic", align_corners=False)),
    ((1, 1, 2, 3, 4), dict(size=(4, 5, 3), mode="trilinear", align_corners=False)),
    ((1, 2, 7, 5), dict(size=(3, 2), mode="area")),
]
for shape, o in interp_cases:
    for dtype in ([torch.float64, torch.float32] if o["mode"] in ("nearest", "bilinear", "bicubic", "nearest-exact") else [torch.float64]):
        x = rnd(*shape, dtype=dtype)
        ins, y, go, gr, _ = run(lambda x: F.interpolate(x, **o), [x])
        ts = {{"scale_factor": "scaleFactor", "align_corners": "alignCorners", "recompute_scale_factor": "recomputeScaleFactor"}.get(a, a): L(v) for a, v in o.items()}
        out["interp"].append({"opts": ts, "x": enc(x), "out": enc(y), "gradOut": enc(go), "gx": enc(gr[0]), "gradFn": type(y.grad_fn).__name__})

out["pixelShuffle"] = []
for fn, r, shape in [("pixelShuffle", 2, (2, 8, 2, 3)), ("pixelShuffle", 3, (9, 2, 2)), ("pixelUnshuffle", 2, (1, 2, 4, 6)), ("pixelUnshuffle", 2, (2, 1, 2, 2, 4))]:
    x = rnd(*shape)
    f = (lambda x: F.pixel_shuffle(x, r)) if fn == "pixelShuffle" else (lambda x: F.pixel_unshuffle(x, r))
    ins, y, go, gr, _ = run(f, [x])
    out["pixelShuffle"].append({"fn": fn, "r": r, "x": enc(x), "out": enc(y), "gradOut": enc(go), "gx": enc(gr[0])})

# ---- grid_sample / affine_grid ------------------------------------------------------------------
out["gridSample"] = []
for mode in ["bilinear", "nearest"]:
    for pm in ["zeros", "border", "reflection"]:
        for align in [False, True]:
            x = rnd(2, 2, 4, 5)
            grid = (torch.rand(2, 3, 4, 2, generator=g, dtype=torch.float64) * 2.6 - 1.3)
            ins, y, go, gr, _ = run(lambda x, gd: F.grid_sample(x, gd, mode=mode, padding_mode=pm, align_corners=align), [x, grid])
            out["gridSample"].append({"opts": {"mode": mode, "paddingMode": pm, "alignCorners": align}, "x": enc(x), "grid": enc(grid),
                                      "out": enc(y), "gradOut": enc(go), "gx": enc(gr[0]), "ggrid": enc(gr[1])})
out["affineGrid"] = []
for size, align in [((2, 3, 4, 5), False), ((2, 1, 3, 2), True), ((1, 1, 1, 3), False), ((2, 1, 2, 3, 2), False), ((1, 1, 3, 2, 2), True)]:
    theta = rnd(size[0], len(size) - 2, len(size) - 1)
    ins, y, go, gr, _ = run(lambda t: F.affine_grid(t, size, align_corners=align), [theta])
    out["affineGrid"].append({"size": list(size), "alignCorners": align, "theta": enc(theta), "out": enc(y), "gradOut": enc(go), "gtheta": enc(gr[0])})

# ---- reprs ---------------------------------------------------------------------------------------
reprs = {
    "conv1d": nn.Conv1d(3, 4, 3), "conv1dFull": nn.Conv1d(4, 6, 3, stride=2, padding=1, dilation=2, groups=2, bias=False, padding_mode="reflect"),
    "conv2dSame": nn.Conv2d(2, 3, (3, 5), padding="same", padding_mode="circular"), "conv3d": nn.Conv3d(2, 4, (2, 3, 2), stride=(1, 2, 1), padding=1),
    "convT1d": nn.ConvTranspose1d(3, 2, 4, stride=2, output_padding=1), "convT2d": nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, groups=2, dilation=2, bias=False),
    "unfold": nn.Unfold((2, 3), dilation=1, padding=1, stride=2), "fold": nn.Fold((4, 5), 2),
    "maxPool1d": nn.MaxPool1d(3, 2, 1), "maxPool2d": nn.MaxPool2d((2, 3), ceil_mode=True), "avgPool1d": nn.AvgPool1d(3), "avgPool2d": nn.AvgPool2d(3, 2, 1),
    "adaptiveAvgPool1d": nn.AdaptiveAvgPool1d(4), "adaptiveAvgPool2d": nn.AdaptiveAvgPool2d((3, None)), "adaptiveMaxPool2d": nn.AdaptiveMaxPool2d((2, 3)),
    "adaptiveMaxPool1d": nn.AdaptiveMaxPool1d(5), "maxUnpool2d": nn.MaxUnpool2d(2), "maxUnpool1d": nn.MaxUnpool1d(3, 2, 1),
    "lpPool2d": nn.LPPool2d(2, 3), "lpPool1d": nn.LPPool1d(3, 2, 1),
    "zeroPad2d": nn.ZeroPad2d((1, 2, 3, 4)), "constantPad1d": nn.ConstantPad1d(2, 3.5), "constantPad2d": nn.ConstantPad2d((1, 0, 2, 1), -1.5),
    "reflectionPad1d": nn.ReflectionPad1d(2), "reflectionPad2d": nn.ReflectionPad2d((1, 2, 0, 1)), "replicationPad1d": nn.ReplicationPad1d((3, 1)),
    "replicationPad2d": nn.ReplicationPad2d(2), "replicationPad3d": nn.ReplicationPad3d(1),
    "upsample": nn.Upsample(scale_factor=2), "upsampleSize": nn.Upsample(size=(4, 5), mode="bilinear", align_corners=True),
    "upsampleTuple": nn.Upsample(scale_factor=(2, 3), mode="nearest"), "upsamplingNearest2d": nn.UpsamplingNearest2d(scale_factor=3),
    "upsamplingBilinear2d": nn.UpsamplingBilinear2d(size=7), "pixelShuffle": nn.PixelShuffle(3), "pixelUnshuffle": nn.PixelUnshuffle(2),
}
out["reprs"] = {k: repr(v) for k, v in reprs.items()}

# ---- errors --------------------------------------------------------------------------------------
def err(f):
    try:
        f()
    except Exception as e:  # noqa: BLE001
        return {"type": type(e).__name__, "msg": str(e).split("\n")[0]}
    raise AssertionError("expected an error")


z = torch.zeros
out["errors"] = {
    "conv2dRank": err(lambda: F.conv2d(z(2, 3), z(4, 3, 1, 1))),
    "conv2dModuleRank": err(lambda: nn.Conv2d(3, 4, 3)(z(1, 1, 3, 5, 5))),
    "conv2dChannels": err(lambda: F.conv2d(z(1, 4, 5, 5), z(2, 3, 3, 3))),
    "conv1dRank": err(lambda: F.conv1d(z(2, 3, 4, 5), z(4, 3, 1))),
    "conv3dRank": err(lambda: F.conv3d(z(2, 3, 4), z(4, 3, 1, 1, 1))),
    "conv1dChannelsGroups": err(lambda: F.conv1d(z(1, 4, 5), z(2, 1, 3), groups=2)),
    "convKernelTooBig": err(lambda: F.conv2d(z(1, 1, 3, 3), z(1, 1, 4, 4))),
    "convSameStrided": err(lambda: F.conv2d(z(1, 1, 5, 5), z(1, 1, 3, 3), stride=2, padding="same")),
    "convModuleSameStrided": err(lambda: nn.Conv2d(1, 1, 3, stride=2, padding="same")),
    "convModuleGroups": err(lambda: nn.Conv2d(3, 4, 3, groups=2)),
    "convModulePadMode": err(lambda: nn.Conv2d(3, 4, 3, padding_mode="wrap")),
    "convTModulePadMode": err(lambda: nn.ConvTranspose2d(3, 4, 3, padding_mode="reflect")),
    "convTOutputSize": err(lambda: nn.ConvTranspose2d(2, 3, 3, stride=2)(z(1, 2, 4, 4), [12, 9])),
    "foldBlocks": err(lambda: F.fold(z(1, 12, 8), (4, 5), 2)),
    "foldDivisible": err(lambda: F.fold(z(1, 10, 12), (4, 5), 2)),
    "padOdd": err(lambda: F.pad(z(2, 3), (1, 2, 3))),
    "padTooLong": err(lambda: F.pad(z(2, 3), (1, 1, 1, 1, 1, 1))),
    "padReflectTooBig": err(lambda: F.pad(z(1, 2, 3), (3, 1), "reflect")),
    "padReflectRank": err(lambda: F.pad(z(3), (1, 1), "reflect")),
    "padNegative": err(lambda: F.pad(z(2, 3), (-2, -2))),
    "padCircularWrap": err(lambda: F.pad(z(1, 2, 3), (4, 0), "circular")),
    "interpAlignNearest": err(lambda: F.interpolate(z(1, 1, 4), size=3, align_corners=True)),
    "interpBothSizes": err(lambda: F.interpolate(z(1, 1, 4), size=3, scale_factor=2)),
    "interpNoSize": err(lambda: F.interpolate(z(1, 1, 4))),
    "interpBilinear3d": err(lambda: F.interpolate(z(1, 1, 4), size=3, mode="bilinear")),
    "interpLinear4d": err(lambda: F.interpolate(z(1, 1, 4, 4), size=3, mode="linear")),
    "interpSizeLen": err(lambda: F.interpolate(z(1, 1, 4, 4), size=(3, 4, 5))),
    "pixelShuffleDiv": err(lambda: F.pixel_shuffle(z(1, 5, 2, 2), 2)),
    "pixelUnshuffleDiv": err(lambda: F.pixel_unshuffle(z(1, 1, 3, 4), 2)),
    "gridSampleMode": err(lambda: F.grid_sample(z(1, 1, 3, 3), z(1, 2, 2, 2), mode="area", align_corners=False)),
    "gridSampleBatch": err(lambda: F.grid_sample(z(1, 1, 3, 3), z(2, 2, 2, 2), align_corners=False)),
    "affineGridShape": err(lambda: F.affine_grid(z(1, 3, 3), [1, 1, 2, 2], align_corners=False)),
    "maxPoolRank": err(lambda: F.max_pool2d(z(3, 3), 2)),
    "maxPoolPad": err(lambda: F.max_pool2d(z(1, 1, 5, 5), 2, padding=2)),
    "adaptiveAvgRank": err(lambda: F.adaptive_avg_pool2d(z(3, 3), 2)),
    "unpoolIndices": err(lambda: F.max_unpool2d(z(1, 1, 2, 2), torch.zeros(1, 1, 2, 3, dtype=torch.int64), 2)),
}

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "nn-spatial.json")
with open(path, "w") as f:
    json.dump(out, f, separators=(",", ":"))
print(f"wrote {path}: {os.path.getsize(path)} bytes")
