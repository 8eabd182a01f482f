#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Generates test/fixtures/nn-seq.json from real PyTorch (Debian's 1.13): LayerNorm / RMSNorm,
# RNN / LSTM / GRU and their cells (default init after manual_seed, outputs, final states and
# input / state / parameter gradients, packed sequences), nn.utils (clip_grad_*, parameter
# vectors, pad / pack sequences), scaled dot-product attention, MultiheadAttention and the
# Transformer layers (eval mode), reprs and error messages.
# Run: /usr/bin/python3 scripts/gen_nn_seq_fixtures.py
import json
import math
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils import rnn as rnn_utils

sys.path.insert(0, os.path.dirname(__file__))
from fixture_encoding import enc_tensor  # noqa: E402

g = torch.Generator().manual_seed(4321)


def enc(t):
    return None if t is None else enc_tensor(t)


def rnd(*shape, dtype=torch.float64):
    return torch.randn(*shape, generator=g, dtype=dtype)


def sd(m):
    return {k: enc(v) for k, v in m.state_dict().items()}


def grads(m):
    return {k: enc(p.grad) for k, p in m.named_parameters() if p.grad is not None}


def err(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001
        return {"type": type(e).__name__, "message": str(e)}
    raise AssertionError("expected an error")


out = {}

# ---- LayerNorm / RMSNorm ------------------------------------------------------------------------
ln_cases = []
for shape, ns, affine in [((2, 3, 4), (4,), True), ((3, 2, 5), (2, 5), True), ((4, 6), (6,), False), ((2, 3, 4), (3, 4), True)]:
    x = rnd(*shape).requires_grad_()
    w = rnd(*ns).requires_grad_() if affine else None
    b = rnd(*ns).requires_grad_() if affine else None
    y = F.layer_norm(x, ns, w, b, eps=1e-5)
    go = rnd(*y.shape)
    y.backward(go)
    ln_cases.append({"x": enc(x), "ns": list(ns), "w": enc(w), "b": enc(b), "out": enc(y), "gradOut": enc(go), "gx": enc(x.grad),
                     "gw": enc(w.grad) if affine else None, "gb": enc(b.grad) if affine else None})
# weight without bias (LayerNorm(bias=False) in newer PyTorch)
x = rnd(3, 4).requires_grad_(); w = rnd(4).requires_grad_()
y = F.layer_norm(x, (4,), w, None, eps=1e-3); go = rnd(3, 4); y.backward(go)
ln_cases.append({"x": enc(x), "ns": [4], "w": enc(w), "b": None, "eps": 1e-3, "out": enc(y), "gradOut": enc(go), "gx": enc(x.grad), "gw": enc(w.grad), "gb": None})
out["layerNorm"] = ln_cases
# non-contiguous input (a transpose)
xb = rnd(5, 3)
out["layerNormT"] = {"base": enc(xb), "out": enc(F.layer_norm(xb.t(), (5,)))}


def rms_ref(x, ns, w, eps):
    dims = tuple(range(-len(ns), 0))
    if eps is None:
        eps = torch.finfo(x.dtype).eps
    y = x * torch.rsqrt(x.pow(2).mean(dims, keepdim=True) + eps)
    return y * w if w is not None else y


rms_cases = []
for shape, ns, affine, eps, dtype in [((2, 3, 4), (4,), True, None, torch.float64), ((3, 2, 5), (2, 5), True, 1e-6, torch.float64),
                                      ((4, 6), (6,), False, None, torch.float32), ((3, 4), (4,), True, None, torch.float32)]:
    x = rnd(*shape, dtype=dtype).requires_grad_()
    w = rnd(*ns, dtype=dtype).requires_grad_() if affine else None
    y = rms_ref(x, ns, w, eps)
    go = rnd(*y.shape, dtype=dtype)
    y.backward(go)
    rms_cases.append({"x": enc(x), "ns": list(ns), "w": enc(w), "eps": eps, "out": enc(y), "gradOut": enc(go), "gx": enc(x.grad),
                      "gw": enc(w.grad) if affine else None})
out["rmsNorm"] = rms_cases
out["normRepr"] = {
    "ln": str(nn.LayerNorm(4)), "ln2": str(nn.LayerNorm([3, 4], eps=1e-6, elementwise_affine=False)),
    "lnErr": err(lambda: nn.LayerNorm(4)(torch.randn(2, 3))),
}

# ---- RNN / LSTM / GRU ------------------------------------------------------------------------------
def init_of(make):
    torch.manual_seed(0)
    m = make()
    return {"keys": list(m.state_dict().keys()), "shapes": [list(v.shape) for v in m.state_dict().values()], "sd": sd(m), "repr": str(m)}


out["rnnInit"] = {
    "rnn": init_of(lambda: nn.RNN(3, 4, num_layers=2, bidirectional=True)),
    "lstm": init_of(lambda: nn.LSTM(3, 5, num_layers=2, proj_size=2, bidirectional=True, batch_first=True)),
    "gru": init_of(lambda: nn.GRU(3, 4, bias=False, dropout=0.25, num_layers=2)),
    "rnnRelu": init_of(lambda: nn.RNN(2, 3, nonlinearity="relu", batch_first=True)),
    "rnnCell": init_of(lambda: nn.RNNCell(3, 4, nonlinearity="relu", bias=False)),
    "lstmCell": init_of(lambda: nn.LSTMCell(3, 4)),
    "gruCell": init_of(lambda: nn.GRUCell(3, 4)),
}


def rnn_case_cot(kind, ctor, x_shape, with_h0, opts):
    """Like rnn_case, but records the cotangents so the TS side backpropagates the same ones."""
    torch.manual_seed(7)
    m = getattr(nn, kind)(*ctor, **opts).double()
    x = rnd(*x_shape).requires_grad_()
    D = 2 if opts.get("bidirectional") else 1
    L = opts.get("num_layers", 1)
    H = ctor[1]
    Hout = opts.get("proj_size", 0) or H
    batched = len(x_shape) == 3
    B = (x_shape[0] if opts.get("batch_first") else x_shape[1]) if batched else None
    hs = (L * D, B, Hout) if batched else (L * D, Hout)
    cs = (L * D, B, H) if batched else (L * D, H)
    h0 = c0 = None
    if with_h0:
        h0 = rnd(*hs).requires_grad_()
        if kind == "LSTM":
            c0 = rnd(*cs).requires_grad_()
    hx = (h0, c0) if kind == "LSTM" and with_h0 else h0
    y, hn = m(x, hx)
    gy = rnd(*y.shape)
    hns = list(hn) if kind == "LSTM" else [hn]
    ghs = [rnd(*h.shape) for h in hns]
    torch.autograd.backward([y] + hns, [gy] + ghs)
    return {"kind": kind, "ctor": list(ctor), "opts": dict(opts), "sd": sd(m), "x": enc(x), "h0": enc(h0), "c0": enc(c0),
            "out": enc(y), "hn": [enc(h) for h in hns], "gy": enc(gy), "ghn": [enc(t) for t in ghs], "gx": enc(x.grad),
            "gh0": enc(h0.grad) if h0 is not None else None, "gc0": enc(c0.grad) if c0 is not None else None, "gparams": grads(m)}


out["rnn"] = [
    rnn_case_cot("RNN", (3, 4), (5, 2, 3), True, {}),
    rnn_case_cot("RNN", (3, 4), (2, 5, 3), False, {"num_layers": 2, "bidirectional": True, "batch_first": True}),
    rnn_case_cot("RNN", (2, 3), (4, 2), True, {"nonlinearity": "relu", "bias": False}),
    rnn_case_cot("LSTM", (3, 4), (5, 2, 3), True, {}),
    rnn_case_cot("LSTM", (3, 5), (2, 4, 3), True, {"num_layers": 2, "proj_size": 2, "bidirectional": True, "batch_first": True}),
    rnn_case_cot("LSTM", (3, 4), (4, 3), False, {"bidirectional": True}),
    rnn_case_cot("GRU", (3, 4), (5, 2, 3), True, {}),
    rnn_case_cot("GRU", (3, 4), (4, 3, 3), True, {"num_layers": 2, "bidirectional": True, "bias": False}),
]


# packed sequences through the RNNs (unsorted lengths: enforce_sorted=False)
def packed_case(kind, opts):
    torch.manual_seed(11)
    m = getattr(nn, kind)(3, 4, **opts).double()
    lengths = [3, 5, 2]
    x = rnd(5, 3, 3).requires_grad_()
    packed = rnn_utils.pack_padded_sequence(x, lengths, enforce_sorted=False)
    D = 2 if opts.get("bidirectional") else 1
    L = opts.get("num_layers", 1)
    h0 = rnd(L * D, 3, 4).requires_grad_()
    hx = (h0, rnd(L * D, 3, 4)) if kind == "LSTM" else h0
    y, hn = m(packed, hx)
    padded, lens = rnn_utils.pad_packed_sequence(y, total_length=6)
    gy = rnd(*padded.shape)
    hns = list(hn) if kind == "LSTM" else [hn]
    ghs = [rnd(*h.shape) for h in hns]
    torch.autograd.backward([padded] + hns, [gy] + ghs)
    return {"kind": kind, "opts": dict(opts), "sd": sd(m), "x": enc(x), "lengths": lengths, "h0": enc(h0),
            "c0": enc(hx[1]) if kind == "LSTM" else None, "packedData": enc(y.data), "batchSizes": enc(y.batch_sizes),
            "sortedIndices": enc(y.sorted_indices), "padded": enc(padded), "lens": enc(lens), "hn": [enc(h) for h in hns],
            "gy": enc(gy), "ghn": [enc(t) for t in ghs], "gx": enc(x.grad), "gh0": enc(h0.grad), "gparams": grads(m)}


out["rnnPacked"] = [packed_case("GRU", {"bidirectional": True}), packed_case("LSTM", {"num_layers": 2, "bidirectional": True}),
                    packed_case("RNN", {})]


def cell_case(kind, opts, batched):
    torch.manual_seed(3)
    m = getattr(nn, kind)(3, 4, **opts).double()
    x = rnd(2, 3).requires_grad_() if batched else rnd(3).requires_grad_()
    hs = (2, 4) if batched else (4,)
    h = rnd(*hs).requires_grad_()
    if kind == "LSTMCell":
        c = rnd(*hs).requires_grad_()
        h1, c1 = m(x, (h, c))
        gh, gc = rnd(*hs), rnd(*hs)
        torch.autograd.backward([h1, c1], [gh, gc])
        return {"kind": kind, "opts": opts, "sd": sd(m), "x": enc(x), "h": enc(h), "c": enc(c), "out": [enc(h1), enc(c1)],
                "gout": [enc(gh), enc(gc)], "gx": enc(x.grad), "gh": enc(h.grad), "gc": enc(c.grad), "gparams": grads(m)}
    h1 = m(x, h)
    gh = rnd(*hs)
    h1.backward(gh)
    return {"kind": kind, "opts": opts, "sd": sd(m), "x": enc(x), "h": enc(h), "out": [enc(h1)], "gout": [enc(gh)],
            "gx": enc(x.grad), "gh": enc(h.grad), "gparams": grads(m)}


out["cells"] = [cell_case("RNNCell", {}, True), cell_case("RNNCell", {"nonlinearity": "relu", "bias": False}, False),
                cell_case("LSTMCell", {}, True), cell_case("LSTMCell", {}, False), cell_case("GRUCell", {}, True),
                cell_case("GRUCell", {"bias": False}, False)]

out["rnnErrors"] = {
    "inputSize": err(lambda: nn.LSTM(4, 3)(torch.randn(5, 2, 3))),
    "hidden": err(lambda: nn.RNN(3, 4)(torch.randn(5, 2, 3), torch.randn(1, 3, 4))),
    "hidden0": err(lambda: nn.LSTM(3, 4)(torch.randn(5, 2, 3), (torch.randn(1, 3, 4), torch.randn(1, 2, 4)))),
    "hidden1": err(lambda: nn.LSTM(3, 4)(torch.randn(5, 2, 3), (torch.randn(1, 2, 4), torch.randn(2, 2, 4)))),
    "unbatchedHx": err(lambda: nn.GRU(3, 4)(torch.randn(5, 3), torch.randn(1, 2, 4))),
    "batchedHx": err(lambda: nn.GRU(3, 4)(torch.randn(5, 2, 3), torch.randn(2, 4))),
    "dropout": err(lambda: nn.GRU(3, 4, dropout=1.5)),
    "proj": err(lambda: nn.LSTM(3, 4, proj_size=4)),
    "projNeg": err(lambda: nn.LSTM(3, 4, proj_size=-1)),
    "projRnn": err(lambda: nn.RNN(3, 4, proj_size=2)),
}

# ---- nn.utils ---------------------------------------------------------------------------------------
def clip_case(norm_type, max_norm):
    ps = [torch.nn.Parameter(rnd(3, 2)), torch.nn.Parameter(rnd(4)), torch.nn.Parameter(rnd(2))]
    gs = [rnd(3, 2) * 3, rnd(4), None]
    for p, gr in zip(ps, gs):
        p.grad = gr.clone() if gr is not None else None
    total = nn.utils.clip_grad_norm_(ps, max_norm, norm_type=norm_type)
    return {"normType": "inf" if norm_type == math.inf else norm_type, "maxNorm": max_norm, "grads": [enc(x) for x in gs],
            "total": enc(total), "clipped": [enc(p.grad) for p in ps]}


out["clip"] = [clip_case(2.0, 1.0), clip_case(math.inf, 0.5), clip_case(1.0, 100.0), clip_case(3.0, 0.1)]


def clip_nonfinite():
    p = torch.nn.Parameter(torch.zeros(2))
    p.grad = torch.tensor([1.0, float("inf")])
    return err(lambda: nn.utils.clip_grad_norm_([p], 1.0, error_if_nonfinite=True))


out["clipErr"] = clip_nonfinite()
cv = rnd(3, 4) * 2
p = torch.nn.Parameter(torch.zeros(3, 4, dtype=torch.float64)); p.grad = cv.clone()
nn.utils.clip_grad_value_([p], 0.7)
out["clipValue"] = {"grad": enc(cv), "clipped": enc(p.grad)}

seqs = [rnd(4, 2), rnd(2, 2), rnd(3, 2)]
out["padSeq"] = {
    "seqs": [enc(s) for s in seqs],
    "default": enc(rnn_utils.pad_sequence(seqs)),
    "batchFirst": enc(rnn_utils.pad_sequence(seqs, batch_first=True, padding_value=-1.0)),
}
# left padding (PyTorch 2.5's padding_side="left") by reversing, padding and reversing back
out["padSeq"]["left"] = enc(rnn_utils.pad_sequence([s.flip(0) for s in seqs], batch_first=True).flip(1))
packed = rnn_utils.pack_sequence(seqs, enforce_sorted=False)
out["packSeq"] = {"data": enc(packed.data), "batchSizes": enc(packed.batch_sizes), "sortedIndices": enc(packed.sorted_indices),
                  "unsortedIndices": enc(packed.unsorted_indices)}
padded, lens = rnn_utils.pad_packed_sequence(packed, batch_first=True, padding_value=9.0, total_length=5)
out["padPacked"] = {"padded": enc(padded), "lengths": enc(lens)}
xs = rnd(3, 4, 2)
pk = rnn_utils.pack_padded_sequence(xs, torch.tensor([4, 2, 1]), batch_first=True)
out["packPadded"] = {"x": enc(xs), "data": enc(pk.data), "batchSizes": enc(pk.batch_sizes)}
out["rnnUtilsErrors"] = {
    "notSorted": err(lambda: rnn_utils.pack_padded_sequence(torch.randn(3, 2, 1), [2, 3])),
    "zero": err(lambda: rnn_utils.pack_padded_sequence(torch.randn(3, 2, 1), [2, 0])),
    "len": err(lambda: rnn_utils.pack_padded_sequence(torch.randn(3, 2, 1), [3, 2, 1])),
    "total": err(lambda: rnn_utils.pad_packed_sequence(rnn_utils.pack_sequence([torch.randn(4), torch.randn(2)]), total_length=3)),
}
vec_params = [rnd(2, 3), rnd(4)]
out["vec"] = {"params": [enc(p) for p in vec_params], "vec": enc(nn.utils.parameters_to_vector(vec_params)),
              "err": err(lambda: nn.utils.vector_to_parameters([1, 2], vec_params))}

# ---- scaled dot-product attention -------------------------------------------------------------------
def sdpa_ref(q, k, v, attn_mask=None, is_causal=False, scale=None):
    L, S = q.size(-2), k.size(-2)
    scale_factor = 1 / math.sqrt(q.size(-1)) if scale is None else scale
    bias = torch.zeros(L, S, dtype=q.dtype)
    if is_causal:
        bias.masked_fill_(torch.ones(L, S, dtype=torch.bool).tril().logical_not(), float("-inf"))
    if attn_mask is not None:
        if attn_mask.dtype == torch.bool:
            bias = bias.masked_fill(attn_mask.logical_not(), float("-inf"))
        else:
            bias = attn_mask + bias
    w = torch.softmax(q @ k.transpose(-2, -1) * scale_factor + bias, dim=-1)
    return w @ v


sdpa_cases = []
for kw in [dict(), dict(is_causal=True), dict(mask="bool"), dict(mask="float", scale=0.3)]:
    q = rnd(2, 3, 4, 5).requires_grad_(); k = rnd(2, 3, 6, 5).requires_grad_(); v = rnd(2, 3, 6, 7).requires_grad_()
    mask = None
    if kw.get("mask") == "bool":
        mask = rnd(4, 6) > -0.5
        mask[:, 0] = True
    elif kw.get("mask") == "float":
        mask = rnd(4, 6)
    y = sdpa_ref(q, k, v, mask, kw.get("is_causal", False), kw.get("scale"))
    go = rnd(*y.shape); y.backward(go)
    sdpa_cases.append({"q": enc(q), "k": enc(k), "v": enc(v), "mask": enc(mask), "isCausal": kw.get("is_causal", False),
                       "scale": kw.get("scale"), "out": enc(y), "gradOut": enc(go), "gq": enc(q.grad), "gk": enc(k.grad), "gv": enc(v.grad)})
out["sdpa"] = sdpa_cases

# ---- MultiheadAttention -----------------------------------------------------------------------------
torch.manual_seed(0)
mha0 = nn.MultiheadAttention(4, 2)
torch.manual_seed(0)
mha1 = nn.MultiheadAttention(6, 3, kdim=4, vdim=5, add_bias_kv=True)
out["mhaInit"] = {"a": {"sd": sd(mha0), "keys": list(mha0.state_dict().keys()), "repr": str(mha0)},
                  "b": {"sd": sd(mha1), "keys": list(mha1.state_dict().keys()), "repr": str(mha1)}}


def mha_case(E, H, opts, L, S, N, kv_dims=None, self_attn=False, kpm=False, mask=None, need_weights=True, average=True):
    torch.manual_seed(5)
    m = nn.MultiheadAttention(E, H, **opts).double().eval()
    bf = opts.get("batch_first", False)
    kd, vd = kv_dims or (E, E)

    def shp(T, d):
        if N is None:
            return (T, d)
        return (N, T, d) if bf else (T, N, d)
    q = rnd(*shp(L, E)).requires_grad_()
    if self_attn:
        k = v = q
    else:
        k = rnd(*shp(S, kd)).requires_grad_(); v = rnd(*shp(S, vd)).requires_grad_()
    Sx = L if self_attn else S
    key_padding_mask = None
    if kpm:
        key_padding_mask = torch.zeros(N if N is not None else 1, Sx, dtype=torch.bool)
        key_padding_mask[0, -1] = True
        if N is None:
            key_padding_mask = key_padding_mask[0]
    attn_mask = None
    if mask == "bool":
        attn_mask = torch.ones(L, Sx, dtype=torch.bool).triu(1)
    elif mask == "float":
        attn_mask = rnd(L, Sx)
    elif mask == "bool3d":
        attn_mask = rnd((N or 1) * H, L, Sx) > 1.0
        attn_mask[..., 0] = False
    y, w = m(q, k, v, key_padding_mask=key_padding_mask, need_weights=need_weights, attn_mask=attn_mask, average_attn_weights=average)
    go = rnd(*y.shape)
    y.backward(go)
    return {"E": E, "H": H, "opts": opts, "selfAttn": self_attn, "sd": sd(m), "q": enc(q), "k": enc(k), "v": enc(v),
            "kpm": enc(key_padding_mask), "attnMask": enc(attn_mask), "needWeights": need_weights, "average": average,
            "out": enc(y), "weights": enc(w), "gradOut": enc(go), "gq": enc(q.grad), "gk": None if self_attn else enc(k.grad),
            "gv": None if self_attn else enc(v.grad), "gparams": grads(m)}


out["mha"] = [
    mha_case(4, 2, {}, 3, 5, 2),
    mha_case(4, 2, {"batch_first": True}, 3, 3, 2, self_attn=True, mask="bool"),
    mha_case(6, 3, {"kdim": 4, "vdim": 5}, 3, 4, 2, kv_dims=(4, 5), kpm=True, average=False),
    mha_case(4, 1, {"add_bias_kv": True, "add_zero_attn": True}, 2, 3, 2, kpm=True, mask="float"),
    mha_case(4, 2, {"bias": False}, 3, 4, None, mask="float"),
    mha_case(4, 2, {}, 3, 4, 2, mask="bool3d", need_weights=False),
]
out["mhaErrors"] = {
    "divisible": err(lambda: nn.MultiheadAttention(5, 2)),
    "mask2d": err(lambda: nn.MultiheadAttention(4, 2)(torch.randn(3, 2, 4), torch.randn(5, 2, 4), torch.randn(5, 2, 4), attn_mask=torch.zeros(3, 4))),
}


# ---- Transformer layers (eval: dropout off) ---------------------------------------------------------
def tf_case(kind, opts, shapes, call):
    torch.manual_seed(9)
    if kind == "enc":
        layer = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, **opts)
        m = nn.TransformerEncoder(layer, 2, norm=nn.LayerNorm(8))
    elif kind == "encLayer":
        m = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, **opts)
    elif kind == "decLayer":
        m = nn.TransformerDecoderLayer(8, 2, dim_feedforward=16, **opts)
    elif kind == "dec":
        m = nn.TransformerDecoder(nn.TransformerDecoderLayer(8, 2, dim_feedforward=16, **opts), 2)
    else:
        m = nn.Transformer(d_model=8, nhead=2, num_encoder_layers=2, num_decoder_layers=1, dim_feedforward=16, **opts)
    init_sd = sd(m)
    m = m.double().eval()
    ins = [rnd(*s).requires_grad_() for s in shapes]
    y = call(m, ins)
    go = rnd(*y.shape)
    y.backward(go)
    return {"kind": kind, "opts": {k: v for k, v in opts.items() if k != "activation"}, "activation": opts.get("activation") if isinstance(opts.get("activation"), str) else None,
            "initSd": init_sd, "keys": list(init_sd.keys()), "repr": str(m), "inputs": [enc(t) for t in ins], "out": enc(y),
            "gradOut": enc(go), "gin": [enc(t.grad) for t in ins], "gparams": grads(m)}


causal = nn.Transformer.generate_square_subsequent_mask(3)
out["squareMask"] = enc(causal)
kpm = torch.tensor([[False, False, False, True], [False, False, False, False]])
out["transformer"] = [
    tf_case("encLayer", {}, [(4, 2, 8)], lambda m, i: m(i[0])),
    tf_case("encLayer", {"norm_first": True, "batch_first": True, "activation": "gelu"}, [(2, 4, 8)], lambda m, i: m(i[0], src_key_padding_mask=kpm)),
    tf_case("enc", {}, [(3, 2, 8)], lambda m, i: m(i[0], mask=causal.double())),
    tf_case("decLayer", {"norm_first": True}, [(3, 2, 8), (4, 2, 8)], lambda m, i: m(i[0], i[1], tgt_mask=causal.double(), memory_key_padding_mask=kpm)),
    tf_case("dec", {"batch_first": True}, [(2, 3, 8), (2, 4, 8)], lambda m, i: m(i[0], i[1], tgt_mask=causal.double())),
    tf_case("transformer", {}, [(4, 2, 8), (3, 2, 8)], lambda m, i: m(i[0], i[1], tgt_mask=causal.double())),
]
out["transformerErrors"] = {
    "batch": err(lambda: nn.Transformer(d_model=8, nhead=2, num_encoder_layers=1, num_decoder_layers=1, dim_feedforward=8)(torch.randn(3, 2, 8), torch.randn(3, 3, 8))),
    "feature": err(lambda: nn.Transformer(d_model=8, nhead=2, num_encoder_layers=1, num_decoder_layers=1, dim_feedforward=8)(torch.randn(3, 2, 8), torch.randn(3, 2, 6))),
}

path = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "nn-seq.json")
with open(path, "w") as f:
    json.dump(out, f, separators=(",", ":"))
print(path, os.path.getsize(path), "bytes")
