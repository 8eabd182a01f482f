// SPDX-License-Identifier: BSD-3-Clause
// Composite autograd programs (issue #3, "How it is proven"): multi-op programs whose input gradients,
// and for some second derivatives through createGraph, are compared with PyTorch 1.13 in float64
// (test/fixtures/autograd-programs.json, written by scripts/gen_autograd_programs.py, which holds the
// same programs in Python). Tolerances: rtol 1e-7, atol 1e-7.
import { test } from "node:test";
import assert from "node:assert/strict";

import * as torch from "../../src/index.js";
import { assertValues, flatValues, loadFixture } from "../helpers.js";

const F = torch.nn.functional;
type T = torch.Tensor;

interface Enc { dtype: "float64" | "int64" | "bool"; shape: number[]; values: (number | boolean)[] }
interface Case {
  name: string;
  inputs: Enc[];
  aux: Enc[];
  output: Enc;
  gradOutput: Enc | null;
  grads: (Enc | null)[];
  second?: (Enc | null)[];
}

const fixture = loadFixture<{ torch: string; cases: Case[] }>("autograd-programs.json");

function decode(e: Enc): T {
  const values = e.dtype === "int64" ? e.values.map((v) => BigInt(v as number)) : e.values;
  return torch.tensor(values as number[], { dtype: e.dtype }).reshape(e.shape);
}

function check(actual: T | null, expected: Enc | null, what: string): void {
  if (expected === null) {
    assert.ok(actual === null || flatValues(actual).every((v) => v === 0), `${what}: expected no gradient`);
    return;
  }
  assert.ok(actual !== null, `${what}: missing gradient`);
  assert.deepEqual(actual.shape, expected.shape, `${what}: shape`);
  assert.equal(actual.dtype, "float64", `${what}: dtype`);
  assertValues(flatValues(actual), expected.values as number[], "float64", what);
}

class Cube extends torch.autograd.Function {
  static override forward(ctx: torch.autograd.FunctionCtx, x: T): T {
    ctx.saveForBackward(x);
    return x.mul(x).mul(x);
  }
  static override backward(ctx: torch.autograd.FunctionCtx, g: T | null): T {
    const [x] = ctx.savedTensors;
    return g!.mul(3).mul(x!).mul(x!);
  }
}

function layernorm(x: T, g: T, b: T): T {
  const mu = x.mean(-1, { keepdim: true });
  const v = x.sub(mu).pow(2).mean(-1, { keepdim: true });
  return x.sub(mu).div(v.add(1e-5).sqrt()).mul(g).add(b);
}

const PROGRAMS: Record<string, (...a: T[]) => T> = {
  mlp_cross_entropy: (x, w1, b1, w2, b2, t) =>
    F.crossEntropy(x.matmul(w1!).add(b1!).relu().matmul(w2!).add(b2!), t!),
  attention: (q, k, v) => F.softmax(q!.matmul(k!.transpose(-2, -1)).div(Math.sqrt(4)), -1).matmul(v!),
  layernorm_manual: (x, g, b) => layernorm(x!, g!, b!),
  slice_cat: (x) =>
    torch.cat([x!.index(":", "0:2").mul(2), x!.index(":", 1).unsqueeze(1).exp(), x!.index(":", "::2")], 1),
  stack_split: (x, y) => {
    const p = x!.split(2, 1);
    return torch.stack([p[0]!.mul(y!.index(":", ":2")), p[1]!.sin()], 0);
  },
  where_select: (x, y) => torch.where(x!.gt(0), x!.mul(y!), y!.exp()),
  keepdim_normalize: (x, w) => {
    const e = x!.exp();
    return e.div(e.sum(1, { keepdim: true })).mul(w!);
  },
  max_var_norm: (x) => x!.max(1).values.mul(x!.var(1)).add(x!.norm()),
  cumsum_gather: (x, idx) => x!.cumsum(1).gather(1, idx!).mul(2),
  masked_fill: (x, m) => x!.mul(3).maskedFill(m!, 0).pow(2).sum(),
  inplace_nonleaf: (x, y) => {
    const z = x!.mul(2);
    z.add_(y!);
    z.mul_(y!);
    z.addcmul_(x!, y!, { value: 0.5 });
    return z.exp_();
  },
  inplace_view: (x) => {
    const z = x!.clone();
    z.index(":", 1).mul_(3);
    z.index(0).add_(z.index(2));
    return z.mul(z).sum();
  },
  view_reshape: (x) =>
    x!.view(6, 4).t().reshape(2, 12).transpose(0, 1).contiguous().view(3, 8).permute(1, 0).mul(1.5),
  broadcasting: (a, b) => a!.mul(b!).add(a!.sigmoid()).sum(0),
  custom_function: (x, w) => Cube.apply<T>(x!.mul(w!)).sum(1).add(x!.tanh().sum(1)),
  gradient_penalty: (x, w) => {
    const out = x!.matmul(w!).tanh().sum();
    const [g] = torch.autograd.grad(out, x!, { createGraph: true });
    return g!.norm(2, 1).sub(1).pow(2).mean();
  },
  log_softmax_nll_manual: (x, t) => F.logSoftmax(x!, 1).gather(1, t!.unsqueeze(1)).mean().neg(),
  logsumexp_amax: (x) => x!.logsumexp(1).sub(x!.amax(1).mul(0.5)),
  unary_chain: (x) => x!.sigmoid().mul(x!.tanh()).abs().add(1).log().sqrt(),
  batched_matmul_relu_mean: (a, b) => a!.matmul(b!).relu().mean(),
  standardize_cube: (x) => x!.sub(x!.mean(0)).div(x!.std(0)).pow(3).sum(),
  diamond_reuse: (x) => {
    const y = x!.mul(x!);
    return y.add(y.exp()).add(y.mul(x!));
  },
  chunk_narrow: (x) => {
    const c = x!.chunk(3, 1);
    return c[0]!.mul(c[2]!).sub(c[1]!.narrow(0, 1, 2).sum()).sum();
  },
  clamp_div: (x, y) => x!.clamp(-0.5, 0.5).div(y!.abs().add(1)),
  expand_mul: (x, w) => x!.unsqueeze(0).expand(4, 3).mul(w!).index("1:3").sum(0),
  rnn_loop: (h0, W, xs) => {
    let h = h0!;
    for (let t = 0; t < xs!.shape[0]!; t++) h = xs!.index(t).matmul(W!).add(h.matmul(W!)).tanh();
    return h.sum();
  },
  mse_sigmoid_linear: (x, w, b, y) => F.linear(x!, w!, b!).sigmoid().sub(y!).pow(2).mean(),
};

/** Known torchts disagreements with PyTorch: program name -> reason (filled in as found). */
const TODO: Record<string, string> = {};

test("fixture holds at least 20 programs, all implemented here", () => {
  assert.ok(fixture.cases.length >= 20, `${fixture.cases.length} programs`);
  for (const c of fixture.cases) assert.ok(c.name in PROGRAMS, `program ${c.name} not implemented`);
});

for (const c of fixture.cases) {
  const opts = TODO[c.name] ? { todo: TODO[c.name] } : {};
  test(`program ${c.name}`, opts, () => {
    const fn = PROGRAMS[c.name]!;
    const xs = c.inputs.map((e) => decode(e).requiresGrad_());
    const aux = c.aux.map(decode);
    const out = fn(...xs, ...aux);
    check(out, c.output, "output");
    const gradOutputs = c.gradOutput ? decode(c.gradOutput) : null;
    const second = c.second !== undefined;
    const grads = torch.autograd.grad(out, xs, { gradOutputs, createGraph: second, allowUnused: true });
    grads.forEach((g, i) => check(g, c.grads[i]!, `grad of input ${i}`));
    if (second) {
      const present = grads.filter((g): g is T => g !== null);
      const s = present.map((g) => g.mul(g).sum()).reduce((a, b) => a.add(b));
      const g2 = torch.autograd.grad(s, xs, { allowUnused: true });
      g2.forEach((g, i) => check(g, c.second![i]!, `second derivative of input ${i}`));
    }
  });
}

test("backward() accumulates the same gradients as autograd.grad", () => {
  const c = fixture.cases.find((k) => k.name === "mlp_cross_entropy")!;
  const xs = c.inputs.map((e) => decode(e).requiresGrad_());
  PROGRAMS[c.name]!(...xs, ...c.aux.map(decode)).backward();
  xs.forEach((x, i) => check(x.grad, c.grads[i]!, `.grad of input ${i}`));
});
