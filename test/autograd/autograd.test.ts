// SPDX-License-Identifier: BSD-3-Clause
// The autograd tutorial (seed-programs.md §2) and PyTorch's guard rails (reliability.md §3.3).
import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../../src/index.js";

const f64 = { dtype: torch.float64 } as const;

test("tutorial: y = x + 2; z = y*y*3; out = z.mean(); out.backward() gives 4.5 everywhere", () => {
  const x = torch.ones(2, 2, { requiresGrad: true });
  const y = x.add(2);
  assert.equal(y.gradFn?.name(), "AddBackward0");
  assert.equal(x.gradFn, null);
  assert.match(String(y), /grad_fn=<AddBackward0>/);
  const z = y.mul(y).mul(3);
  const out = z.mean();
  assert.equal(z.gradFn?.name(), "MulBackward0");
  assert.equal(out.gradFn?.name(), "MeanBackward0");
  out.backward();
  assert.deepEqual(x.grad!.tolist(), [[4.5, 4.5], [4.5, 4.5]]);
});

test("tutorial: requiresGrad_, SumBackward0, noGrad and detach", () => {
  let a = torch.randn(2, 2);
  a = a.mul(3).div(a.sub(1));
  assert.equal(a.requiresGrad, false);
  a.requiresGrad_(true);
  const b = a.mul(a).sum();
  assert.equal(b.gradFn?.name(), "SumBackward0");
  const x = torch.ones(2, 2, { requiresGrad: true });
  assert.equal(torch.noGrad(() => x.pow(2)).requiresGrad, false);
  const y = x.detach();
  assert.equal(y.requiresGrad, false);
  assert.equal(x.eq(y).all().item(), true);
});

test("tutorial: (x + 3)^2 at x = 2 has gradient 10; linear regression gradients", () => {
  const x = torch.tensor(2.0, { requiresGrad: true, dtype: torch.float32 });
  const y = x.add(3).pow(2);
  y.backward();
  assert.equal(x.grad!.item(), 10);
  const xs = torch.tensor([1, 2, 3, 4], { dtype: torch.float32 }), ys = torch.tensor([2, 4, 6, 8], { dtype: torch.float32 });
  const w = torch.tensor(0.5, { requiresGrad: true }), b = torch.tensor(0.5, { requiresGrad: true });
  const loss = w.mul(xs).add(b).sub(ys).pow(2).mean();
  loss.backward();
  // d/dw mean((wx+b-y)^2) = mean(2(wx+b-y)x) = -20 ; d/db = mean(2(wx+b-y)) = -6.5 (PyTorch 1.13 prints the same)
  assert.ok(Math.abs((w.grad!.item() as number) - -20) < 1e-5);
  assert.ok(Math.abs((b.grad!.item() as number) - -6.5) < 1e-5);
});

test("guard rails: PyTorch's messages", () => {
  const x = torch.ones(3, { requiresGrad: true });
  assert.throws(() => x.add_(1), { message: "a leaf Variable that requires grad is being used in an in-place operation." });
  const y = x.mul(2);
  assert.throws(() => y.backward(), { message: "grad can be implicitly created only for scalar outputs" });
  assert.throws(() => torch.ones(2).sum().backward(), { message: "element 0 of tensors does not require grad and does not have a grad_fn" });
  const s = x.exp().sum();
  s.backward();
  assert.throws(() => s.backward(), /Trying to backward through the graph a second time/);
  const a = torch.ones(3, { requiresGrad: true });
  const e = a.exp();
  e.add_(1);
  assert.throws(() => e.sum().backward(), /one of the variables needed for gradient computation has been modified by an inplace operation: \[torch.FloatTensor \[3\]\], which is output 0 of ExpBackward0, is at version 1; expected version 0 instead/);
});

test("gradients accumulate; retainGraph; retainGrad; hooks", () => {
  const x = torch.tensor([1, 2, 3], { ...f64, requiresGrad: true });
  const y = x.mul(x);
  y.retainGrad();
  const s = y.sum();
  s.backward(null, { retainGraph: true });
  s.backward();
  assert.deepEqual(x.grad!.tolist(), [4, 8, 12]);
  assert.deepEqual(y.grad!.tolist(), [2, 2, 2]);
  const z = torch.tensor([1, 2], { ...f64, requiresGrad: true });
  const h = z.registerHook((g) => g.mul(10));
  z.mul(3).sum().backward();
  assert.deepEqual(z.grad!.tolist(), [30, 30]);
  h.remove();
});

test("autograd.grad with createGraph gives higher-order derivatives", () => {
  const x = torch.tensor([0.5, -1.5], { ...f64, requiresGrad: true });
  const y = x.pow(3).sum();
  const [g] = torch.autograd.grad(y, x, { createGraph: true });
  assert.deepEqual(g!.tolist(), [0.75, 6.75]);                  // 3x^2
  const [gg] = torch.autograd.grad(g!.sum(), x);
  assert.deepEqual(gg!.tolist(), [3, -9]);                      // 6x
});

test("custom Function: exp with a saved output", () => {
  class MyExp extends torch.autograd.Function {
    static override forward(ctx: torch.autograd.FunctionCtx, x: torch.Tensor): torch.Tensor {
      const y = x.exp();
      ctx.saveForBackward(y);
      return y;
    }
    static override backward(ctx: torch.autograd.FunctionCtx, g: torch.Tensor | null): torch.Tensor {
      const [y] = ctx.savedTensors;
      return g!.mul(y!);
    }
  }
  const x = torch.tensor([0, 1], { ...f64, requiresGrad: true });
  const y = MyExp.apply<torch.Tensor>(x);
  assert.equal(y.gradFn?.name(), "MyExpBackward");
  y.sum().backward();
  assert.ok(torch.allclose(x.grad!, x.detach().exp()));
  assert.ok(torch.autograd.gradcheck((t) => MyExp.apply<torch.Tensor>(t), [torch.rand(3, f64).requiresGrad_()]));
});

test("gradcheck catches a wrong backward", () => {
  class Wrong extends torch.autograd.Function {
    static override forward(_ctx: torch.autograd.FunctionCtx, x: torch.Tensor): torch.Tensor { return x.mul(x); }
    static override backward(ctx: torch.autograd.FunctionCtx, g: torch.Tensor | null): torch.Tensor {
      void ctx;
      return g!.mul(2.01);
    }
  }
  const x = torch.rand(3, f64).requiresGrad_();
  assert.throws(() => torch.autograd.gradcheck((t) => Wrong.apply<torch.Tensor>(t), [x]), /Jacobian mismatch for output 0 with respect to input 0/);
});

test("custom Function with markDirty: an in-place op takes the new node; a leaf is refused", () => {
  class Double_ extends torch.autograd.Function {
    static override forward(ctx: torch.autograd.FunctionCtx, x: torch.Tensor): torch.Tensor {
      ctx.markDirty(x);
      return x.mul_(2);
    }
    static override backward(_ctx: torch.autograd.FunctionCtx, g: torch.Tensor | null): torch.Tensor { return g!.mul(2); }
  }
  const a = torch.tensor([1, 2], { ...f64, requiresGrad: true });
  const x = a.mul(3);
  const y = Double_.apply<torch.Tensor>(x);
  assert.equal(y, x);
  assert.equal(x.gradFn?.name(), "Double_Backward");
  x.sum().backward();
  assert.deepEqual(a.grad!.tolist(), [6, 6]);
  assert.deepEqual(x.detach().tolist(), [6, 12]);
  assert.throws(() => Double_.apply(torch.ones(2, { ...f64, requiresGrad: true })), /a leaf Variable that requires grad has been used in an in-place operation/);
});
