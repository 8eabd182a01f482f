// SPDX-License-Identifier: BSD-3-Clause
// The per-op fast paths give the same results as the general ones: gradients computed only for
// inputs that need them, mm/addmm gradients laid out like their inputs, leaf gradients taken
// over without a copy only where nothing else can see them.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../../src/index.js";
import type { Tensor } from "../../src/index.js";

const f64 = { dtype: torch.float64 } as const;

function same(a: Tensor, b: Tensor, what: string): void {
  assert.deepEqual(a.shape, b.shape, what);
  assert.ok(torch.allclose(a, b, { rtol: 1e-12, atol: 1e-12 }), `${what}: ${a} vs ${b}`);
}

test("addmm / mm gradients only for inputs needing them, equal to the reference formulas", () => {
  torch.manualSeed(1);
  for (const [needB, needA, needW] of [[true, false, true], [false, true, false], [true, true, true], [false, false, true]]) {
    const bias = torch.randn([5], f64).requiresGrad_(needB);
    const a = torch.randn([3, 7], f64).requiresGrad_(needA);
    const w = torch.randn([5, 7], f64).requiresGrad_(needW);  // used transposed, as nn.Linear does
    const g = torch.randn([3, 5], f64);
    torch.addmm(bias, a, w.t()).backward(g);
    if (needB) same(bias.grad!, g.sum(0), "bias"); else assert.equal(bias.grad, null);
    if (needA) same(a.grad!, g.mm(w.detach()), "mat1"); else assert.equal(a.grad, null);
    if (needW) same(w.grad!, g.t().mm(a.detach()), "mat2"); else assert.equal(w.grad, null);
    // with alpha and beta
    const b2 = bias.detach().clone().requiresGrad_(), a2 = a.detach().clone().requiresGrad_(), w2 = w.detach().clone().requiresGrad_();
    torch.addmm(b2, a2, w2.t(), { beta: 0.5, alpha: -2 }).backward(g);
    same(b2.grad!, g.sum(0).mul(0.5), "beta");
    same(a2.grad!, g.mm(w.detach()).mul(-2), "alpha mat1");
    same(w2.grad!, g.t().mm(a.detach()).mul(-2), "alpha mat2");
  }
});

test("mm gradients of column-major (transposed) inputs come out column-major, same values", () => {
  torch.manualSeed(2);
  const A = torch.randn([6, 4], f64).requiresGrad_(), B = torch.randn([5, 6], f64).requiresGrad_();
  const a = A.t(), b = B.t();  // (4, 6) and (6, 5), both column-major
  const g = torch.randn([4, 5], f64);
  a.mm(b).backward(g);
  same(A.grad!, g.mm(B.detach()).t(), "A");
  same(B.grad!, A.detach().mm(g).t(), "B");
  assert.ok(A.grad!.isContiguous() && B.grad!.isContiguous());
  // row-major inputs: the plain formulas
  const x = torch.randn([4, 6], f64).requiresGrad_(), y = torch.randn([6, 5], f64).requiresGrad_();
  x.mm(y).backward(g);
  same(x.grad!, g.mm(y.detach().t()), "x");
  same(y.grad!, x.detach().t().mm(g), "y");
});

test("a Linear layer's gradients match PyTorch's formulas (float32, odd sizes)", () => {
  torch.manualSeed(3);
  const lin = new torch.nn.Linear(13, 7);
  const x = torch.randn(5, 13);
  const g = torch.randn(5, 7);
  (lin.forward(x) as Tensor).backward(g);
  const gw = g.t().mm(x), gb = g.sum(0);
  assert.ok(torch.allclose(lin.weight.grad!, gw, { rtol: 1e-5, atol: 1e-6 }));
  assert.ok(torch.allclose(lin.bias!.grad!, gb, { rtol: 1e-5, atol: 1e-6 }));
  assert.deepEqual(lin.weight.grad!.stride(), [13, 1]);
});

/** Whether writing into `a` shows up in `b` (they share memory). */
function aliases(a: Tensor, b: Tensor): boolean {
  const before = b.clone();
  a.add_(1000);
  const shared = !torch.equal(b, before);
  a.sub_(1000);
  return shared;
}

test("a leaf's first gradient never aliases another tensor the user can reach", () => {
  torch.manualSeed(4);
  // one gradient handed to two leaves (AddBackward passes g to both)
  const a = torch.randn([3], f64).requiresGrad_(), b = torch.randn([3], f64).requiresGrad_();
  a.add(b).mul(2).sum().backward();
  assert.ok(!aliases(a.grad!, b.grad!));
  same(a.grad!, torch.full([3], 2, f64), "a");
  // a retained gradient passed through to a leaf
  const x = torch.randn([4], f64).requiresGrad_();
  const y = x.add(1);
  y.retainGrad();
  y.mul(3).sum().backward();
  assert.ok(!aliases(x.grad!, y.grad!));
  // a hook that keeps its argument
  const x2 = torch.randn([4], f64).requiresGrad_();
  const y2 = x2.add(1);
  let kept: Tensor | null = null;
  y2.registerHook((g) => { kept = g; });
  y2.mul(3).sum().backward();
  assert.ok(kept !== null && !aliases(x2.grad!, kept));
  // the user's gradient
  const x3 = torch.randn([2, 2], f64).requiresGrad_();
  const G = torch.randn([2, 2], f64);
  x3.add(1).backward(G);
  assert.ok(!aliases(x3.grad!, G));
  // a leaf hook that keeps the gradient
  const x4 = torch.randn([3], f64).requiresGrad_();
  let seen: Tensor | null = null;
  x4.registerHook((g) => { seen = g; });
  x4.mul(2).mul(3).sum().backward();
  assert.ok(seen !== null && !aliases(x4.grad!, seen));
});

test("a custom Function's returned gradient is copied into .grad (its backward may keep it)", () => {
  let keptGrad: Tensor | null = null;
  class Twice extends torch.autograd.Function {
    static override forward(_ctx: torch.autograd.FunctionCtx, x: Tensor): Tensor { return x.mul(2); }
    static override backward(_ctx: torch.autograd.FunctionCtx, g: Tensor | null): Tensor {
      keptGrad = g!.mul(2);
      return keptGrad;
    }
  }
  const x = torch.randn([3], f64).requiresGrad_();
  (Twice.apply(x) as Tensor).mul(1.5).sum().backward();
  same(x.grad!, torch.full([3], 3, f64), "grad");
  assert.ok(keptGrad !== null && !aliases(x.grad!, keptGrad));
});

test("a gradient taken over as .grad accumulates right on the next backward", () => {
  torch.manualSeed(5);
  const w = torch.randn([4, 3], f64).requiresGrad_();
  const x = torch.randn([5, 4], f64);
  x.mm(w).sum().backward();
  const first = w.grad!.clone();
  same(first, x.t().mm(torch.ones([5, 3], f64)), "first");
  x.mm(w).sum().backward();
  same(w.grad!, first.mul(2), "accumulated");
});

test("one-element add/sub/mul/div (computed without the native engine) match the native kernels bit for bit", () => {
  torch.manualSeed(6);
  const special = [0, -0, 1, -1, 1e-45, -3e-39, 3.4e38, -3.4e38, Infinity, -Infinity, NaN, 0.1, 1 / 3, 16777217];
  for (const dtype of [torch.float32, torch.float64] as torch.DType[]) {
    const n = 400;
    const rnd = torch.randn([n], { dtype }).mul(torch.randn([n], { dtype }).mul(20).exp());
    const xs = torch.cat([rnd, torch.tensor(special, { dtype }), torch.tensor(special, { dtype })]);
    const ys = torch.cat([rnd.flip(0), torch.tensor(special, { dtype }), torch.tensor([...special].reverse(), { dtype })]);
    const m = xs.shape[0]!;
    const ops: [string, (a: Tensor, b: Tensor) => Tensor][] = [
      ["add", (a, b) => a.add(b)], ["sub", (a, b) => a.sub(b)], ["mul", (a, b) => a.mul(b)], ["div", (a, b) => a.div(b)],
      ["add alpha", (a, b) => a.add(b, { alpha: 0.3 })], ["sub alpha", (a, b) => a.sub(b, { alpha: 3 })],
    ];
    for (const [name, f] of ops) {
      const full = f(xs, ys).tolist() as number[];  // native: m elements at once
      for (let i = 0; i < m; i++) {
        // one-element views at an offset, and a broadcast pair ([1, 1] with [])
        const one = f(xs.narrow(0, i, 1), ys.narrow(0, i, 1)).item() as number;
        const bc = f(xs.narrow(0, i, 1).reshape([1, 1]), ys.select(0, i)).item() as number;
        assert.ok(Object.is(one, full[i]) || (Number.isNaN(one) && Number.isNaN(full[i])), `${dtype} ${name} ${i}: ${one} vs ${full[i]}`);
        assert.ok(Object.is(bc, full[i]) || (Number.isNaN(bc) && Number.isNaN(full[i])), `${dtype} ${name} bc ${i}`);
      }
    }
  }
});

test("the same-shape fast path keeps promotion, dtype rules, errors and autograd", () => {
  const a = torch.tensor([1, 2, 3], { dtype: torch.int32 }), b = torch.tensor([4, 5, 6], { dtype: torch.int32 });
  assert.equal(a.add(b).dtype, torch.int32);
  assert.equal(a.div(b).dtype, torch.float32);  // true division promotes
  assert.deepEqual(a.div(b).tolist(), [0.25, 0.4000000059604645, 0.5]);
  assert.throws(() => torch.tensor([true]).sub(torch.tensor([false])), /Subtraction, the `-` operator, with two bool tensors/);
  assert.equal(a.eq(b).dtype, torch.bool);
  const x = torch.tensor([1.5], { ...f64, requiresGrad: true }), y = torch.tensor([2], f64);
  const z = x.mul(y).add(x);
  assert.equal(z.gradFn!.name(), "AddBackward0");
  z.backward();
  assert.deepEqual(x.grad!.tolist(), [3]);
});

test("nllLoss / crossEntropy on (N, C) without weights (plain loops) equal the general path", () => {
  torch.manualSeed(7);
  for (const dtype of [torch.float32, torch.float64] as torch.DType[]) {
    for (const reduction of ["mean", "sum", "none"] as const) {
      const x = torch.randn([9, 5], { dtype });
      const t = torch.tensor([0, 4, -100, 2, 2, 1, -100, 3, 0], { dtype: torch.int64 });
      const a = x.clone().requiresGrad_(), b = x.clone().requiresGrad_();
      const fast = torch.nn.functional.nllLoss(a, t, { reduction });
      const slow = torch.nn.functional.nllLoss(b, t, { reduction, weight: torch.ones([5], { dtype }) });  // the general path
      assert.equal(fast.gradFn!.name(), "NllLossBackward0");
      assert.ok(torch.allclose(fast, slow, { rtol: 1e-6, atol: 0 }), `${dtype} ${reduction}: ${fast} vs ${slow}`);
      const g = reduction === "none" ? torch.randn([9], { dtype }) : torch.tensor(1.7, { dtype });
      fast.backward(g);
      slow.backward(g);
      assert.ok(torch.equal(a.grad!, b.grad!), `${dtype} ${reduction} grad`);
      // a transposed input and a strided target
      const xt = x.t().contiguous().t(), tt = torch.stack([t, t], 1).select(1, 1);
      assert.ok(torch.allclose(torch.nn.functional.nllLoss(xt, tt, { reduction }), slow.detach(), { rtol: 1e-6, atol: 0 }));
    }
  }
  // all targets ignored: mean is nan, as PyTorch
  const all = torch.nn.functional.nllLoss(torch.randn([2, 3]), torch.tensor([-100, -100], { dtype: torch.int64 }));
  assert.ok(Number.isNaN(all.item() as number));
  assert.throws(() => torch.nn.functional.nllLoss(torch.randn([2, 3]), torch.tensor([1, 3], { dtype: torch.int64 })), /Target 3 is out of bounds./);
  // double backward through the loss goes through tensor ops
  const x = torch.randn([4, 3], f64).requiresGrad_();
  const t = torch.tensor([2, 0, 1, 1], { dtype: torch.int64 });
  const loss = torch.nn.functional.crossEntropy(x, t);
  const [gx] = torch.autograd.grad(loss, x, { createGraph: true });
  gx!.pow(2).sum().backward();
  const p = torch.nn.functional.softmax(x.detach(), 1);
  assert.ok(x.grad !== null && torch.isfinite(x.grad).all().item() === true);
  // the first-order gradient: (softmax - onehot) / N
  const onehot = torch.zeros([4, 3], f64).scatter(1, t.unsqueeze(1), 1);
  assert.ok(torch.allclose(gx!.detach(), p.sub(onehot).div(4)));
});

test("elementwiseFast (kernel by index, buffers as arguments) computes what elementwise does", async () => {
  const { native } = await import("../../src/backends/cpu/native.js");
  const ids = native.elementwiseIds!();
  const names = new Set(native.kernelNames());
  for (const n of ids) assert.ok(names.has(n), n);
  const a = new Float32Array([1, 2, 3, 4, 5]), b = new Float32Array([0.5, -1, 2, 8, 1e-3]);
  const meta = new Float64Array([1, 5, 3, 8, 0, 1, 8, 0, 1, 8, 0, 1]);
  const s = new Float64Array(8);
  s[0] = 0.25;
  for (const k of ["add", "sub", "mul", "div", "maximum"]) {
    const o1 = new Float32Array(5), o2 = new Float32Array(5);
    native.elementwise(k, [o1, a, b], meta, s);
    native.elementwiseFast!(ids.indexOf(k), meta, s, o2, a, b);
    assert.deepEqual(o2, o1, k);
  }
  assert.throws(() => native.elementwiseFast!(ids.length, meta, s, a, a, b), /unknown kernel id/);
});

test("logSoftmax over the rows of a small matrix (plain loops) agrees with the general path", () => {
  torch.manualSeed(8);
  const F = torch.nn.functional;
  for (const dtype of [torch.float32, torch.float64] as torch.DType[]) {
    const rtol = dtype === torch.float32 ? 2e-6 : 1e-13;
    const x = torch.randn([7, 11], { dtype }).mul(5);
    x.narrow(0, 3, 1).fill_(-Infinity);
    x.narrow(0, 4, 1).narrow(1, 2, 1).fill_(NaN);
    x.narrow(0, 5, 1).narrow(1, 0, 1).fill_(Infinity);
    for (const input of [x, x.t().contiguous().t()]) {  // contiguous and column-major
      const a = input.clone().requiresGrad_(), b = input.clone().requiresGrad_();
      const fast = F.logSoftmax(a, 1);
      const slow = F.logSoftmax(b.unsqueeze(0), 2).squeeze(0);  // 3-D: the general path
      assert.equal(fast.gradFn!.name(), "LogSoftmaxBackward0");
      assert.ok(torch.allclose(fast, slow, { rtol, atol: 1e-6, equalNan: true }), `${dtype}: ${fast} vs ${slow}`);
      const g = torch.randn([7, 11], { dtype });
      fast.backward(g);
      slow.backward(g);
      assert.ok(torch.allclose(a.grad!, b.grad!, { rtol, atol: 1e-6, equalNan: true }), `${dtype} grad`);
    }
  }
  // double backward goes through tensor ops
  const x = torch.randn([3, 4], f64).requiresGrad_();
  const [gx] = torch.autograd.grad(F.logSoftmax(x, 1).mul(torch.randn([3, 4], f64)).sum(), x, { createGraph: true });
  gx!.sum().backward();
  assert.ok(x.grad !== null && torch.isfinite(x.grad).all().item() === true);
});

test("scalar operands without grad (reused 0-dim tensors) give independent, correctly typed results", () => {
  const x = torch.tensor([1, 2, 3], { dtype: torch.float32 });
  const a = x.add(1), b = x.add(2.5), c = x.mul(-1);
  assert.deepEqual(a.tolist(), [2, 3, 4]);
  assert.deepEqual(b.tolist(), [3.5, 4.5, 5.5]);
  assert.deepEqual(c.tolist(), [-1, -2, -3]);
  assert.deepEqual(torch.tensor([100], { dtype: torch.int8 }).add(300).tolist(), [-112]);  // 300 wraps to 44, 144 to -112, as PyTorch
  assert.equal(torch.tensor([1, 2], { dtype: torch.int32 }).mul(1.5).dtype, torch.float32);
  assert.deepEqual(torch.tensor([1, 2], { dtype: torch.int64 }).sub(3).tolist(), [-2, -1]);
  // with grad the scalar is saved for backward and must stay its own tensor
  const w = torch.tensor([2, 3], { ...f64, requiresGrad: true });
  const y = w.pow(2).mul(5);
  x.mul(7);  // another scalar op in between
  y.sum().backward();
  assert.deepEqual(w.grad!.tolist(), [20, 30]);
});
