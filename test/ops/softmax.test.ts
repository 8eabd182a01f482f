// SPDX-License-Identifier: BSD-3-Clause
// softmax / log_softmax over the last dim as one native pass per row (src/ops/softmax.ts,
// native/cpu/softmax.cc), forward and backward: against float64 references computed with the
// composed ops, for row lengths around the 8-lane vector width, many rows (the thread split),
// non-contiguous inputs, NaN / infinite entries, float64 (gradcheck, gradgradcheck), and the
// same bits with 1 and 2 threads.
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";

import * as torch from "../../src/index.js";
import type { Tensor } from "../../src/index.js";

const F = torch.nn.functional;
const threads0 = torch.getNumThreads();
after(() => torch.setNumThreads(threads0));

/** float64 references by the composed formulas. */
function refSoftmax(x: Tensor, log: boolean): Tensor {
  const xd = x.double(), m = xd.amax(-1, { keepdim: true }), s = xd.sub(m);
  const lse = s.exp().sum(-1, { keepdim: true }).log();
  return log ? s.sub(lse) : s.sub(lse).exp();
}
function maxAbsDiff(a: Tensor, b: Tensor): number {
  return a.double().sub(b.double()).abs().max().item() as number;
}
function bitsEqual(a: Tensor, b: Tensor): boolean {
  const x = a.contiguous().numpy() as Float32Array, y = b.contiguous().numpy() as Float32Array;
  const u = new Uint32Array(x.buffer, x.byteOffset, x.length), v = new Uint32Array(y.buffer, y.byteOffset, y.length);
  return u.length === v.length && u.every((w, i) => w === v[i]);
}

describe("softmax / log_softmax over the last dim (native)", () => {
  for (const cols of [1, 2, 7, 8, 9, 16, 17, 100, 1000, 4099]) {
    test(`forward and backward, float32, cols ${cols}`, () => {
      torch.manualSeed(cols);
      const rows = cols > 1000 ? 5 : 37;
      const x = torch.randn([rows, cols]).mul(6);
      for (const log of [false, true]) {
        const xr = x.clone().requiresGrad_(true);
        const y = log ? F.logSoftmax(xr, -1) : F.softmax(xr, 1);
        assert.equal(y.gradFn?.name(), log ? "LogSoftmaxBackward0" : "SoftmaxBackward0");
        const ref = refSoftmax(x, log);
        // a few float ulp of the values (log_softmax's are up to |x - max| + log(cols))
        const tol = log ? 2e-6 * (1 + (ref.abs().max().item() as number)) : 2e-7;
        assert.ok(maxAbsDiff(y, ref) <= tol, `forward ${log ? "log" : ""}softmax: ${maxAbsDiff(y, ref)}`);
        const g = torch.randn([rows, cols]);
        y.backward(g);
        const yd = ref, gd = g.double();
        const gref = log ? gd.sub(yd.exp().mul(gd.sum(-1, { keepdim: true }))) : yd.mul(gd.sub(gd.mul(yd).sum(-1, { keepdim: true })));
        const gtol = 1e-5 * (1 + (gref.abs().max().item() as number));
        assert.ok(maxAbsDiff(xr.grad!, gref) <= gtol, `backward: ${maxAbsDiff(xr.grad!, gref)}`);
      }
    });
  }

  test("3-d input, non-contiguous input and gradient", () => {
    const base = torch.randn([6, 11, 4]).mul(3);
    const x = base.transpose(1, 2);  // (6, 4, 11), last dim strided
    for (const log of [false, true]) {
      const xr = x.detach().requiresGrad_(true);
      const y = log ? F.logSoftmax(xr, 2) : F.softmax(xr, -1);
      assert.deepEqual(y.shape, [6, 4, 11]);
      assert.ok(maxAbsDiff(y, refSoftmax(x, log)) < 1e-5);
      const g = torch.randn([6, 11, 4]).transpose(1, 2);
      y.backward(g);
      const yd = refSoftmax(x, log), gd = g.double();
      const gref = log ? gd.sub(yd.exp().mul(gd.sum(-1, { keepdim: true }))) : yd.mul(gd.sub(gd.mul(yd).sum(-1, { keepdim: true })));
      assert.ok(maxAbsDiff(xr.grad!, gref) < 1e-5);
    }
  });

  test("NaN, infinities, empty rows", () => {
    const x = torch.tensor([[1, 2, NaN, 3, 0, 0, 0, 0, 1], [-Infinity, 0, 1, 2, 3, 4, 5, 6, 7], [Infinity, 0, 1, 2, 3, 4, 5, 6, 7],
      [-Infinity, -Infinity, -Infinity, -Infinity, -Infinity, -Infinity, -Infinity, -Infinity, -Infinity]]);
    for (const log of [false, true]) {
      const y = (log ? F.logSoftmax(x, 1) : F.softmax(x, 1)).numpy() as Float32Array;
      const r = refSoftmax(x, log).numpy() as Float64Array;
      for (let i = 0; i < y.length; i++) {
        if (Number.isNaN(r[i]!)) assert.ok(Number.isNaN(y[i]!), `${i}: ${y[i]} vs NaN`);
        else assert.ok(Math.abs(y[i]! - r[i]!) <= 1e-6 * (1 + Math.abs(r[i]!)) || y[i] === r[i], `${i}: ${y[i]} vs ${r[i]}`);
      }
    }
    assert.deepEqual(F.softmax(torch.zeros([3, 0]), 1).shape, [3, 0]);
    assert.deepEqual(F.logSoftmax(torch.zeros([0, 5]), 1).shape, [0, 5]);
  });

  test("float64: gradcheck and gradgradcheck", () => {
    const x = torch.randn([4, 9], { dtype: "float64", requiresGrad: true });
    for (const log of [false, true]) {
      const f = (t: Tensor) => (log ? F.logSoftmax(t, -1) : F.softmax(t, -1));
      assert.ok(torch.autograd.gradcheck(f, [x]));
      assert.ok(torch.autograd.gradgradcheck(f, [x]));
      assert.ok(maxAbsDiff(f(x), refSoftmax(x, log)) < 1e-13);
    }
  });

  test("the same bits with 1 and 2 threads", () => {
    const x = torch.randn([3000, 37]).mul(5), g = torch.randn([3000, 37]);
    const run = (threads: number) => {
      torch.setNumThreads(threads);
      const out: Tensor[] = [];
      for (const log of [false, true]) {
        const xr = x.clone().requiresGrad_(true);
        const y = log ? F.logSoftmax(xr, 1) : F.softmax(xr, 1);
        y.backward(g);
        out.push(y.detach(), xr.grad!);
      }
      return out;
    };
    const a = run(1), b = run(2);
    for (let i = 0; i < a.length; i++) assert.ok(bitsEqual(a[i]!, b[i]!), `output ${i}`);
  });

  test("other dims keep the general path", () => {
    const x = torch.randn([5, 6, 7]);
    assert.ok(maxAbsDiff(F.softmax(x, 1), refSoftmax(x.transpose(1, 2), false).transpose(1, 2)) < 1e-6);
    assert.ok(maxAbsDiff(F.logSoftmax(x, 0), refSoftmax(x.transpose(0, 2), true).transpose(0, 2)) < 1e-5);
  });
});
