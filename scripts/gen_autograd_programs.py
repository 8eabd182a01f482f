# SPDX-License-Identifier: BSD-3-Clause
"""Composite autograd programs (issue #3, "How it is proven"): multi-op programs run in PyTorch 1.13 in
float64, recording each program's inputs, auxiliary (non-differentiable) tensors, the upstream gradient
if any, PyTorch's input gradients, and for some programs second derivatives through create_graph.
test/autograd/programs.test.ts implements the same programs in torchts and compares.

Run with /usr/bin/python3 (Debian's PyTorch 1.13); writes test/fixtures/autograd-programs.json.
"""
import json
import math
import os

import torch
import torch.nn.functional as F

torch.manual_seed(0)
D = torch.float64


def enc(t):
    t = t.detach()
    if t.dtype == torch.bool:
        vals = [bool(v) for v in t.reshape(-1).tolist()]
        dt = "bool"
    elif t.dtype == torch.int64:
        vals = [int(v) for v in t.reshape(-1).tolist()]
        dt = "int64"
    else:
        vals = [float(v) for v in t.reshape(-1).tolist()]
        dt = "float64"
    return {"dtype": dt, "shape": list(t.shape), "values": vals}


def randn(*s):
    return torch.randn(*s, dtype=D)


class Cube(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * 3 * x * x


def layernorm(x, g, b):
    mu = x.mean(-1, keepdim=True)
    var = ((x - mu) ** 2).mean(-1, keepdim=True)
    return (x - mu) / torch.sqrt(var + 1e-5) * g + b


def gradient_penalty(x, w):
    out = torch.tanh(x @ w).sum()
    (g,) = torch.autograd.grad(out, x, create_graph=True)
    return ((g.norm(2, dim=1) - 1) ** 2).mean()


def inplace_nonleaf(x, y):
    z = x * 2
    z.add_(y)
    z.mul_(y)
    z.addcmul_(x, y, value=0.5)
    return z.exp_()


def inplace_view(x):
    z = x.clone()
    z[:, 1].mul_(3)
    z[0].add_(z[2])
    return (z * z).sum()


def rnn(h, W, xs):
    for t in range(xs.shape[0]):
        h = torch.tanh(xs[t] @ W + h @ W)
    return h.sum()


# Each program: input shapes (float64, requires_grad), the function of (inputs..., aux...), auxiliary
# non-differentiable tensors, whether a random upstream gradient is used, and whether to record second
# derivatives (d/dx of the sum of squared first gradients, through create_graph).
PROGRAMS = []


def prog(name, inputs, fn, aux=(), grad_out=False, second=False):
    PROGRAMS.append(dict(name=name, inputs=inputs, fn=fn, aux=aux, grad_out=grad_out, second=second))


prog("mlp_cross_entropy", [(4, 3), (3, 5), (5,), (5, 3), (3,)],
     lambda x, w1, b1, w2, b2, t: F.cross_entropy(torch.relu(x @ w1 + b1) @ w2 + b2, t),
     aux=[torch.tensor([0, 2, 1, 2])], second=True)
prog("attention", [(2, 3, 4), (2, 3, 4), (2, 3, 4)],
     lambda q, k, v: F.softmax(q @ k.transpose(-2, -1) / math.sqrt(4), dim=-1) @ v, grad_out=True, second=True)
prog("layernorm_manual", [(3, 5), (5,), (5,)], layernorm, grad_out=True, second=True)
prog("slice_cat", [(3, 4)],
     lambda x: torch.cat([x[:, 0:2] * 2, x[:, 1].unsqueeze(1).exp(), x[:, ::2]], 1), grad_out=True)
prog("stack_split", [(3, 4), (3, 4)],
     lambda x, y: (lambda p: torch.stack([p[0] * y[:, :2], p[1].sin()], 0))(x.split(2, 1)), grad_out=True)
prog("where_select", [(4, 4), (4, 4)],
     lambda x, y: torch.where(x > 0, x * y, y.exp()), grad_out=True)
prog("keepdim_normalize", [(3, 4), (4,)],
     lambda x, w: (lambda e: e / e.sum(1, keepdim=True) * w)(x.exp()), grad_out=True, second=True)
prog("max_var_norm", [(3, 5)],
     lambda x: x.max(1).values * x.var(1) + x.norm(), grad_out=True)
prog("cumsum_gather", [(3, 4)],
     lambda x, idx: x.cumsum(1).gather(1, idx) * 2,
     aux=[torch.tensor([[0, 3], [2, 2], [1, 0]])], grad_out=True)
prog("masked_fill", [(3, 4)],
     lambda x, m: (x * 3).masked_fill(m, 0).pow(2).sum(),
     aux=[torch.tensor([[True, False, False, True], [False, False, True, False], [True, True, False, False]])])
prog("inplace_nonleaf", [(3, 4), (3, 4)], inplace_nonleaf, grad_out=True)
prog("inplace_view", [(3, 4)], inplace_view)
prog("view_reshape", [(2, 3, 4)],
     lambda x: x.view(6, 4).t().reshape(2, 12).transpose(0, 1).contiguous().view(3, 8).permute(1, 0) * 1.5,
     grad_out=True)
prog("broadcasting", [(3, 1, 4), (5, 1)],
     lambda a, b: (a * b + a.sigmoid()).sum(0), grad_out=True, second=True)
prog("custom_function", [(3, 4), (4,)],
     lambda x, w: Cube.apply(x * w).sum(1) + x.tanh().sum(1), grad_out=True)
prog("gradient_penalty", [(4, 3), (3, 2)], gradient_penalty)
prog("log_softmax_nll_manual", [(4, 5)],
     lambda x, t: -F.log_softmax(x, 1).gather(1, t.unsqueeze(1)).mean(),
     aux=[torch.tensor([4, 0, 2, 2])], second=True)
prog("logsumexp_amax", [(3, 4)],
     lambda x: x.logsumexp(1) - x.amax(1) * 0.5, grad_out=True)
prog("unary_chain", [(6,)],
     lambda x: ((x.sigmoid() * x.tanh()).abs() + 1).log().sqrt(), grad_out=True, second=True)
prog("batched_matmul_relu_mean", [(2, 3, 4), (4, 5)],
     lambda a, b: (a @ b).relu().mean())
prog("standardize_cube", [(4, 6)],
     lambda x: ((x - x.mean(0)) / x.std(0)).pow(3).sum(), second=True)
prog("diamond_reuse", [(3,)],
     lambda x: (lambda y: y + y.exp() + y * x)(x * x), grad_out=True, second=True)
prog("chunk_narrow", [(4, 6)],
     lambda x: (lambda c: (c[0] * c[2] - c[1].narrow(0, 1, 2).sum()).sum())(x.chunk(3, 1)))
prog("clamp_div", [(3, 4), (3, 4)],
     lambda x, y: x.clamp(-0.5, 0.5) / (y.abs() + 1), grad_out=True)
prog("expand_mul", [(3,), (4, 3)],
     lambda x, w: (x.unsqueeze(0).expand(4, 3) * w)[1:3].sum(0), grad_out=True)
prog("rnn_loop", [(2, 3), (3, 3), (4, 2, 3)], rnn, second=True)
prog("mse_sigmoid_linear", [(5, 3), (2, 3), (2,), (5, 2)],
     lambda x, w, b, y: ((torch.sigmoid(F.linear(x, w, b)) - y) ** 2).mean(), second=True)


def main():
    cases = []
    for p in PROGRAMS:
        xs = [randn(*s).requires_grad_() for s in p["inputs"]]
        aux = list(p["aux"])
        out = p["fn"](*xs, *aux)
        g_out = randn(*out.shape) if p["grad_out"] else None
        grads = torch.autograd.grad(out, xs, grad_outputs=g_out, create_graph=p["second"], allow_unused=True)
        case = {
            "name": p["name"],
            "inputs": [enc(x) for x in xs],
            "aux": [enc(a) for a in aux],
            "output": enc(out),
            "gradOutput": enc(g_out) if g_out is not None else None,
            "grads": [enc(g) if g is not None else None for g in grads],
        }
        if p["second"]:
            # second derivatives: d/dx of sum_i (g_i * g_i).sum()
            s = sum((g * g).sum() for g in grads if g is not None)
            second = torch.autograd.grad(s, xs, allow_unused=True)
            case["second"] = [enc(g) if g is not None else None for g in second]
        cases.append(case)
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(here, "..", "test", "fixtures", "autograd-programs.json")
    with open(path, "w") as f:
        json.dump({"torch": torch.__version__, "cases": cases}, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {len(cases)} programs to {path}")


if __name__ == "__main__":
    main()
